import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../../src/paths';
import type { Browser } from './chromium';
import type { Stack } from './stack';

export type Provider = 'email' | 'twitter' | 'facebook';
export const LABELS: Record<Provider, string> = { email: 'Email', twitter: 'Twitter', facebook: 'Facebook' };

/** Test users of the emulators (src/emulators/test-users.ts). */
export const TWITTER_ALICE = 'Sign in as Alice Example (@parley_alice)';
export const TWITTER_BOB = 'Sign in as Bob Tester (@parley_bob)';
export const FACEBOOK_DANA = 'Continue as Dana Example';
export const FACEBOOK_ELI = 'Continue as Eli Tester';

/** The widget's host element; Playwright's locators reach into its (open) shadow root. */
export function widget(page: Page): Locator {
  return page.locator('[data-parley-site]');
}

export function commentBox(page: Page): Locator {
  return widget(page).getByRole('textbox', { name: 'Comment' });
}

export function button(page: Page, name: string): Locator {
  return widget(page).getByRole('button', { name, exact: true });
}

/** Waits until the thread has loaded: its heading reads "Comments" or "N Comment(s)". */
export async function threadLoaded(page: Page): Promise<void> {
  await widget(page).getByRole('heading', { name: /^(Comments|\d+ Comments?)$/ }).waitFor();
}

/** The sentence the signed-in form shows. */
export function commentingAs(page: Page, provider: Provider): Locator {
  return widget(page).getByText(`You are commenting using your ${LABELS[provider]} account`);
}

export type PopupAnswer =
  /** `viaPicker`: the popup shows the gateway's picker first (no provider was asked for). */
  | { readonly provider: 'twitter' | 'facebook'; readonly choose: string; readonly viaPicker?: boolean }
  | { readonly provider: 'email'; readonly email: string; readonly name: string };

/** Does in the sign-in window what a commenter would: pick the test user, or type the emailed code. */
export async function answerSignIn(popup: Page, stack: Stack, answer: PopupAnswer): Promise<void> {
  if (answer.provider === 'email') {
    await popup.getByLabel('Email address').fill(answer.email);
    await popup.getByLabel('Your name, shown with your comments').fill(answer.name);
    await popup.getByRole('button', { name: 'Email me a code' }).click();
    await popup.getByLabel('6-digit code').waitFor();
    await popup.getByLabel('6-digit code').fill(await stack.mailedCode(answer.email));
    await popup.getByRole('button', { name: 'Log in', exact: true }).click();
  } else {
    if (answer.viaPicker) await popup.getByRole('link', { name: new RegExp(`^Log in with ${LABELS[answer.provider]}`) }).click();
    await popup.getByRole('button', { name: answer.choose }).click();
  }
}

/** Clicks "Log in with …" (or another control that opens the popup) and signs in there. */
export function signInWithPopup(page: Page, stack: Stack, answer: PopupAnswer, opener: Locator = button(page, `Log in with ${LABELS[answer.provider]}`)): Promise<Page> {
  return signInThroughPopup(page, opener, answer.provider, (popup) => answerSignIn(popup, stack, answer));
}

/**
 * Clicks `opener`, does `steps` in the popup it opens, and waits until the popup closes and the
 * widget says the commenter is signed in with `provider`.
 */
export async function signInThroughPopup(page: Page, opener: Locator, provider: Provider, steps: (popup: Page) => Promise<void>): Promise<Page> {
  const popupOpened = page.waitForEvent('popup');
  await opener.click();
  const popup = await popupOpened;
  // A popup that signs in silently (the gateway remembers the reader) may close before this line
  // runs; waiting for its 'close' event then would wait forever.
  const closed = popup.isClosed() ? Promise.resolve() : popup.waitForEvent('close');
  const trail: string[] = [];
  popup.on('framenavigated', (frame) => {
    if (frame === popup.mainFrame()) trail.push(frame.url());
  });
  await steps(popup);
  await closed.catch(async (error: Error) => {
    // Closed after all, between the wait's start and its registration: what this helper waits for.
    if (popup.isClosed()) return;
    const text = popup.isClosed() ? '(closed)' : await popup.locator('body').innerText().catch(() => '?');
    throw new Error(`the sign-in window did not close: ${error.message}\nit went through:\n  ${trail.join('\n  ')}\nand shows:\n${text}`);
  });
  await commentingAs(page, provider).waitFor();
  return popup;
}

/** Types and posts a comment (top-level, or into the reply form that is open). */
export async function postComment(page: Page, text: string): Promise<void> {
  await commentBox(page).fill(text);
  await button(page, 'Post Comment').click();
  await widget(page).getByRole('status').getByText('Your comment is posted.').waitFor();
}

/** The comment whose body is exactly `text`. */
export function commentWithText(page: Page, text: string): Locator {
  return widget(page).locator('li.comment > article').filter({ has: page.locator('.body', { hasText: text }) });
}

/** The access token the widget keeps in the tab's sessionStorage, or null. */
export async function tokenInSessionStorage(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    for (let i = 0; i < sessionStorage.length; i++) {
      const key = sessionStorage.key(i)!;
      if (key.startsWith('parley.token:')) return sessionStorage.getItem(key);
    }
    return null;
  });
}

const SCREENSHOT_DIR = path.join(PROJECT_ROOT, 'test-results', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Signs in as someone in a tab of their own (then closed, cookies cleared) and hands back the access token. */
export async function tokenFor(browser: Browser, stack: Stack, answer: PopupAnswer): Promise<string> {
  const tab = await browser.context.newPage();
  try {
    await tab.goto(stack.blogUrl);
    await threadLoaded(tab);
    await signInWithPopup(tab, stack, answer);
    return (await tokenInSessionStorage(tab))!;
  } finally {
    await tab.close();
    await browser.context.clearCookies();
  }
}

/** The focused element inside the widget's shadow root: its id, else its text, else its tag. */
export function focusedInWidget(page: Page): Promise<string> {
  return widget(page).evaluate((host) => {
    const active = host.shadowRoot!.activeElement;
    return active ? active.id || active.textContent || active.tagName : '';
  });
}
