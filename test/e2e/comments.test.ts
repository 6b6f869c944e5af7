import type { Page } from 'playwright-core';
import { useBrowserStack } from './support/harness';
import type { Stack } from './support/stack';
import { button, commentBox, commentWithText, postComment, screenshot, signInWithPopup, TWITTER_ALICE, FACEBOOK_DANA, widget, threadLoaded, focusedInWidget } from './support/widget';

let stack: Stack;
let page: Page;

useBrowserStack({ openBlog: true }, (harness) => ({ stack, page } = harness));


describe('a thread', () => {
  test('posting shows the comment at once; a reply nests under it; both are there after a reload', async () => {
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    await postComment(page, 'What a lovely first post.');
    const first = commentWithText(page, 'What a lovely first post.');
    expect(await first.getByText('Alice Example').isVisible()).toBe(true);
    expect(await first.getByText('via Twitter').isVisible()).toBe(true);
    expect(await first.locator('time').innerText()).toBe('just now');
    expect(await commentBox(page).inputValue()).toBe('');

    // Reply opens the form under the comment, with the focus in it.
    await first.getByRole('button', { name: 'Reply' }).click();
    expect(await focusedInWidget(page)).toBe('parley-comment');
    expect(await first.getByRole('heading', { name: 'Leave a Reply' }).isVisible()).toBe(true);
    expect(await first.getByText('Replying to Alice Example').isVisible()).toBe(true);
    await screenshot(page, 'reply-form');
    await postComment(page, 'Thank you, I agree!');
    // The focus goes to the new reply (issue #11), and the form back to the bottom.
    expect(await focusedInWidget(page)).toContain('Thank you, I agree!');
    expect(await first.getByRole('heading', { name: 'Leave a Reply' }).count()).toBe(0);

    const nested = widget(page).locator('li.comment:has(> article .body:text-is("What a lovely first post.")) > ol.replies > li.comment .body');
    expect(await nested.allInnerTexts()).toEqual(['Thank you, I agree!']);
    expect(await widget(page).getByRole('heading', { name: '2 Comments' }).isVisible()).toBe(true);

    await page.reload();
    await widget(page).getByRole('heading', { name: '2 Comments' }).waitFor();
    expect(await nested.allInnerTexts()).toEqual(['Thank you, I agree!']);
    expect(await commentWithText(page, 'What a lovely first post.').isVisible()).toBe(true);
    await screenshot(page, 'thread');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'thread-phone');
  });

  test('Cancel reply puts the form back and the focus on the comment’s Reply; the draft stays', async () => {
    await threadLoaded(page);
    const first = commentWithText(page, 'What a lovely first post.');
    await first.getByRole('button', { name: 'Reply' }).click();
    await commentBox(page).fill('Half a thought');
    await button(page, 'Cancel reply').click();
    expect(await focusedInWidget(page)).toBe('Reply');
    expect(await commentBox(page).inputValue()).toBe('Half a thought');
    expect(await first.getByRole('heading', { name: 'Leave a Reply' }).count()).toBe(0);
  });
});

describe('comment text', () => {
  const MARKUP = '<script>alert(1)</script><img src=x onerror=alert(2)>';

  test('markup is shown as text: no dialog, no element created, after posting and after a reload', async () => {
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await signInWithPopup(page, stack, { provider: 'facebook', choose: FACEBOOK_DANA });
    await postComment(page, MARKUP);
    for (const pass of ['posted', 'reloaded']) {
      if (pass === 'reloaded') {
        await page.reload();
        await threadLoaded(page);
      }
      const body = commentWithText(page, '<script>').locator('.body');
      expect(await body.innerText()).toBe(MARKUP);
      expect(await body.locator('*').count()).toBe(0);
      // Give a stray onerror every chance to fire.
      await page.waitForTimeout(500);
      expect(dialogs).toEqual([]);
      expect(await widget(page).evaluate((host) => host.shadowRoot!.querySelectorAll('script, img[src="x"]').length)).toBe(0);
      expect(await page.evaluate(() => document.querySelectorAll('img[src="x"]').length)).toBe(0);
    }
  });

  test('http(s) URLs become links with rel="nofollow ugc noopener" and target=_blank; other schemes stay text', async () => {
    await signInWithPopup(page, stack, { provider: 'facebook', choose: FACEBOOK_DANA });
    await postComment(page, 'See https://en.wikipedia.org/wiki/Parley_(disambiguation). Not javascript:alert(3) nor data:text/html,hi');
    const body = commentWithText(page, 'See https://').locator('.body');
    const links = body.locator('a');
    expect(await links.count()).toBe(1);
    expect(await links.getAttribute('href')).toBe('https://en.wikipedia.org/wiki/Parley_(disambiguation)');
    expect(await links.getAttribute('rel')).toBe('nofollow ugc noopener');
    expect(await links.getAttribute('target')).toBe('_blank');
    expect(await body.innerText()).toContain('javascript:alert(3)');
  });
});

describe('the widget and the page', () => {
  test('the page’s styles do not break the widget, and the widget’s do not leak out', async () => {
    await page.addStyleTag({ content: '* { font-size: 6px !important; letter-spacing: 1em; text-transform: uppercase; } button { display: none !important; } h2 { color: rgb(255, 0, 0); }' });
    await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<button id="page-button">page</button>'));
    const post = button(page, 'Post Comment');
    expect(await post.isVisible()).toBe(true);
    expect(await post.evaluate((element) => getComputedStyle(element).fontSize)).toBe('16px');
    expect(await post.evaluate((element) => getComputedStyle(element).textTransform)).toBe('none');
    expect(await widget(page).getByRole('heading', { name: 'Leave a Reply' }).evaluate((element) => getComputedStyle(element).color)).not.toBe('rgb(255, 0, 0)');
    // The widget's button styles (a blue Post Comment) do not reach the page's own buttons.
    expect(await page.locator('#page-button').evaluate((element) => getComputedStyle(element).backgroundColor)).not.toBe(
      await post.evaluate((element) => getComputedStyle(element).backgroundColor),
    );
  });

  test('works with the keyboard: Tab reaches the log-in buttons with a visible focus ring', async () => {
    await threadLoaded(page);
    await button(page, 'Log in with Email').focus();
    await page.keyboard.press('Tab');
    expect(await focusedInWidget(page)).toContain('Log in with Twitter');
    const outline = await button(page, 'Log in with Twitter').evaluate((element) => getComputedStyle(element).outlineStyle + ' ' + getComputedStyle(element).outlineWidth);
    expect(outline).toBe('solid 3px');
  });
});
