/**
 * Pages of the Facebook emulator's login dialog: the page where a person or a test picks a test
 * user or cancels, and the dead ends Facebook shows instead of redirecting (an unknown app, a
 * redirect_uri the app did not register) so an unchecked redirect_uri is never followed.
 */
import { html, type Page } from './html';
import type { FacebookTestUser } from './test-users';

export interface DialogPageInput {
  readonly action: string;
  readonly ticket: string;
  readonly appId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly users: readonly FacebookTestUser[];
}

export function dialogPage(input: DialogPageInput): Page {
  return {
    provider: 'Facebook',
    title: 'Log in with Facebook',
    body: html`<h1>Continue to an app with a Facebook test account</h1>
<p>App <code>${input.appId}</code> will receive: ${input.scopes.join(', ')}.</p>
<p>You will return to <span class="mono">${input.redirectUri}</span>.</p>
<form method="post" action="${input.action}">
<input type="hidden" name="ticket" value="${input.ticket}">
${input.users.map(
  (user) =>
    html`<button class="primary" type="submit" name="user_id" value="${user.id}">Continue as ${user.name}</button>`,
)}
<button class="deny" type="submit" name="cancel" value="1">Cancel</button>
</form>
<p><small>Test users only. The real Facebook would ask for a password here.</small></p>`,
  };
}

export function invalidAppIdPage(): Page {
  return {
    provider: 'Facebook',
    title: 'Error',
    body: html`<h1>Invalid App ID</h1><p>The provided app ID does not look like a valid app ID.</p>`,
  };
}

export function urlBlockedPage(): Page {
  return {
    provider: 'Facebook',
    title: 'Error',
    body: html`<h1>URL blocked</h1>
<p>This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings. Make sure that the client and web OAuth logins are on and add all your app domains as valid OAuth redirect URIs.</p>`,
  };
}

export function dialogExpiredPage(): Page {
  return {
    provider: 'Facebook',
    title: 'Error',
    body: html`<h1>This page has expired</h1><p>Go back to the app and try logging in again.</p>`,
  };
}

export function badDialogSubmissionPage(): Page {
  return {
    provider: 'Facebook',
    title: 'Error',
    body: html`<h1>Something went wrong</h1><p>Pick one of the listed test users, or cancel.</p>`,
  };
}

/** Facebook's generic failure page, used for injected 5xx and error-with-200 failures. */
export function somethingWentWrongPage(): Page {
  return {
    provider: 'Facebook',
    title: 'Error',
    body: html`<h1>Sorry, something went wrong.</h1><p>We're working on getting this fixed as soon as we can.</p>`,
  };
}

/** Facebook's page for a path it does not serve. */
export function contentNotAvailablePage(): Page {
  return {
    provider: 'Facebook',
    title: 'Page not found',
    body: html`<h1>This content isn't available right now</h1><p>The link may be broken, or the page may have been removed.</p>`,
  };
}
