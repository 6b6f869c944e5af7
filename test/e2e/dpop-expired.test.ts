import type { Page } from 'playwright-core';
import type { Browser } from './support/chromium';
import { useBrowserStack } from './support/harness';
import type { Stack } from './support/stack';
import { bodiesOnServer, expiryOf, recordPosts, storedDraft } from './support/comment-api';
import { boundKeyOf, pageKeepsKey, proofHeaderOf, thumbprintOf, until } from './support/dpop';
import { button, commentBox, commentWithText, signInThroughPopup, signInWithPopup, tokenInSessionStorage, TWITTER_ALICE, widget } from './support/widget';

let stack: Stack;
let browser: Browser;
let page: Page;

/** Tokens that run out for real (see expired-token.test.ts): 12 s, and no clock skew allowed. */
const ACCESS_TOKEN_TTL_SECONDS = 12;

useBrowserStack({ openBlog: true, stack: { accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS, clockToleranceSeconds: 0 } }, (harness) => ({ stack, browser, page } = harness));

describe('A DPoP-bound token that runs out', () => {
  test('Post Comment logs in again with a new key, posts once with it, and the old key is deleted', async () => {
    const text = `Posted once with a new key after the token ran out ${Date.now()}`;
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    await commentBox(page).fill(text);
    const oldToken = (await tokenInSessionStorage(page))!;
    const oldKey = boundKeyOf(oldToken)!;
    expect(oldKey).toBeDefined();
    expect(await pageKeepsKey(page, oldKey)).toBe(true);
    await page.waitForTimeout(Math.max(0, expiryOf(oldToken) - Date.now()) + 1000);
    const idempotencyKey = (await storedDraft(page))!.idempotencyKey;

    const sent = recordPosts(page, stack);
    const proofs: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().startsWith(`${stack.commentsUrl}/api/`)) proofs.push(request.headers()['dpop'] ?? '');
    });
    // The gateway still knows this browser: the popup opens, signs in by itself and closes.
    await signInThroughPopup(page, button(page, 'Post Comment'), 'twitter', async () => undefined);
    await widget(page).getByRole('status').getByText('Your comment is posted.').waitFor();
    await commentWithText(page, text).waitFor();

    expect(sent.map((post) => [post.idempotencyKey, post.status])).toEqual([[idempotencyKey, 201]]);
    expect((await bodiesOnServer(page, stack)).filter((body) => body === text)).toHaveLength(1);
    const newKey = boundKeyOf((await tokenInSessionStorage(page))!)!;
    expect(newKey).toBeDefined();
    expect(newKey).not.toBe(oldKey);
    expect(thumbprintOf(proofHeaderOf(proofs[0]!).jwk)).toBe(newKey);
    expect(await pageKeepsKey(page, oldKey)).toBe(false);
    expect(await pageKeepsKey(page, newKey)).toBe(true);
  });

  test('a reload after the token ran out shows the reader logged out and leaves no key behind', async () => {
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    const token = (await tokenInSessionStorage(page))!;
    const key = boundKeyOf(token)!;
    await page.waitForTimeout(Math.max(0, expiryOf(token) - Date.now()) + 1000);
    await page.reload();
    await button(page, 'Log in with Twitter').waitFor();
    expect(await tokenInSessionStorage(page)).toBeNull();
    await until(async () => !(await pageKeepsKey(page, key)), 'the run-out token’s key is deleted');
  });

  test('a tab closed without Log Out leaves its key behind only until its token runs out: the next login deletes it', async () => {
    const tab = await browser.context.newPage();
    await tab.goto(stack.blogUrl);
    await signInWithPopup(tab, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    const closedTabToken = (await tokenInSessionStorage(tab))!;
    const closedTabKey = boundKeyOf(closedTabToken)!;
    await tab.close();
    expect(await pageKeepsKey(page, closedTabKey)).toBe(true);

    await page.waitForTimeout(Math.max(0, expiryOf(closedTabToken) - Date.now()) + 1000);
    await signInThroughPopup(page, button(page, 'Log in with Twitter'), 'twitter', async () => undefined);
    expect(await pageKeepsKey(page, closedTabKey)).toBe(false);
    expect(await pageKeepsKey(page, boundKeyOf((await tokenInSessionStorage(page))!)!)).toBe(true);
  });
});
