/**
 * Pages of the Twitter emulator's oauth/authenticate (and oauth/authorize) endpoint: the
 * sign-in page where a person or a test picks a test user or cancels, and Twitter's own
 * wording for the dead ends ("Whoa there!" for a bad request token).
 */
import { html, type Page } from './html';
import type { TwitterTestUser } from './test-users';

export interface AuthorizePageInput {
  /** Path the form posts back to (the same authenticate/authorize URL). */
  readonly action: string;
  readonly oauthToken: string;
  readonly authenticityToken: string;
  readonly consumerKey: string;
  readonly callback: string;
  readonly users: readonly TwitterTestUser[];
}

export function authorizePage(input: AuthorizePageInput): Page {
  const destination = input.callback === 'oob' ? 'a PIN you copy into the application' : input.callback;
  return {
    provider: 'Twitter',
    title: 'Authorize access',
    body: html`<h1>Sign in to an application with a Twitter test account</h1>
<p>The application <code>${input.consumerKey}</code> wants to use your account. Afterwards you go to <span class="mono">${destination}</span>.</p>
<form method="post" action="${input.action}">
<input type="hidden" name="oauth_token" value="${input.oauthToken}">
<input type="hidden" name="authenticity_token" value="${input.authenticityToken}">
${input.users.map(
  (user) =>
    html`<button class="primary" type="submit" name="user_id" value="${user.idStr}">Sign in as ${user.name} (@${user.screenName})</button>`,
)}
<button class="deny" type="submit" name="cancel" value="1">Cancel, and return to app</button>
</form>
<p><small>Test users only. The real Twitter would ask for a password here.</small></p>`,
  };
}

/** Twitter's page for an unknown, used or expired request token. */
export function invalidRequestTokenPage(): Page {
  return {
    provider: 'Twitter',
    title: 'Whoa there!',
    body: html`<h1>Whoa there!</h1>
<p>The request token for this page is invalid. It may have already been used, or expired because it is too old. Please go back to the site or application that sent you here and try again; it was probably just a mistake.</p>`,
  };
}

/** RFC 5849 §2.2: with oauth_callback "oob" the verifier is shown for manual entry. */
export function pinPage(verifier: string): Page {
  return {
    provider: 'Twitter',
    title: 'Authorized',
    body: html`<h1>You've granted access</h1>
<p>Next, return to the application and enter this PIN to complete the authorization process:</p>
<p><code id="oauth_pin">${verifier}</code></p>`,
  };
}

export function deniedOutOfBandPage(): Page {
  return {
    provider: 'Twitter',
    title: 'Access denied',
    body: html`<h1>You did not grant access</h1><p>You can close this window and return to the application.</p>`,
  };
}

export function badSubmissionPage(reason: string): Page {
  return {
    provider: 'Twitter',
    title: 'Something went wrong',
    body: html`<h1>This request could not be completed</h1><p>${reason}</p>`,
  };
}

/** Twitter's generic failure page, used for injected 5xx and error-with-200 failures. */
export function technicallyWrongPage(): Page {
  return {
    provider: 'Twitter',
    title: 'Something is technically wrong',
    body: html`<h1>Something is technically wrong.</h1>
<p>Thanks for noticing—we're going to fix it up and have things back to normal soon.</p>`,
  };
}
