import type { Locator, Page } from 'playwright-core';
import type { Browser } from './support/chromium';
import { launchChromium } from './support/chromium';
import { useBrowserStack } from './support/harness';
import type { Stack } from './support/stack';
import { postAs } from './support/comment-api';
import { recordWrites, storedNotifyChoices } from './support/stored-comments';
import { button, commentBox, commentWithText, postComment, screenshot, signInWithPopup, threadLoaded, tokenFor, FACEBOOK_DANA, FACEBOOK_ELI, TWITTER_ALICE, TWITTER_BOB, widget } from './support/widget';
import { startModerationStack, type ModerationStack } from './moderation-stack';

/**
 * Reply notifications in the widget (issue 15, item 2): "Notify me of replies by email" on the
 * signed-in form, off unless the reader ticked it before on this site; every new comment and
 * reply says what the box says and which page it was posted from, edits do not; and the link in
 * a reply email (`#parley-comment-<id>`) brings that comment into view, however deep it sits.
 */

const NOTIFY = 'Notify me of replies by email';

function notifyBox(page: Page): Locator {
  return widget(page).getByRole('checkbox', { name: NOTIFY });
}

/** The text the box is described by (aria-describedby), as a screen reader reads it after the name. */
function descriptionOf(box: Locator): Promise<string> {
  return box.evaluate((element) => {
    const ids = (element.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    const root = element.getRootNode() as ShadowRoot;
    return ids.map((id) => root.getElementById(id)?.textContent ?? '').join(' ');
  });
}

/** Whether the element lies wholly inside the window. */
function inView(target: Locator): Promise<boolean> {
  return target.evaluate((element) => {
    const box = element.getBoundingClientRect();
    return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
  });
}

/** Waits until the element has come to rest inside the window (a smooth scroll takes a moment). */
async function scrolledIntoView(page: Page, target: Locator): Promise<void> {
  const handle = await target.elementHandle();
  await page.waitForFunction((element) => {
    const box = element!.getBoundingClientRect();
    return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
  }, handle);
}

describe('reply notifications on a blog without guests', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;

  useBrowserStack({ openBlog: true }, (harness) => ({ stack, browser, page } = harness));

  beforeEach(async () => {
    // localStorage outlives the tabs of one browser: each test starts with no preference stored.
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await threadLoaded(page);
  });

  test('a reader who is not logged in is not offered the box', async () => {
    await threadLoaded(page);
    expect(await notifyBox(page).count()).toBe(0);
    expect(await widget(page).getByText(NOTIFY).isVisible()).toBe(false);
  });

  test('off by default; posting sends it off with the page; ticked (by keyboard) a reply sends it on; kept after a reload; the service stores both', async () => {
    const sent = recordWrites(page, stack.commentsUrl);
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    const box = notifyBox(page);
    expect(await box.isVisible()).toBe(true);
    expect(await box.isChecked()).toBe(false);
    // Twitter brings no address: the words promise none.
    expect(await descriptionOf(box)).toBe('Sent to the email address of your comment account, if it has one; the blog never sees it.');
    await screenshot(page, 'notify-replies-off');

    await postComment(page, 'Alice does not want mail about this one.');
    expect(sent.map((write) => write.body)).toEqual([{ body: 'Alice does not want mail about this one.', notifyReplies: false, pageUrl: stack.blogUrl }]);

    // A real checkbox: Tab reaches it from the comment box, Space ticks it.
    await commentBox(page).focus();
    await page.keyboard.press('Tab');
    expect(await box.evaluate((element) => element === (element.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await page.keyboard.press('Space');
    expect(await box.isChecked()).toBe(true);
    await screenshot(page, 'notify-replies-on');

    await commentWithText(page, 'Alice does not want mail about this one.').getByRole('button', { name: 'Reply', exact: true }).click();
    // The box travels with the form under the comment.
    expect(await box.isChecked()).toBe(true);
    await postComment(page, 'But she does about this reply.');
    expect(sent[1]?.body).toEqual({ body: 'But she does about this reply.', parentId: expect.any(String), notifyReplies: true, pageUrl: stack.blogUrl });

    expect(storedNotifyChoices(stack.settings.dataDir)).toEqual([
      { body: 'Alice does not want mail about this one.', notifyReplies: false, pageUrl: stack.blogUrl },
      { body: 'But she does about this reply.', notifyReplies: true, pageUrl: stack.blogUrl },
    ]);

    await page.reload();
    await threadLoaded(page);
    await box.waitFor();
    expect(await box.isChecked()).toBe(true);

    // Unticked, it stays unticked next time too.
    await box.uncheck();
    await page.reload();
    await box.waitFor();
    expect(await box.isChecked()).toBe(false);
  });

  test('an edit sends only the new text, whatever the box says', async () => {
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_BOB });
    await notifyBox(page).check();
    await postComment(page, 'Bob wrote this with a typo, tpyo.');
    const sent = recordWrites(page, stack.commentsUrl);
    const mine = commentWithText(page, 'Bob wrote this with a typo, tpyo.');
    await mine.getByRole('button', { name: 'Edit', exact: true }).click();
    await widget(page).getByRole('textbox', { name: 'Edit your comment' }).fill('Bob wrote this with a typo, fixed.');
    await button(page, 'Save').click();
    await widget(page).getByRole('status').getByText('Your comment is updated.').waitFor();
    expect(sent.map((write) => [write.method, write.body])).toEqual([['PATCH', { body: 'Bob wrote this with a typo, fixed.' }]]);
    expect(storedNotifyChoices(stack.settings.dataDir).find((row) => row.body === 'Bob wrote this with a typo, fixed.')).toEqual({
      body: 'Bob wrote this with a typo, fixed.',
      notifyReplies: true,
      pageUrl: stack.blogUrl,
    });
  });

  test('ticking the box after an answer was lost does not make the retry a different request: it is posted once, as first sent', async () => {
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_BOB });
    const sent = recordWrites(page, stack.commentsUrl);
    let lost = 0;
    await page.route(`${stack.commentsUrl}/api/**`, async (route) => {
      if (route.request().method() !== 'POST' || lost > 0) return route.fallback();
      lost++;
      // The service stores the comment; its answer never reaches the page.
      expect((await route.fetch()).status()).toBe(201);
      await route.abort('internetdisconnected');
    });
    await commentBox(page).fill('Bob posts on a flaky train.');
    await button(page, 'Post Comment').click();
    await widget(page).getByRole('alert').getByText(/could not be reached/).waitFor();

    await notifyBox(page).check();
    await button(page, 'Post Comment').click();
    await widget(page).getByRole('status').getByText('Your comment is posted.').waitFor();
    expect(sent.map((write) => write.body?.['notifyReplies'])).toEqual([false, false]);
    expect(storedNotifyChoices(stack.settings.dataDir).filter((row) => row.body === 'Bob posts on a flaky train.')).toEqual([
      { body: 'Bob posts on a flaky train.', notifyReplies: false, pageUrl: stack.blogUrl },
    ]);

    // The next comment is a new request: it says what the box says.
    await postComment(page, 'Bob, home at last.');
    expect(sent[2]?.body?.['notifyReplies']).toBe(true);
  });

  test('a reader logged in by email is told the mail goes to the address they log in with', async () => {
    await signInWithPopup(page, stack, { provider: 'email', email: 'carol@example.com', name: 'Carol Email' });
    const box = notifyBox(page);
    expect(await box.isChecked()).toBe(false);
    expect(await descriptionOf(box)).toBe('Sent to the address you log in with; the blog never sees it.');
    await screenshot(page, 'notify-replies-email');
  });

  describe('the link in a reply email', () => {
    /** Posts through the Comment API from a tab on the blog (which holds the tokens' DPoP keys); the comment's id. */
    async function post(tab: Page, token: string, body: string, parentId?: string): Promise<string> {
      const response = await postAs(tab, stack, token, parentId ? { body, parentId } : { body });
      expect(response.status).toBe(201);
      return ((await response.json()) as { comment: { id: string } }).comment.id;
    }

    /** The deepest reply of a chain six comments deep (past the indented levels), under the comments of the tests before. */
    let deepReplyId: string;
    const DEEP_REPLY = 'Level 5, the reply the email is about';

    beforeAll(async () => {
      // Two readers who have not posted yet in this file: each may post 5 a minute.
      const dana = await tokenFor(browser, stack, { provider: 'facebook', choose: FACEBOOK_DANA });
      const eli = await tokenFor(browser, stack, { provider: 'facebook', choose: FACEBOOK_ELI });
      const tab = await browser.context.newPage();
      try {
        await tab.goto(stack.blogUrl);
        await threadLoaded(tab);
        let parentId: string | undefined;
        for (let level = 0; level < 5; level++) parentId = await post(tab, level % 2 === 0 ? dana : eli, `Level ${level} of the chain`, parentId);
        deepReplyId = await post(tab, eli, DEEP_REPLY, parentId);
      } finally {
        await tab.close();
      }
    });

    test('opened in a new tab, it scrolls the reply into view once the thread has loaded, marks it, and focuses it', async () => {
      // Without the link, the reply is out of view: the scrolling below is the widget's doing.
      await page.reload();
      await commentWithText(page, DEEP_REPLY).waitFor();
      expect(await inView(commentWithText(page, DEEP_REPLY))).toBe(false);

      const tab = await browser.context.newPage();
      try {
        // The thread arrives only after the page has loaded (and done its own fragment scrolling).
        let pageLoaded!: () => void;
        const loaded = new Promise<void>((resolve) => (pageLoaded = resolve));
        tab.on('load', () => pageLoaded());
        await tab.route(`${stack.commentsUrl}/api/**`, async (route) => {
          if (route.request().method() === 'GET') await loaded;
          await route.continue();
        });
        await tab.goto(`${stack.blogUrl}#parley-comment-${deepReplyId}`);
        const reply = commentWithText(tab, DEEP_REPLY);
        await widget(tab).locator(`li#parley-comment-${deepReplyId} > article.highlight`).waitFor();
        await scrolledIntoView(tab, reply);
        const box = (await reply.boundingBox())!;
        expect(box.y).toBeGreaterThanOrEqual(0);
        expect(box.y + box.height).toBeLessThanOrEqual(tab.viewportSize()!.height);
        expect(await reply.evaluate((element) => element === (element.getRootNode() as ShadowRoot).activeElement)).toBe(true);
        expect(await reply.locator('.in-reply-to').innerText()).toBe('in reply to Dana Example');
        await screenshot(tab, 'notify-replies-linked-comment');
      } finally {
        await tab.close();
      }
    });

    test('followed on the page already open, it scrolls there too; with reduced motion the mark does not fade', async () => {
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await page.reload();
      const reply = commentWithText(page, DEEP_REPLY);
      await reply.waitFor();
      expect(await inView(reply)).toBe(false);
      expect(await reply.evaluate((element) => element.classList.contains('highlight'))).toBe(false);

      await page.evaluate((id) => (window.location.hash = `parley-comment-${id}`), deepReplyId);
      await widget(page).locator(`li#parley-comment-${deepReplyId} > article.highlight`).waitFor();
      await scrolledIntoView(page, reply);
      expect(await reply.evaluate((element) => getComputedStyle(element).animationTimingFunction)).toBe('steps(1)');
    });

    test('a comment posted from a linked page is sent with the page, not the link', async () => {
      await page.goto(`${stack.blogUrl}#parley-comment-${deepReplyId}`);
      await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
      const sent = recordWrites(page, stack.commentsUrl);
      await commentWithText(page, DEEP_REPLY).getByRole('button', { name: 'Reply', exact: true }).click();
      await postComment(page, 'Answering from the email link.');
      expect(sent.map((write) => write.body?.['pageUrl'])).toEqual([stack.blogUrl]);
    });

    test('a link to a comment not in this thread changes nothing', async () => {
      await page.goto(`${stack.blogUrl}#parley-comment-NoSuchComment123`);
      await threadLoaded(page);
      await commentWithText(page, DEEP_REPLY).waitFor();
      expect(await widget(page).locator('.highlight').count()).toBe(0);
      expect(await page.evaluate(() => window.scrollY)).toBe(0);
    });
  });
});

describe('reply notifications on a blog that takes guests', () => {
  let stack: ModerationStack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startModerationStack();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  test('a guest is not offered the box (there is no account to write to), and their comment says nothing about it', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(stack.blogUrls['guest-blog']);
      const guestForm = widget(page).getByRole('group', { name: 'or comment as a guest' });
      await guestForm.waitFor();
      expect(await notifyBox(page).count()).toBe(0);
      const sent = recordWrites(page, stack.commentsUrl);
      await guestForm.getByRole('textbox', { name: 'Name' }).fill('Grace Guest');
      await guestForm.getByRole('textbox', { name: /^Email/ }).fill('grace@example.com');
      await commentBox(page).fill('A guest cannot be told about replies.');
      await button(page, 'Post Comment').click();
      await widget(page).getByRole('status').getByText(/awaits approval/).waitFor();
      expect(sent.map((write) => Object.keys(write.body ?? {}).sort())).toEqual([['body', 'guest']]);
    } finally {
      await page.close();
    }
  });
});
