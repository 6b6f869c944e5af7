import type { Locator, Page } from 'playwright-core';
import type { Browser } from './support/chromium';
import { useBrowserStack } from './support/harness';
import type { Stack } from './support/stack';
import { postAs, recordPosts } from './support/comment-api';
import {
  button,
  commentBox,
  commentWithText,
  FACEBOOK_DANA,
  FACEBOOK_ELI,
  screenshot,
  signInWithPopup,
  threadLoaded,
  tokenFor,
  TWITTER_ALICE,
  TWITTER_BOB,
  widget,
} from './support/widget';

let stack: Stack;
let browser: Browser;
let page: Page;

useBrowserStack({ openBlog: true }, (harness) => ({ stack, browser, page } = harness));

/** What has the focus inside the widget's shadow root: tag, id and text. */
function focused(target: Page): Promise<{ tag: string; id: string; text: string }> {
  return widget(target).evaluate((host) => {
    const active = host.shadowRoot!.activeElement as HTMLElement | null;
    return { tag: active?.tagName.toLowerCase() ?? '', id: active?.id ?? '', text: active?.innerText ?? '' };
  });
}

/** Posts through the Comment API; the comment's id. */
async function post(token: string, body: string, parentId?: string): Promise<string> {
  const response = await postAs(page, stack, token, parentId ? { body, parentId } : { body });
  expect(response.status).toBe(201);
  return ((await response.json()) as { comment: { id: string } }).comment.id;
}

/** A chain of replies, each answering the one before: depths 0 to 5. */
const CHAIN = ['Level 0 by Alice', 'Level 1 by Bob', 'Level 2 by Alice', 'Level 3 by Bob', 'Level 4 by Alice', 'Level 5 by Bob'];

/** WCAG 2.x contrast ratio of two computed CSS colours (opaque rgb()/rgba()). */
function contrast(foreground: string, background: string): number {
  const luminance = (color: string) => {
    const [r, g, b] = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/
      .exec(color)!
      .slice(1, 4)
      .map((value) => {
        const c = Number(value) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(foreground), luminance(background)].sort((a, b) => b - a) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

async function colours(locator: Locator): Promise<{ color: string; background: string }> {
  return locator.evaluate((element) => ({ color: getComputedStyle(element).color, background: getComputedStyle(element).backgroundColor }));
}

describe('a long thread (issue #11, polish)', () => {
  test('replies deeper than three levels still read as replies: “in reply to <name>”', async () => {
    const alice = await tokenFor(browser, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    const bob = await tokenFor(browser, stack, { provider: 'twitter', choose: TWITTER_BOB });
    let parentId: string | undefined;
    for (const [index, body] of CHAIN.entries()) parentId = await post(index % 2 === 0 ? alice : bob, body, parentId);
    await page.reload();
    await widget(page).getByRole('heading', { name: '6 Comments' }).waitFor();

    const inReplyTo = async (body: string) => (await commentWithText(page, body).locator('.in-reply-to').allInnerTexts()).join('');
    expect(await inReplyTo('Level 3 by Bob')).toBe('');
    expect(await inReplyTo('Level 4 by Alice')).toBe('in reply to Bob Tester');
    expect(await inReplyTo('Level 5 by Bob')).toBe('in reply to Alice Example');
    // Indented up to the third level, then no further.
    const left = async (body: string) => (await commentWithText(page, body).boundingBox())!.x;
    const [x0, x1, x2, x3, x4, x5] = [await left(CHAIN[0]!), await left(CHAIN[1]!), await left(CHAIN[2]!), await left(CHAIN[3]!), await left(CHAIN[4]!), await left(CHAIN[5]!)];
    expect(x0 < x1 && x1 < x2 && x2 < x3).toBe(true);
    expect([x4, x5]).toEqual([x3, x3]);
    await screenshot(page, 'deep-thread');
  });

  test('a “Leave a Reply” link before a long thread takes the focus to the form', async () => {
    await widget(page).getByRole('heading', { name: '6 Comments' }).waitFor();
    const skip = widget(page).getByRole('link', { name: 'Leave a Reply' });
    // It comes before the thread in the tab order.
    const firstReply = widget(page).getByRole('button', { name: 'Reply' }).first();
    expect(await skip.evaluate((link, reply) => Boolean(link.compareDocumentPosition(reply as Node) & Node.DOCUMENT_POSITION_FOLLOWING), await firstReply.elementHandle())).toBe(true);
    await skip.focus();
    await screenshot(page, 'skip-link-focused');
    await page.keyboard.press('Enter');
    expect(await focused(page)).toEqual({ tag: 'h2', id: 'parley-respond', text: 'Leave a Reply' });
  });

  test('Escape cancels a reply, putting the focus back on that comment’s Reply; posting a reply focuses the new reply', async () => {
    await signInWithPopup(page, stack, { provider: 'facebook', choose: FACEBOOK_DANA });
    const parent = commentWithText(page, 'Level 1 by Bob');
    await parent.getByRole('button', { name: 'Reply', exact: true }).click();
    await commentBox(page).fill('Never mind');
    await page.keyboard.press('Escape');
    expect(await parent.getByRole('heading', { name: 'Leave a Reply' }).count()).toBe(0);
    expect(await focused(page)).toEqual({ tag: 'button', id: '', text: 'Reply' });
    expect(await parent.getByRole('button', { name: 'Reply', exact: true }).evaluate((element) => element === element.getRootNode().ownerDocument?.activeElement || element === (element.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    expect(await commentBox(page).inputValue()).toBe('Never mind');

    await parent.getByRole('button', { name: 'Reply', exact: true }).click();
    await commentBox(page).fill('A reply that takes the focus');
    await button(page, 'Post Comment').click();
    await widget(page).getByRole('status').getByText('Your comment is posted.').waitFor();
    const reply = commentWithText(page, 'A reply that takes the focus');
    expect(await reply.evaluate((article) => (article.getRootNode() as ShadowRoot).activeElement === article)).toBe(true);
    await screenshot(page, 'reply-posted-focus');
  });
});

describe('the comment box', () => {
  test('counts down near the 10,000-character limit, politely, and marks the box invalid past it; nothing is sent', async () => {
    await signInWithPopup(page, stack, { provider: 'facebook', choose: FACEBOOK_ELI });
    const sent = recordPosts(page, stack);
    const box = commentBox(page);
    await box.fill('a'.repeat(8000));
    expect(await widget(page).getByText(/characters? left/).count()).toBe(0);

    await box.fill('a'.repeat(9877));
    await widget(page).getByText('123 characters left', { exact: true }).first().waitFor();
    await widget(page).locator('[aria-live=polite]').getByText('123 characters left').waitFor();
    expect(await box.getAttribute('aria-invalid')).not.toBe('true');
    await screenshot(page, 'counter-near-limit');

    await box.fill('a'.repeat(10012));
    const over = widget(page).getByText('12 characters too many', { exact: true }).first();
    await over.waitFor();
    expect(await box.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await box.getAttribute('aria-describedby'))!.split(' ');
    expect(describedBy).toContain(await over.getAttribute('id'));
    await button(page, 'Post Comment').click();
    const alert = widget(page).getByRole('alert');
    await alert.getByText('The comment is 12 characters too long: at most 10,000 are allowed.').waitFor();
    expect((await box.getAttribute('aria-describedby'))!.split(' ')).toContain(await alert.getAttribute('id'));
    await screenshot(page, 'counter-over-limit');

    await box.fill('Short again');
    expect(await box.getAttribute('aria-invalid')).not.toBe('true');
    expect(await alert.innerText()).toBe('');
    expect(sent).toEqual([]);
  });

  test('“Write a comment first.” is tied to the box; “Log in first” is not the box’s fault', async () => {
    const box = commentBox(page);
    await box.fill('Typed before logging in');
    await button(page, 'Post Comment').click();
    await widget(page).getByRole('alert').getByText(/^Log in first/).waitFor();
    expect(await box.getAttribute('aria-invalid')).not.toBe('true');

    await signInWithPopup(page, stack, { provider: 'facebook', choose: FACEBOOK_ELI });
    await box.fill('');
    await button(page, 'Post Comment').click();
    const alert = widget(page).getByRole('alert');
    await alert.getByText('Write a comment first.').waitFor();
    expect(await box.getAttribute('aria-invalid')).toBe('true');
    expect((await box.getAttribute('aria-describedby'))!.split(' ')).toContain(await alert.getAttribute('id'));
    await screenshot(page, 'empty-comment-error');
    await box.pressSequentially('Now there is text');
    expect(await box.getAttribute('aria-invalid')).not.toBe('true');
    expect(await alert.innerText()).toBe('');
  });
});

describe('on a phone and in the dark', () => {
  test('every button and button-like link is at least 44 px tall on a narrow screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await widget(page).getByRole('heading', { name: /Comments$/ }).waitFor();
    const check = async (state: string) => {
      const sizes = await widget(page).evaluate((host) =>
        Array.from(host.shadowRoot!.querySelectorAll<HTMLElement>('button, a.skip'))
          .filter((element) => element.offsetParent !== null)
          .map((element) => ({ name: element.innerText.trim(), height: Math.round(element.getBoundingClientRect().height), width: Math.round(element.getBoundingClientRect().width) })),
      );
      expect(sizes.length).toBeGreaterThan(3);
      expect([state, sizes.filter((size) => size.height < 44 || size.width < 44)]).toEqual([state, []]);
    };
    await check('signed out');
    await screenshot(page, 'phone-signed-out');
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    await commentWithText(page, 'Level 2 by Alice').getByRole('button', { name: 'Reply', exact: true }).click();
    await check('signed in, replying');
    await screenshot(page, 'phone-signed-in-replying');
  });

  test('Post Comment passes WCAG AA contrast (4.5:1) in the light and the dark palette, whatever accent the blog picks', async () => {
    const DARK_PAGE = 'html,body{background:#16181c!important;color:#e6e8eb!important}';
    const cases: Array<{ name: string; css: string; theme: string | null; accent?: string }> = [
      { name: 'light', css: '', theme: null },
      { name: 'light, light accent', css: '[data-parley-site]{--parley-accent:#7aa7ff}', theme: null, accent: 'rgb(122, 167, 255)' },
      { name: 'dark', css: DARK_PAGE, theme: 'dark' },
      { name: 'dark, dark accent', css: `${DARK_PAGE}[data-parley-site]{--parley-accent:#1d5fd1}`, theme: 'dark', accent: 'rgb(29, 95, 209)' },
    ];
    for (const { name, css, theme, accent } of cases) {
      const tab = await browser.context.newPage();
      try {
        // The blog's own styles, there before the widget looks at the page.
        await tab.addInitScript((style: string) => {
          new MutationObserver((_changes, observer) => {
            if (!document.head) return;
            observer.disconnect();
            document.head.appendChild(document.createElement('style')).textContent = style;
          }).observe(document, { childList: true, subtree: true });
        }, css);
        await tab.goto(stack.blogUrl);
        await threadLoaded(tab);
        expect([name, await widget(tab).getAttribute('data-parley-theme')]).toEqual([name, theme]);
        const primary = await colours(button(tab, 'Post Comment'));
        if (accent) expect([name, primary.background]).toEqual([name, accent]);
        expect([name, primary, contrast(primary.color, primary.background) >= 4.5]).toEqual([name, primary, true]);
        // The rest of the palette's text too: links, muted text and dates, on the form's background.
        const form = await colours(widget(tab).locator('section.respond'));
        for (const selector of ['.reply-button', '.muted', 'time', '.via']) {
          const element = widget(tab).locator(selector).first();
          if ((await element.count()) === 0) continue;
          const { color } = await colours(element);
          expect([name, selector, contrast(color, form.background) >= 4.5]).toEqual([name, selector, true]);
        }
        await screenshot(tab, `palette-${name.replace(/[^a-z]+/g, '-')}`);
      } finally {
        await tab.close();
      }
    }
  });

  test('follows the blog when the reader switches to dark mode with the page open, and back', async () => {
    // The demo post follows prefers-color-scheme, as many blogs do.
    await threadLoaded(page);
    expect(await widget(page).getAttribute('data-parley-theme')).toBeNull();
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('[data-parley-site][data-parley-theme=dark]').waitFor();
    const dark = await colours(button(page, 'Post Comment'));
    expect(contrast(dark.color, dark.background)).toBeGreaterThanOrEqual(4.5);
    await screenshot(page, 'switched-to-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.locator('[data-parley-site]:not([data-parley-theme])').waitFor();
    const light = await colours(button(page, 'Post Comment'));
    expect(contrast(light.color, light.background)).toBeGreaterThanOrEqual(4.5);

    // A blog with its own theme switch: a class on <html>.
    await page.evaluate(() => {
      document.head.appendChild(document.createElement('style')).textContent = 'html.night body{background:#101114;color:#eee}';
      document.documentElement.classList.add('night');
    });
    await page.locator('[data-parley-site][data-parley-theme=dark]').waitFor();
    await page.evaluate(() => document.documentElement.classList.remove('night'));
    await page.locator('[data-parley-site]:not([data-parley-theme])').waitFor();
  });
});
