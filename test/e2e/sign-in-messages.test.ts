import type { Page } from 'playwright-core';
import { useBrowserStack } from './support/harness';
import { button, commentBox, screenshot, signInThroughPopup, TWITTER_ALICE, widget } from './support/widget';

let page: Page;

useBrowserStack({ openBlog: true }, (harness) => ({ page } = harness));

const STILL_SIGNING_IN = 'Finish logging in in the window that opened.';

function status(target: Page): Promise<string> {
  return widget(target).getByRole('status').first().innerText();
}

/** Clicks "Log in with Twitter" and hands back the popup it opened. */
async function openTwitterPopup(): Promise<Page> {
  const popupOpened = page.waitForEvent('popup');
  await button(page, 'Log in with Twitter').click();
  return popupOpened;
}

describe('what the widget says while and after the login window is open (issue #11, item 6)', () => {
  test('closing the window at once: the “finish in the window” message is replaced, and nothing mentions a comment that is not there', async () => {
    const popup = await openTwitterPopup();
    await popup.close();
    await widget(page).getByRole('status').getByText('The login window was closed before you finished.').waitFor();
    expect(await status(page)).not.toContain(STILL_SIGNING_IN);
    expect(await status(page)).not.toMatch(/comment/i);
    await screenshot(page, 'login-window-closed-at-once');

    // Logging in still works afterwards.
    await signInThroughPopup(page, button(page, 'Log in with Twitter'), 'twitter', (again) => again.getByRole('button', { name: TWITTER_ALICE }).click());
  });

  test('closing the window later: the status region says so (screen readers hear it), and mentions the draft when there is one', async () => {
    await commentBox(page).fill('Half a comment');
    const popup = await openTwitterPopup();
    await popup.getByRole('button', { name: TWITTER_ALICE }).waitFor();
    await widget(page).getByRole('status').getByText(STILL_SIGNING_IN).waitFor();
    await popup.close();
    await widget(page).getByRole('status').getByText('The login window was closed before you finished; your comment is kept.').waitFor();
    await screenshot(page, 'login-window-closed-with-draft');
  });

  test('cancelling the login: “your comment is kept” only when there is a comment', async () => {
    for (const draft of ['', 'Something to keep']) {
      await commentBox(page).fill(draft);
      const popup = await openTwitterPopup();
      const closed = popup.waitForEvent('close');
      await popup.getByRole('button', { name: 'Cancel, and return to app' }).click();
      // The gateway's page offers the other ways, or to give up: give up.
      await popup.getByRole('button', { name: 'Cancel', exact: true }).or(popup.getByRole('link', { name: 'Cancel', exact: true })).click();
      await closed;
      const said = widget(page).getByRole('status').getByText(/^Login was cancelled/);
      await said.waitFor();
      expect([draft, await said.innerText()]).toEqual([draft, draft === '' ? 'Login was cancelled.' : 'Login was cancelled; your comment is kept.']);
    }
    await screenshot(page, 'login-cancelled-with-draft');
  });
});
