import { html } from '../../http/html';
import { page } from '../html';
import type { Account, Identity } from '../../store/accounts';

const PROVIDER_NAMES: Record<string, string> = { email: 'Email', twitter: 'Twitter', facebook: 'Facebook' };

export function signedOutAccountPage(notice?: string): string {
  return page({
    title: 'Your comment account',
    body: html`<h1>Your comment account</h1>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<p>You are not signed in on this browser.</p>
<p class="muted">Sign in to comment on a blog that uses this sign-in service; then come back to this page to see and change your sign-in methods.</p>`,
  });
}

export function accountPage(input: {
  account: Account;
  identities: readonly Identity[];
  addable: readonly { id: string; label: string }[];
  csrf: string;
  notice?: string | undefined;
  error?: string | undefined;
}): string {
  const canRemove = input.identities.length > 1;
  return page({
    title: 'Your comment account',
    body: html`<h1>Your comment account</h1>
<p>Signed in as <strong>${input.account.displayName}</strong>.</p>
${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : ''}
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
<h2>Ways to sign in</h2>
<p class="muted">Each of these signs you in to this same account, so blogs see the same commenter.</p>
<ul class="providers">
${input.identities.map(
  (identity) => html`<li><strong>${PROVIDER_NAMES[identity.provider] ?? identity.provider}</strong>${identity.label ? html` · ${identity.label}` : ''}
${
  canRemove
    ? html`<form method="post" action="/account/remove"><input type="hidden" name="csrf" value="${input.csrf}"><input type="hidden" name="provider" value="${identity.provider}"><input type="hidden" name="subject" value="${identity.subject}"><button type="submit" class="secondary">Remove ${PROVIDER_NAMES[identity.provider] ?? identity.provider}${identity.label ? html` (${identity.label})` : ''}</button></form>`
    : ''
}</li>`,
)}
</ul>
${!canRemove ? html`<p class="muted">This is your only way to sign in, so it cannot be removed.</p>` : ''}
<h2>Add a way to sign in</h2>
<ul class="providers">
${input.addable.map((provider) => html`<li><a class="button secondary" href="/account/link/${provider.id}">Add ${provider.label}</a></li>`)}
</ul>
<form method="post" action="/account/email">
<input type="hidden" name="csrf" value="${input.csrf}">
<label for="email">Add an email address</label>
<input id="email" name="email" type="email" autocomplete="email" maxlength="254" required>
<button type="submit" class="secondary">Email me a code</button>
</form>
<form method="post" action="/account/logout">
<input type="hidden" name="csrf" value="${input.csrf}">
<button type="submit" class="secondary">Log out of this browser</button>
</form>
<form method="post" action="/account/signout-everywhere">
<input type="hidden" name="csrf" value="${input.csrf}">
<p class="muted">On a computer you no longer use, or a phone you lost: every browser and every blog will ask you to log in again.</p>
<button type="submit" class="secondary">Sign out everywhere</button>
</form>`,
  });
}

export function accountCheckEmailPage(input: { email: string; csrf: string; error?: string | undefined }): string {
  return page({
    title: 'Check your email',
    body: html`<h1>Check your email</h1>
<p>We sent a 6-digit code and a link to <strong>${input.email}</strong>.</p>
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
<form method="post" action="/account/email/code">
<input type="hidden" name="csrf" value="${input.csrf}">
<label for="code">6-digit code</label>
<input id="code" class="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required autofocus>
<button type="submit">Add this address</button>
</form>
<form method="post" action="/account/email/complete">
<input type="hidden" name="csrf" value="${input.csrf}">
<button type="submit" class="secondary">I opened the link, continue</button>
</form>
<p><a href="/account">Back to your account</a></p>`,
  });
}
