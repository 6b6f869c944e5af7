import type { Page } from 'playwright-core';
import { useBrowserStack } from './support/harness';
import type { Stack } from './support/stack';
import { button, commentBox, commentingAs, FACEBOOK_DANA, screenshot, threadLoaded, widget } from './support/widget';

let stack: Stack;
let page: Page;

useBrowserStack({ openBlog: false }, (harness) => ({ stack, page } = harness));

/** The blog with pop-ups blocked: the widget signs in by full-page redirect. */
async function openBlogWithoutPopups(): Promise<void> {
  await page.addInitScript(() => {
    window.open = () => null;
  });
  await page.goto(stack.blogUrl);
  await threadLoaded(page);
}

function backToThePost(target: Page = page) {
  return target.getByRole('button', { name: 'Back to the post' }).or(target.getByRole('link', { name: 'Back to the post' }));
}

/** The widget's words after a cancelled sign-in (its exact wording is the widget's). */
async function widgetSaysCancelled(): Promise<void> {
  await widget(page).getByRole('status').getByText(/cancel/i).waitFor();
}

async function askForCode(email: string, name: string): Promise<void> {
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Your name, shown with your comments').fill(name);
  await page.getByRole('button', { name: 'Email me a code' }).click();
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
}

describe('a full-page log-in (pop-ups blocked) offers a way back to the post (issue #11, item 5)', () => {
  test('on the address, code and name pages; it returns to the post, which says the log-in was cancelled and keeps the draft', async () => {
    await openBlogWithoutPopups();
    await commentBox(page).fill('My draft, kept through a cancelled log-in');
    await button(page, 'Log in with Email').click();
    await page.getByRole('heading', { name: 'Log in with email' }).waitFor();
    expect(await backToThePost().isVisible()).toBe(true);
    await screenshot(page, 'redirect-email-form');

    await askForCode('way-back@example.org', '');
    expect(await backToThePost().isVisible()).toBe(true);
    await page.getByRole('textbox', { name: '6-digit code' }).fill(await stack.mailedCode('way-back@example.org'));
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByRole('heading', { name: 'Choose your name' }).waitFor();
    expect(await backToThePost().isVisible()).toBe(true);
    await screenshot(page, 'redirect-name-page');

    await backToThePost().click();
    await page.waitForURL((url) => url.href.startsWith(stack.blogUrl));
    await threadLoaded(page);
    await widgetSaysCancelled();
    expect(await commentBox(page).inputValue()).toBe('My draft, kept through a cancelled log-in');
    expect(await button(page, 'Log in with Email').isVisible()).toBe(true);
  });

  test('on the picker after cancelling at Twitter', async () => {
    await openBlogWithoutPopups();
    await button(page, 'Log in with Twitter').click();
    await page.getByRole('button', { name: 'Cancel, and return to app' }).click();
    await page.getByText('You cancelled logging in with Twitter').waitFor();
    await screenshot(page, 'redirect-picker-after-cancel');
    await backToThePost().click();
    await page.waitForURL((url) => url.href.startsWith(stack.blogUrl));
    await widgetSaysCancelled();
  });
});

describe('Back after a full-page log-in returned to the post (issue #11, item 5)', () => {
  test('shows, not a stale form, that the log-in has finished, with a way back to the post', async () => {
    await openBlogWithoutPopups();
    await button(page, 'Log in with Email').click();
    await askForCode('went-back@example.org', 'Wendy Back');
    await page.getByRole('textbox', { name: '6-digit code' }).fill(await stack.mailedCode('went-back@example.org'));
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.waitForURL((url) => url.href.startsWith(stack.blogUrl));
    await commentingAs(page, 'email').waitFor();

    for (let step = 1; step <= 2; step++) {
      await page.goBack();
      await page.getByRole('heading', { name: 'This log-in has finished' }).waitFor();
      expect(await page.getByRole('textbox').count()).toBe(0);
      expect(await backToThePost().isVisible()).toBe(true);
      // Fetched afresh, never restored from the back/forward cache with the old form.
      expect(await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).type)).toBe('back_forward');
    }
    await screenshot(page, 'redirect-finished');
    await backToThePost().click();
    await page.waitForURL((url) => url.href.startsWith(stack.blogUrl));
    await commentingAs(page, 'email').waitFor();
  });

  test('and on through Facebook’s page again, shows our finished page, not a dead end', async () => {
    await openBlogWithoutPopups();
    await button(page, 'Log in with Facebook').click();
    await page.getByRole('button', { name: FACEBOOK_DANA }).click();
    await page.waitForURL((url) => url.href.startsWith(stack.blogUrl));
    await commentingAs(page, 'facebook').waitFor();
    await page.goBack();
    await page.getByRole('button', { name: FACEBOOK_DANA }).click();
    await page.getByRole('heading', { name: 'This log-in has finished' }).waitFor();
    await backToThePost().click();
    await page.waitForURL((url) => url.href.startsWith(stack.blogUrl));
    await commentingAs(page, 'facebook').waitFor();
  });
});

describe('a log-in page this browser no longer holds (issue #11, item 5)', () => {
  test('says the log-in has expired and what to do, never a raw error', async () => {
    const response = await page.goto(`${stack.gatewayUrl}/interaction/no-such-interaction`);
    expect(response!.status()).toBeLessThan(500);
    await page.getByRole('heading', { name: 'This log-in has expired' }).waitFor();
    expect(await page.locator('main').innerText()).toMatch(/blog/);
    await screenshot(page, 'expired-interaction');
  });
});
