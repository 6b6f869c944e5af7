import type { Page } from 'playwright-core';
import { useBrowserStack } from './support/harness';
import type { Stack } from './support/stack';
import { answerSignIn, button, commentingAs, FACEBOOK_DANA, screenshot, signInThroughPopup, widget } from './support/widget';

let stack: Stack;
let page: Page;

useBrowserStack({ openBlog: true }, (harness) => ({ stack, page } = harness));

/** Issue #11, item 1: the method chosen in the popup wins over the one the widget asked for. */
describe('changing one’s mind in the sign-in popup', () => {
  test('"Log in with Email" → "Other ways to log in" → Facebook signs in with Facebook', async () => {
    await signInThroughPopup(page, button(page, 'Log in with Email'), 'facebook', async (popup) => {
      await popup.getByRole('heading', { name: 'Log in with email' }).waitFor();
      await popup.getByRole('link', { name: 'Other ways to log in' }).click();
      await answerSignIn(popup, stack, { provider: 'facebook', choose: FACEBOOK_DANA, viaPicker: true });
    });
    expect(await widget(page).getByText('Dana Example', { exact: true }).isVisible()).toBe(true);
    await screenshot(page, 'change-of-mind-email-to-facebook');
  });

  test('"Log in with Twitter" → Cancel at Twitter → Facebook signs in with Facebook', async () => {
    await signInThroughPopup(page, button(page, 'Log in with Twitter'), 'facebook', async (popup) => {
      await popup.getByRole('button', { name: 'Cancel, and return to app' }).click();
      await popup.getByText('You cancelled logging in with Twitter').waitFor();
      await answerSignIn(popup, stack, { provider: 'facebook', choose: FACEBOOK_DANA, viaPicker: true });
    });
    expect(await commentingAs(page, 'twitter').count()).toBe(0);
    await screenshot(page, 'change-of-mind-twitter-to-facebook');
  });

  test('"Log in with Email" → "Other ways" → Twitter, then Back to the picker → Facebook signs in with Facebook', async () => {
    await signInThroughPopup(page, button(page, 'Log in with Email'), 'facebook', async (popup) => {
      await popup.getByRole('link', { name: 'Other ways to log in' }).click();
      await popup.getByRole('link', { name: /^Log in with Twitter/ }).click();
      await popup.getByRole('button', { name: 'Cancel, and return to app' }).waitFor();
      await popup.goBack();
      await answerSignIn(popup, stack, { provider: 'facebook', choose: FACEBOOK_DANA, viaPicker: true });
    });
  });
});
