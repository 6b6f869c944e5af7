import { html } from '../../http/html';
import { page } from '../html';
import { fieldAttributes, fieldMessage, formMessages, type FormState } from './form-parts';
import type { Account, Identity } from '../../store/accounts';

const PROVIDER_NAMES: Record<string, string> = { email: 'Email', twitter: 'Twitter', facebook: 'Facebook' };

export function signedOutAccountPage(notice?: string): string {
  return page({
    title: 'Your comment account',
    body: html`<h1>Your comment account</h1>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<p>You are not logged in on this browser.</p>
<p class="muted">Log in to comment on a blog that uses Parley; then come back to this page to see and change your ways to log in.</p>`,
  });
}

export function accountPage(input: {
  account: Account;
  identities: readonly Identity[];
  addable: readonly { id: string; label: string }[];
  csrf: string;
  notice?: string | undefined;
  error?: string | undefined;
  /** The input the error is about ("email": the address to add), if any. */
  errorField?: 'email' | undefined;
}): string {
  const state: FormState = { error: input.error ? { message: input.error, field: input.errorField } : undefined };
  const canRemove = input.identities.length > 1;
  return page({
    title: 'Your comment account',
    body: html`<h1>Your comment account</h1>
<p>Logged in as <strong>${input.account.displayName}</strong>.</p>
${formMessages({ ...state, notice: input.notice }, ['email'])}
<h2>Ways to log in</h2>
<p class="muted">Each of these logs you in to this same account, so blogs see the same commenter.</p>
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
${!canRemove ? html`<p class="muted">This is your only way to log in, so it cannot be removed.</p>` : ''}
<h2>Add a way to log in</h2>
<ul class="providers">
${input.addable.map((provider) => html`<li><a class="button secondary" href="/account/link/${provider.id}">Add ${provider.label}</a></li>`)}
</ul>
<form method="post" action="/account/email">
<input type="hidden" name="csrf" value="${input.csrf}">
<label for="email">Add an email address</label>
${fieldMessage(state, 'email')}
<input id="email" name="email" type="email" autocomplete="email" maxlength="254" required${fieldAttributes(state, 'email')}>
<button type="submit" class="secondary">Email me a code</button>
</form>
<form method="post" action="/account/logout">
<input type="hidden" name="csrf" value="${input.csrf}">
<button type="submit" class="secondary">Log out of this browser</button>
</form>
<form method="post" action="/account/signout-everywhere">
<input type="hidden" name="csrf" value="${input.csrf}">
<p class="muted">On a computer you no longer use, or a phone you lost: every browser and every blog will ask you to log in again.</p>
<button type="submit" class="secondary">Log out everywhere</button>
</form>`,
  });
}

export function accountCheckEmailPage(input: { email: string; csrf: string; error?: string | undefined; errorField?: 'code' | undefined }): string {
  const state: FormState = { error: input.error ? { message: input.error, field: input.errorField } : undefined };
  return page({
    title: 'Check your email',
    body: html`<h1>Check your email</h1>
<p>We sent a 6-digit code and a link to <strong>${input.email}</strong>.</p>
${formMessages(state, ['code'])}
<form method="post" action="/account/email/code" novalidate>
<input type="hidden" name="csrf" value="${input.csrf}">
<label for="code">6-digit code</label>
${fieldMessage(state, 'code')}
<input id="code" class="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" spellcheck="false" maxlength="20" required${fieldAttributes(state, 'code', { focus: true })}>
<button type="submit">Add this address</button>
</form>
<form method="post" action="/account/email/complete">
<input type="hidden" name="csrf" value="${input.csrf}">
<button type="submit" class="secondary">I opened the link, continue</button>
</form>
<p><a href="/account">Back to your account</a></p>`,
  });
}
