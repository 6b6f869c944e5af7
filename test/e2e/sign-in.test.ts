import type { Page } from 'playwright-core';
import type { Browser } from './support/chromium';
import { useBrowserStack } from './support/harness';
import type { Stack } from './support/stack';
import { button, commentBox, commentingAs, FACEBOOK_DANA, postComment, screenshot, signInWithPopup, tokenInSessionStorage, TWITTER_ALICE, widget } from './support/widget';

let stack: Stack;
let browser: Browser;
let page: Page;

useBrowserStack({ openBlog: true }, (harness) => ({ stack, browser, page } = harness));

describe('the signed-out form', () => {
  test('offers the three ways to log in, a labelled comment box and Post Comment', async () => {
    for (const name of ['Log in with Email', 'Log in with Twitter', 'Log in with Facebook', 'Post Comment']) {
      expect(await button(page, name).isVisible()).toBe(true);
    }
    expect(await commentBox(page).isVisible()).toBe(true);
    await screenshot(page, 'signed-out');
  });

  test('keeps the draft and says to log in first when Post Comment is pressed', async () => {
    await commentBox(page).fill('Hello before logging in');
    await button(page, 'Post Comment').click();
    await widget(page).getByRole('alert').getByText('Log in first').waitFor();
    expect(await commentBox(page).inputValue()).toBe('Hello before logging in');
    expect(await widget(page).evaluate((host) => host.shadowRoot!.activeElement?.textContent)).toContain('Log in with Email');
  });
});

describe('signing in through the popup', () => {
  test('with Twitter', async () => {
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    expect(await widget(page).getByText('Alice Example', { exact: true }).isVisible()).toBe(true);
    expect(await button(page, 'Log Out').isVisible()).toBe(true);
    expect(await button(page, 'Change').isVisible()).toBe(true);
    expect(await button(page, 'Log in with Twitter').count()).toBe(0);
    await screenshot(page, 'signed-in');
  });

  test('with Facebook', async () => {
    await signInWithPopup(page, stack, { provider: 'facebook', choose: FACEBOOK_DANA });
    expect(await widget(page).getByText('Dana Example', { exact: true }).isVisible()).toBe(true);
  });

  test('with email, typing the mailed code into the popup', async () => {
    await signInWithPopup(page, stack, { provider: 'email', email: 'rita@example.com', name: 'Rita Reader' });
    expect(await widget(page).getByText('Rita Reader', { exact: true }).isVisible()).toBe(true);
  });

  test('on a blog of another site than the gateway, with third-party cookies blocked; the token stays in the tab, never in cookies', async () => {
    // 127.0.0.1 and localhost are different sites: the gateway is third-party to this blog.
    await page.goto(stack.blogUrlOtherSite);
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    expect(await tokenInSessionStorage(page)).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await browser.context.cookies(stack.blogUrlOtherSite)).toEqual([]);
    await postComment(page, 'Posted from another site');
    await page.reload();
    await commentingAs(page, 'twitter').waitFor();
  });
});

describe('Log Out', () => {
  test('forgets the token, and the next sign-in asks again', async () => {
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    await button(page, 'Log Out').click();
    await widget(page).getByRole('status').getByText('You are logged out.').waitFor();
    expect(await button(page, 'Log in with Twitter').isVisible()).toBe(true);
    expect(await tokenInSessionStorage(page)).toBeNull();
    await page.reload();
    await button(page, 'Log in with Twitter').waitFor();
    // The gateway still remembers Alice, but after Log Out the widget asks for a fresh sign-in
    // (prompt=login): the provider's page shows again instead of signing her straight back in.
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
  });
});

describe('Change', () => {
  test('signs in afresh with another account, through the gateway’s picker', async () => {
    await signInWithPopup(page, stack, { provider: 'twitter', choose: TWITTER_ALICE });
    await signInWithPopup(page, stack, { provider: 'facebook', choose: FACEBOOK_DANA, viaPicker: true }, button(page, 'Change'));
    await commentingAs(page, 'facebook').waitFor();
    expect(await widget(page).getByText('Dana Example', { exact: true }).isVisible()).toBe(true);
    // Alice may still appear as the author of earlier comments in the thread, but no longer signs this form.
    expect(await widget(page).getByText('You are commenting using your Twitter account').count()).toBe(0);
  });
});
