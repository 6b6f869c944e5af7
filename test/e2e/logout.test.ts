import type { Page } from 'playwright-core';
import type { Browser } from './support/chromium';
import { authorizationFor, boundKeyOf, holdPageKey } from './support/dpop';
import { useBrowserStack } from './support/harness';
import { SITE_ID, type Stack } from './support/stack';
import { button, commentingAs, postComment, screenshot, signInWithPopup, tokenInSessionStorage, widget } from './support/widget';

let stack: Stack;
let browser: Browser;
let page: Page;

useBrowserStack({ openBlog: true }, (harness) => ({ stack, browser, page } = harness));

/** How long the comment service may keep accepting a revoked token (DESIGN.md, Revocation). */
const REVOCATION_DEADLINE_MS = 5_000;

/**
 * Posts with a token straight to the comment service, as anyone holding the old token could; a
 * DPoP-bound token with a proof from its own key (see `keepKeyOf`), so a 401 means revoked.
 */
async function postWith(token: string): Promise<number> {
  const post = await widget(page).getAttribute('data-parley-post');
  const url = `${stack.commentsUrl}/api/sites/${SITE_ID}/posts/${post!}/comments`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...(await authorizationFor(page, token, 'POST', url)), 'content-type': 'application/json' },
    body: JSON.stringify({ body: `Posted with an old token at ${Date.now()}` }),
  });
  return response.status;
}

/** Keeps the page's key for a bound token in the page, so proofs can still be made after Log Out deletes it. */
async function keepKeyOf(token: string): Promise<void> {
  const thumbprint = boundKeyOf(token);
  if (thumbprint !== undefined) await holdPageKey(page, thumbprint);
}

/** Keeps posting with the token until it is refused or the deadline passes; the last status. */
async function statusWithinDeadline(token: string): Promise<number> {
  const startedAt = Date.now();
  let status = await postWith(token);
  while (status !== 401 && Date.now() - startedAt < REVOCATION_DEADLINE_MS) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    status = await postWith(token);
  }
  return status;
}

describe('Log Out on a shared computer (issue #11, item 2)', () => {
  test('ends the sign-in on this browser: a new tab asks for the email again, and the old token is refused within 5 s', async () => {
    await signInWithPopup(page, stack, { provider: 'email', email: 'shared@example.com', name: 'Sam Shared' });
    await postComment(page, 'Before logging out');
    const oldToken = (await tokenInSessionStorage(page))!;
    expect(oldToken).toMatch(/^ey/);
    await keepKeyOf(oldToken);

    const popupOpened = page.waitForEvent('popup');
    const revoked = page.waitForResponse((response) => response.url().endsWith('/token/revocation') && response.request().method() === 'POST');
    await button(page, 'Log Out').click();
    // The widget signs out at once, without waiting for the window.
    await button(page, 'Log in with Email').waitFor();
    expect(await tokenInSessionStorage(page)).toBeNull();
    await widget(page).getByRole('status').getByText('You are logged out.').waitFor();
    await screenshot(page, 'logged-out-widget');
    expect((await revoked).status()).toBe(200);

    const popup = await popupOpened;
    await popup.getByRole('heading', { name: 'Log out of comments on this browser?' }).waitFor();
    await screenshot(popup, 'logout-popup');
    const closed = popup.waitForEvent('close');
    await popup.getByRole('button', { name: 'Log out', exact: true }).click();
    await popup.getByRole('heading', { name: 'You are logged out of comments on this browser' }).waitFor().catch(() => undefined);
    await closed;

    expect(await statusWithinDeadline(oldToken)).toBe(401);

    // The next person opens the post in a new tab: "Log in with Email" asks who they are.
    const next = await browser.context.newPage();
    try {
      await next.goto(stack.blogUrl);
      const nextPopupOpened = next.waitForEvent('popup');
      await widget(next).getByRole('button', { name: 'Log in with Email', exact: true }).click();
      const nextPopup = await nextPopupOpened;
      await nextPopup.getByLabel('Email address').waitFor();
      expect(nextPopup.url()).toMatch(/\/interaction\//);
      // Sam's comments stay in the thread, but nobody signs this form as Sam.
      expect(await commentingAs(next, 'email').count()).toBe(0);
      // The gateway's account page in that browser is signed out too.
      const account = await browser.context.newPage();
      await account.goto(`${stack.gatewayUrl}/account`);
      await account.getByText('You are not logged in on this browser.').waitFor();
      await account.close();
      await nextPopup.close();
    } finally {
      await next.close();
    }
  });

  test('with pop-ups blocked, still revokes the token, signs out and says so plainly', async () => {
    await signInWithPopup(page, stack, { provider: 'email', email: 'blocked@example.com', name: 'Bea Blocked' });
    const oldToken = (await tokenInSessionStorage(page))!;
    await keepKeyOf(oldToken);
    // A blocker that refuses every new window from now on.
    await page.evaluate(() => {
      window.open = () => null;
    });
    const revoked = page.waitForResponse((response) => response.url().endsWith('/token/revocation') && response.request().method() === 'POST');
    await button(page, 'Log Out').click();
    await button(page, 'Log in with Email').waitFor();
    await widget(page).getByRole('status').getByText('comment tokens no longer work').waitFor();
    expect(await tokenInSessionStorage(page)).toBeNull();
    expect((await revoked).status()).toBe(200);
    await screenshot(page, 'logged-out-widget-popup-blocked');

    expect(await statusWithinDeadline(oldToken)).toBe(401);
  });
});
