import type { Page, Route } from 'playwright-core';
import { useBrowserStack } from './support/harness';
import { SITE_ID, type Stack } from './support/stack';
import { answerSignIn, button, screenshot, commentBox, commentingAs, commentWithText, postComment, signInThroughPopup, signInWithPopup, threadLoaded, TWITTER_ALICE, widget } from './support/widget';

let stack: Stack;
let page: Page;

useBrowserStack({ openBlog: false }, (harness) => ({ stack, page } = harness));

/** A token-shaped string the widget will read (it checks no signature; the comment service does). */
function unsignedToken(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'at+jwt', kid: 'nope' })}.${part(claims)}.c2lnbmF0dXJl`;
}

/** Opens the blog as a tab that already holds a token (as after an earlier sign-in). */
async function openWithToken(token: string): Promise<void> {
  await page.addInitScript(
    (entry: { key: string; token: string }) => sessionStorage.setItem(entry.key, entry.token),
    { key: `parley.token:${stack.gatewayUrl}:${SITE_ID}`, token },
  );
  await page.goto(stack.blogUrl);
  await threadLoaded(page);
}

function alertText(target: Page): Promise<string> {
  return widget(target).getByRole('alert').innerText();
}

describe('an expired sign-in', () => {
  test('refused by the comment service (401): the draft stays, a login window opens, and logging in posts it once', async () => {
    await openWithToken(unsignedToken({ name: 'Alice Example', idp: 'twitter', exp: Math.floor(Date.now() / 1000) + 600 }));
    await commentingAs(page, 'twitter').waitFor();
    await commentBox(page).fill('Written before my sign-in ran out');
    await signInThroughPopup(page, button(page, 'Post Comment'), 'twitter', async (popup) => {
      await widget(page).getByRole('alert').getByText('Your login has expired').waitFor();
      expect(await commentBox(page).inputValue()).toBe('Written before my sign-in ran out');
      await answerSignIn(popup, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    });
    await widget(page).getByRole('status').getByText('Your comment is posted.').waitFor();
    expect(await commentWithText(page, 'Written before my sign-in ran out').isVisible()).toBe(true);
  });

  test('past its exp while the page is open: Post Comment opens a fresh sign-in right away, then posts the draft', async () => {
    // Treated as expired 30 s before exp: this one runs out two seconds after loading.
    await openWithToken(unsignedToken({ name: 'Alice Example', idp: 'twitter', exp: Math.floor(Date.now() / 1000) + 32 }));
    await commentingAs(page, 'twitter').waitFor();
    await commentBox(page).fill('Kept across the renewal');
    await page.waitForTimeout(2500);
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE }, button(page, 'Post Comment'));
    await widget(page).getByRole('status').getByText('Your comment is posted.').waitFor();
    expect(await commentWithText(page, 'Kept across the renewal').isVisible()).toBe(true);
  });

  test('already expired when the page loads: shown as signed out', async () => {
    await openWithToken(unsignedToken({ name: 'Alice Example', idp: 'twitter', exp: Math.floor(Date.now() / 1000) - 60 }));
    expect(await button(page, 'Log in with Twitter').isVisible()).toBe(true);
    expect(await commentingAs(page, 'twitter').count()).toBe(0);
  });
});

describe('when posting fails', () => {
  test('each failure says what happened in plain words and keeps the draft; a retry reuses the Idempotency-Key', async () => {
    await page.goto(stack.blogUrl);
    await threadLoaded(page);
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });

    const keys: string[] = [];
    const answers: Array<(route: Route) => Promise<void>> = [];
    const cors = { 'access-control-allow-origin': new URL(stack.blogUrl).origin, 'access-control-expose-headers': 'Retry-After' };
    const fail = (status: number, body: object, headers: Record<string, string> = {}) => (route: Route) =>
      route.fulfill({ status, headers: { ...cors, ...headers }, contentType: 'application/json', body: JSON.stringify(body) });
    await page.route(`${stack.commentsUrl}/api/**`, async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      keys.push((await route.request().allHeaders())['idempotency-key'] ?? '');
      const answer = answers.shift();
      return answer ? answer(route) : route.fallback();
    });

    const cases: Array<[string, (route: Route) => Promise<void>, RegExp]> = [
      ['429', fail(429, { error: 'rate_limited', message: 'Slow down.' }, { 'retry-after': '30' }), /commenting too fast: wait 30 seconds/],
      ['503', fail(503, { error: 'unavailable', message: 'Down for maintenance.' }), /comment server had a problem \(error 503\)/],
      ['offline', (route) => route.abort('internetdisconnected'), /could not be reached: check your connection/],
      ['403', fail(403, { error: 'banned', message: 'This commenter is banned.' }), /cannot comment here: This commenter is banned\./],
      ['422', fail(422, { error: 'invalid_comment', message: 'The comment contains no text.' }), /not accepted: The comment contains no text\./],
    ];
    await commentBox(page).fill('Third time lucky');
    for (const [name, answer, message] of cases) {
      answers.push(answer);
      await button(page, 'Post Comment').click();
      await widget(page).getByRole('alert').getByText(message).waitFor();
      expect([name, await commentBox(page).inputValue()]).toEqual([name, 'Third time lucky']);
      if (name === '429') await screenshot(page, 'post-failed');
    }
    // Then the service answers for real: the comment is posted once, under the same key.
    await button(page, 'Post Comment').click();
    await widget(page).getByRole('status').getByText('Your comment is posted.').waitFor();
    expect(await alertText(page)).toBe('');
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[\w-]{16,}$/);

    // A new draft gets a new key.
    await postComment(page, 'Another comment');
    expect(keys[keys.length - 1]).not.toBe(keys[0]);
  });
});
