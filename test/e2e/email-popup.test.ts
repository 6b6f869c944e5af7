import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from './support/chromium';
import { useBrowserStack } from './support/harness';
import type { Stack } from './support/stack';
import { button, commentingAs, screenshot, widget } from './support/widget';

let stack: Stack;
let browser: Browser;
let page: Page;

useBrowserStack({ openBlog: true }, (harness) => ({ stack, browser, page } = harness));

/** Every message mailed to an address, newest first. */
async function mailTo(to: string): Promise<Array<{ text: string }>> {
  const response = await fetch(`${stack.gatewayUrl}/dev/mailbox?to=${encodeURIComponent(to)}`);
  return ((await response.json()) as { messages: Array<{ text: string }> }).messages;
}

async function mailedLink(to: string): Promise<string> {
  const [message] = await mailTo(to);
  const link = /^(http\S+\/email\/confirm\?token=\S+)$/m.exec(message?.text ?? '')?.[1];
  if (!link) throw new Error(`no link mailed to ${to}`);
  return link;
}

/** Clicks "Log in with Email" on the blog and asks for a code in the popup it opens. */
async function emailPopup(email: string, name: string, from: Page = page): Promise<Page> {
  const opened = from.waitForEvent('popup');
  await button(from, 'Log in with Email').click();
  const popup = await opened;
  await popup.getByLabel('Email address').fill(email);
  await popup.getByLabel('Your name, shown with your comments').fill(name);
  await popup.getByRole('button', { name: 'Email me a code' }).click();
  await popup.getByRole('heading', { name: 'Check your email' }).waitFor();
  return popup;
}

function codeField(popup: Page) {
  return popup.getByRole('textbox', { name: '6-digit code' });
}

/** Types the code, presses Log in, and waits for the popup to close and the widget to sign in. */
async function logInWithCode(popup: Page, code: string): Promise<void> {
  const closed = popup.waitForEvent('close');
  await codeField(popup).fill(code);
  await popup.getByRole('button', { name: 'Log in', exact: true }).click();
  await closed;
  await commentingAs(page, 'email').waitFor();
}

describe('"I opened the link, continue" pressed too early (issue #11, item 5)', () => {
  test('keeps the code page and its code field, says in one sentence that the link has not been opened, and the code still works', async () => {
    const popup = await emailPopup('early@example.org', 'Early Bird');
    await popup.getByRole('button', { name: 'I opened the link, continue' }).click();
    await popup.getByText('The link has not been opened yet').waitFor();
    expect(await popup.getByRole('heading', { level: 1 }).innerText()).toBe('Check your email');
    expect(await codeField(popup).isVisible()).toBe(true);
    expect(await popup.getByLabel('Email address').count()).toBe(0);
    const said = await popup.getByRole('alert').innerText();
    expect(said.trim().match(/[.!?](\s|$)/g)).toHaveLength(1);
    await screenshot(popup, 'popup-link-not-opened');
    await logInWithCode(popup, await stack.mailedCode('early@example.org'));
  });
});

describe('Send a new code (issue #11, item 5)', () => {
  test('mails a new code, says so with the address masked, and only the newest code works, resent twice', async () => {
    const popup = await emailPopup('resend@example.org', 'Rose Resend');
    const codes = [await stack.mailedCode('resend@example.org')];
    for (let round = 1; round <= 2; round++) {
      await popup.getByRole('button', { name: 'Send a new code' }).click();
      await popup.getByText('We sent a new code to r•••••@example.org').waitFor();
      expect(await mailTo('resend@example.org')).toHaveLength(round + 1);
      codes.push(await stack.mailedCode('resend@example.org'));
    }
    await screenshot(popup, 'popup-new-code-sent');
    for (const old of codes.slice(0, 2).filter((code) => code !== codes[2])) {
      await codeField(popup).fill(old);
      await popup.getByRole('button', { name: 'Log in', exact: true }).click();
      await popup.getByText('That code is not right').waitFor();
    }
    await logInWithCode(popup, codes[2]!);
  });

  test('in one of two popups, leaves the other popup’s code working', async () => {
    const first = await emailPopup('first-popup@example.org', 'First Popup');
    const other = await browser.context.newPage();
    await other.goto(stack.blogUrl);
    await widget(other).getByRole('heading', { name: 'Leave a Reply' }).waitFor();
    const second = await emailPopup('second-popup@example.org', 'Second Popup', other);
    const secondCode = await stack.mailedCode('second-popup@example.org');

    await first.getByRole('button', { name: 'Send a new code' }).click();
    await first.getByText('We sent a new code to f•••••@example.org').waitFor();

    const secondClosed = second.waitForEvent('close');
    await codeField(second).fill(secondCode);
    await second.getByRole('button', { name: 'Log in', exact: true }).click();
    await secondClosed;
    await commentingAs(other, 'email').waitFor();
    await other.close();
    await logInWithCode(first, await stack.mailedCode('first-popup@example.org'));
  });

  test('makes the old link useless, in this browser as in another', async () => {
    const popup = await emailPopup('old-link@example.org', 'Old Link');
    const oldLink = await mailedLink('old-link@example.org');
    await popup.getByRole('button', { name: 'Send a new code' }).click();
    await popup.getByText('We sent a new code to o•••••@example.org').waitFor();
    const tab = await browser.context.newPage();
    await tab.goto(oldLink);
    await tab.getByRole('heading', { name: 'This link can no longer be used' }).waitFor();
    await tab.close();
    await logInWithCode(popup, await stack.mailedCode('old-link@example.org'));
  });
});

describe('a pasted code (issue #11, item 5)', () => {
  test.each([
    ['a space', 'paste-space@example.org', (code: string) => `${code.slice(0, 3)} ${code.slice(3)}`],
    ['a dash', 'paste-dash@example.org', (code: string) => `${code.slice(0, 3)}-${code.slice(3)}`],
  ])('with %s in it is kept whole and accepted', async (_separator, address, format) => {
    const popup = await emailPopup(address, 'Pat Paste');
    const pasted = format(await stack.mailedCode(address));
    await codeField(popup).focus();
    // What a paste does: the whole text goes in as one edit (maxlength applies to it).
    await popup.keyboard.insertText(pasted);
    expect(await codeField(popup).inputValue()).toBe(pasted);
    expect(await codeField(popup).getAttribute('inputmode')).toBe('numeric');
    expect(await codeField(popup).getAttribute('autocomplete')).toBe('one-time-code');
    const closed = popup.waitForEvent('close');
    await popup.getByRole('button', { name: 'Log in', exact: true }).click();
    await closed;
    await commentingAs(page, 'email').waitFor();
  });
});

describe('the tab the emailed link opens (issue #11, item 5)', () => {
  test('says to go back to the log-in window while a name is still to be chosen there, not that the reader is logged in', async () => {
    const popup = await emailPopup('nameless-link@example.org', '');
    const tab = await browser.context.newPage();
    await tab.goto(await mailedLink('nameless-link@example.org'));
    await tab.getByRole('button', { name: 'Log in', exact: true }).click();
    const heading = await tab.getByRole('heading', { level: 1 }).innerText();
    expect(heading).not.toMatch(/logged in|signed in/i);
    await tab.getByText(/Go back to the window where you started/).waitFor();
    expect(await tab.locator('main').innerText()).toMatch(/choose the name/i);
    await screenshot(tab, 'link-tab-finish-in-popup');
    await tab.close();

    // The popup moved on by itself, to the name.
    await popup.getByRole('heading', { name: 'Choose your name' }).waitFor();
    const closed = popup.waitForEvent('close');
    await popup.getByLabel('Your name').fill('Named Later');
    await popup.getByRole('button', { name: 'Continue' }).click();
    await closed;
    await commentingAs(page, 'email').waitFor();
  });

  test('says the reader is logged in when the log-in window has nothing left to ask', async () => {
    const popup = await emailPopup('named-link@example.org', 'Named Now');
    const closed = popup.waitForEvent('close');
    const tab = await browser.context.newPage();
    await tab.goto(await mailedLink('named-link@example.org'));
    await tab.getByRole('button', { name: 'Log in', exact: true }).click();
    await tab.getByRole('heading', { name: 'You are logged in' }).waitFor();
    await screenshot(tab, 'link-tab-logged-in');
    await tab.close();
    await closed;
    await commentingAs(page, 'email').waitFor();
  });
});

describe('other paths a stranger takes in the email popup', () => {
  test('the link opened in another browser says to finish where the log-in started, and the code still works there', async () => {
    const popup = await emailPopup('two-browsers@example.org', 'Two Browsers');
    const elsewhere = await launchChromium();
    try {
      const tab = await elsewhere.context.newPage();
      await tab.goto(await mailedLink('two-browsers@example.org'));
      await tab.getByText('You are logging in as t•••••@example.org').waitFor();
      await tab.getByRole('button', { name: 'Log in', exact: true }).click();
      await tab.getByRole('heading', { name: 'Finish where you started' }).waitFor();
      expect(await tab.getByRole('banner').innerText()).toContain('Demo Blog');
      await screenshot(tab, 'link-tab-other-browser');
    } finally {
      await elsewhere.close();
    }
    await logInWithCode(popup, await stack.mailedCode('two-browsers@example.org'));
  });

  test('Back from the name page to the code page leads to the name again', async () => {
    const popup = await emailPopup('back-to-code@example.org', '');
    await codeField(popup).fill(await stack.mailedCode('back-to-code@example.org'));
    await popup.getByRole('button', { name: 'Log in', exact: true }).click();
    await popup.getByRole('heading', { name: 'Choose your name' }).waitFor();
    await popup.goBack();
    await popup.getByRole('heading', { name: 'Choose your name' }).waitFor();
    const closed = popup.waitForEvent('close');
    await popup.getByLabel('Your name').fill('Back Again');
    await popup.getByRole('button', { name: 'Continue' }).click();
    await closed;
    await commentingAs(page, 'email').waitFor();
  });

  test('Cancel on the code page closes the popup, and the widget says the log-in was cancelled', async () => {
    const popup = await emailPopup('cancel-code@example.org', 'Cancel Code');
    const closed = popup.waitForEvent('close');
    await popup.getByRole('button', { name: 'Cancel', exact: true }).click();
    await closed;
    await widget(page).getByRole('status').getByText(/cancel/i).waitFor();
    expect(await button(page, 'Log in with Email').isVisible()).toBe(true);
  });

  test('a page of a log-in the popup no longer holds offers to close the window, which closes it', async () => {
    const opened = page.waitForEvent('popup');
    await button(page, 'Log in with Email').click();
    const popup = await opened;
    await popup.goto(`${stack.gatewayUrl}/interaction/no-longer-held`);
    await popup.getByRole('heading', { name: 'This log-in has expired' }).waitFor();
    const closed = popup.waitForEvent('close');
    await popup.getByRole('button', { name: 'Close this window' }).click();
    await closed;
  });
});
