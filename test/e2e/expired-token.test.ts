import type { Page } from 'playwright-core';
import { useBrowserStack } from './support/harness';
import type { Stack } from './support/stack';
import { bodiesOnServer, expiryOf, postAs, recordPosts, refusesToken, storedDraft } from './support/comment-api';
import { button, commentBox, commentingAs, commentWithText, screenshot, signInThroughPopup, signInWithPopup, tokenInSessionStorage, TWITTER_ALICE, widget } from './support/widget';

let stack: Stack;
let page: Page;

/**
 * Tokens that run out for real: the gateway issues them for 12 s and the comment service allows
 * no clock skew, so a test can wait one out instead of pretending.
 */
const ACCESS_TOKEN_TTL_SECONDS = 12;

useBrowserStack({ openBlog: true, stack: { accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS, clockToleranceSeconds: 0 } }, (harness) => ({ stack, page } = harness));

/** Signs in with Twitter, writes `text`, and waits until the comment service refuses the token. */
async function signInAndOutlive(text: string): Promise<{ token: string; idempotencyKey: string }> {
  await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
  await commentBox(page).fill(text);
  const token = (await tokenInSessionStorage(page))!;
  await page.waitForTimeout(Math.max(0, expiryOf(token) - Date.now()) + 1000);
  expect(await refusesToken(page, stack, token)).toBe(true);
  const draft = (await storedDraft(page))!;
  expect(draft.body).toBe(text);
  return { token, idempotencyKey: draft.idempotencyKey };
}

describe('Post Comment after the token has run out (issue #11, item 4)', () => {
  test('logs in again in the popup and posts the comment once, under the draft’s Idempotency-Key, without a second click', async () => {
    const text = `Posted once after my token ran out ${Date.now()}`;
    const { idempotencyKey } = await signInAndOutlive(text);
    const sent = recordPosts(page, stack);

    // The gateway still knows this browser: the popup opens, signs in by itself and closes.
    await signInThroughPopup(page, button(page, 'Post Comment'), 'twitter', async () => undefined);
    await widget(page).getByRole('status').getByText('Your comment is posted.').waitFor();
    await commentWithText(page, text).waitFor();
    await screenshot(page, 'expired-token-posted');

    expect(sent.map((post) => [post.idempotencyKey, post.status])).toEqual([[idempotencyKey, 201]]);
    expect((await bodiesOnServer(page, stack)).filter((body) => body === text)).toHaveLength(1);
    expect(await commentBox(page).inputValue()).toBe('');

    // The service keeps that key: the same request again is answered from its record, not posted twice.
    const replay = await postAs(page, stack, (await tokenInSessionStorage(page))!, { body: text }, idempotencyKey);
    expect([replay.status, replay.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
    expect((await bodiesOnServer(page, stack)).filter((body) => body === text)).toHaveLength(1);
  });

  test('with pop-ups blocked, goes to the gateway and back, then posts the comment once', async () => {
    const text = `Posted once after a full-page sign-in ${Date.now()}`;
    const { idempotencyKey } = await signInAndOutlive(text);
    const sent = recordPosts(page, stack);
    // A blocker that refuses every new window from now on (also after the page comes back).
    await page.addInitScript(() => {
      window.open = () => null;
    });
    await page.evaluate(() => {
      window.open = () => null;
    });

    // The trip can be over before a wait for the gateway's URL starts (the gateway remembers the
    // reader and answers at once), so every page the tab shows is recorded instead.
    const visited: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) visited.push(frame.url());
    });
    await button(page, 'Post Comment').click();
    await commentingAs(page, 'twitter').waitFor();
    await widget(page).getByRole('status').getByText('Your comment is posted.').waitFor();
    await commentWithText(page, text).waitFor();
    expect(page.url()).toBe(stack.blogUrl);
    expect(visited.some((url) => url.startsWith(stack.gatewayUrl))).toBe(true);

    expect(sent.map((post) => [post.idempotencyKey, post.status])).toEqual([[idempotencyKey, 201]]);
    expect((await bodiesOnServer(page, stack)).filter((body) => body === text)).toHaveLength(1);
    // Coming back once more (Back, then Forward, or a reload) posts nothing again.
    await page.reload();
    await widget(page).getByRole('heading', { name: /Comments?$/ }).waitFor();
    await commentWithText(page, text).waitFor();
    expect(sent).toHaveLength(1);
  });
});
