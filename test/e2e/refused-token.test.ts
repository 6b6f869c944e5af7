import type { Page } from 'playwright-core';
import type { Browser } from './support/chromium';
import { useBrowserStack } from './support/harness';
import type { Stack } from './support/stack';
import { bodiesOnServer, recordPosts, revokeAsOperator, storedDraft, untilRefused } from './support/comment-api';
import { answerSignIn, button, commentBox, commentWithText, screenshot, signInThroughPopup, signInWithPopup, tokenInSessionStorage, TWITTER_ALICE, widget } from './support/widget';

let stack: Stack;
let browser: Browser;
let page: Page;

useBrowserStack({ openBlog: true }, (harness) => ({ stack, browser, page } = harness));

/** Signs in, writes `text`, then an operator revokes the commenter's tokens behind the widget's back. */
async function signInThenLoseToken(text: string): Promise<string> {
  await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
  await commentBox(page).fill(text);
  const token = (await tokenInSessionStorage(page))!;
  await revokeAsOperator(stack, token);
  // Revocations name whole seconds: a token issued in the same second counts as revoked too.
  const nextSecond = Math.ceil(Date.now() / 1000) * 1000;
  await untilRefused(page, stack, token);
  await page.waitForTimeout(Math.max(0, nextSecond - Date.now()));
  return (await storedDraft(page))!.idempotencyKey;
}

/** In the popup: signs in again if the gateway asks, or lets it finish by itself. */
async function signInAgainIfAsked(popup: Page): Promise<void> {
  const choose = popup.getByRole('button', { name: TWITTER_ALICE });
  const asked = await choose.waitFor({ timeout: 5_000 }).then(
    () => true,
    () => false,
  );
  if (asked && !popup.isClosed()) await answerSignIn(popup, stack, { provider: 'twitter', choose: TWITTER_ALICE }).catch(() => undefined);
}

describe('Post Comment when the comment service refuses the token (401)', () => {
  test('logs in again and posts the comment once, with the same Idempotency-Key, without a second click', async () => {
    const text = `Posted once after a 401 ${Date.now()}`;
    const idempotencyKey = await signInThenLoseToken(text);
    const sent = recordPosts(page, stack);

    await signInThroughPopup(page, button(page, 'Post Comment'), 'twitter', signInAgainIfAsked);
    await widget(page).getByRole('status').getByText('Your comment is posted.').waitFor();
    await commentWithText(page, text).waitFor();

    expect(sent.map((post) => [post.idempotencyKey, post.status])).toEqual([
      [idempotencyKey, 401],
      [idempotencyKey, 201],
    ]);
    expect((await bodiesOnServer(page, stack)).filter((body) => body === text)).toHaveLength(1);
  });

  test('with pop-ups blocked after the 401, stays on the page, says so, and posts once the reader logs in', async () => {
    const text = `Posted once after a 401 and a blocked window ${Date.now()}`;
    const idempotencyKey = await signInThenLoseToken(text);
    const sent = recordPosts(page, stack);
    await page.evaluate(() => {
      const open = window.open.bind(window);
      (window as unknown as { restoreOpen: () => void }).restoreOpen = () => {
        window.open = open;
      };
      window.open = () => null;
    });

    await button(page, 'Post Comment').click();
    await widget(page).getByRole('alert').getByText('Your login has expired').waitFor();
    expect(page.url()).toBe(stack.blogUrl);
    expect(await commentBox(page).inputValue()).toBe(text);
    await screenshot(page, 'refused-token-log-in-again');

    // The reader allows pop-ups and logs in again: the comment they asked to post is posted.
    await page.evaluate(() => (window as unknown as { restoreOpen: () => void }).restoreOpen());
    await signInThroughPopup(page, button(page, 'Log in with Twitter'), 'twitter', signInAgainIfAsked);
    await widget(page).getByRole('status').getByText('Your comment is posted.').waitFor();
    expect(sent.map((post) => [post.idempotencyKey, post.status])).toEqual([
      [idempotencyKey, 401],
      [idempotencyKey, 201],
    ]);
    expect((await bodiesOnServer(page, stack)).filter((body) => body === text)).toHaveLength(1);
  });

  test('a second click on Post Comment while the login window is open changes nothing: it still posts once', async () => {
    const text = `Posted once despite an impatient second click ${Date.now()}`;
    const idempotencyKey = await signInThenLoseToken(text);
    // A stranger to the gateway now: the login window will ask who they are.
    await browser.context.clearCookies();
    const sent = recordPosts(page, stack);
    await signInThroughPopup(page, button(page, 'Post Comment'), 'twitter', async (popup) => {
      await popup.getByRole('button', { name: TWITTER_ALICE }).waitFor();
      await button(page, 'Post Comment').click();
      await widget(page).getByRole('alert').getByText('finish logging in in the window that opened').waitFor();
      await screenshot(page, 'refused-token-second-click');
      await answerSignIn(popup, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    });
    await widget(page).getByRole('status').getByText('Your comment is posted.').waitFor();
    expect(sent.map((post) => [post.idempotencyKey, post.status])).toEqual([
      [idempotencyKey, 401],
      [idempotencyKey, 201],
    ]);
    expect((await bodiesOnServer(page, stack)).filter((body) => body === text)).toHaveLength(1);
  });

  test('after a blocked login window, pressing Post Comment again opens it (now inside a click) and posts once', async () => {
    const text = `Posted once by pressing Post Comment again ${Date.now()}`;
    const idempotencyKey = await signInThenLoseToken(text);
    const sent = recordPosts(page, stack);
    await page.evaluate(() => {
      const open = window.open.bind(window);
      let calls = 0;
      // A blocker that refuses windows opened without a fresh click: only the first one here.
      window.open = (...args: Parameters<typeof window.open>) => (calls++ === 0 ? null : open(...args));
    });
    await button(page, 'Post Comment').click();
    await widget(page).getByRole('alert').getByText('Your login has expired').waitFor();
    await signInThroughPopup(page, button(page, 'Post Comment'), 'twitter', signInAgainIfAsked);
    await widget(page).getByRole('status').getByText('Your comment is posted.').waitFor();
    expect(sent.map((post) => [post.idempotencyKey, post.status])).toEqual([
      [idempotencyKey, 401],
      [idempotencyKey, 201],
    ]);
    expect((await bodiesOnServer(page, stack)).filter((body) => body === text)).toHaveLength(1);
  });
});
