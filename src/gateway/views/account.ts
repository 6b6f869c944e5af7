import { html, type SafeHtml } from '../../http/html';
import { page } from '../html';
import { fieldAttributes, fieldMessage, formMessages, type FormState } from './form-parts';
import type { Account, Identity } from '../../store/accounts';
import type { BlogPage } from '../return-to';

const PROVIDER_NAMES: Record<string, string> = { email: 'Email', twitter: 'Twitter', facebook: 'Facebook' };

/**
 * Dates on the account page, in UTC and said so: the gateway does not know the reader's time
 * zone, and the page runs no script to ask.
 */
const DATE_TIME = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });

export function formatDateTime(ms: number): string {
  return `${DATE_TIME.format(new Date(ms))} UTC`;
}

/** A blog that knows the account, as the page lists it. */
export interface AccountSiteView {
  readonly id: string;
  readonly name: string;
  readonly lastUsedAt: number;
  /** "Email me about replies to comments where I ticked the box". */
  readonly replyEmails: boolean;
}

/** A browser signed in to the account. */
export interface AccountSessionView {
  readonly loggedInAt: number;
  readonly lastUsedAt: number;
  readonly thisBrowser: boolean;
}

/** The browsers signed in, or that this gateway cannot list them. */
export type AccountSessionsView = { readonly listed: readonly AccountSessionView[] } | { readonly unlisted: true };

function sitesSection(sites: readonly AccountSiteView[], csrf: SafeHtml, hasEmail: boolean): SafeHtml {
  if (sites.length === 0) {
    return html`<h2>Blogs</h2>
<p class="muted">No blog has logged you in with this account yet.</p>`;
  }
  // Reply emails go to the account's address: one logged in only with Twitter or Facebook has none,
  // and a ticked box would otherwise promise what nothing can deliver.
  const noAddress = hasEmail ? html`` : html`<p class="notice" id="replies-no-address">This account has no email address, so reply emails cannot reach you: add one under "Add a way to log in" above.</p>`;
  return html`<h2>Blogs</h2>
<p class="muted">The blogs you have logged in to with this account. Each knows you by an identifier of its own.</p>
${noAddress}
<ul class="methods">
${sites.map(
  (site) => html`<li class="method"><span class="method-name"><strong>${site.name}</strong> · last used ${formatDateTime(site.lastUsedAt)}</span>
<span class="muted" id="replies-${site.id}">Email me about replies to comments where I ticked the box: <strong>${site.replyEmails ? 'on' : 'off'}</strong></span>
<form method="post" action="/account/replies">${csrf}<input type="hidden" name="site" value="${site.id}"><input type="hidden" name="emails" value="${site.replyEmails ? 'off' : 'on'}"><button type="submit" class="secondary compact" aria-describedby="replies-${site.id}">${site.replyEmails ? 'Turn off' : 'Turn on'}<span class="visually-hidden"> reply emails from ${site.name}</span></button></form></li>`,
)}
</ul>`;
}

function sessionsSection(sessions: AccountSessionsView): SafeHtml {
  if ('unlisted' in sessions) {
    return html`<p class="muted">This Parley keeps log-ins where this page cannot list them. "Log out everywhere" below still ends every one.</p>`;
  }
  if (sessions.listed.length === 0) return html`<p class="muted">No browser is logged in to blogs with this account just now.</p>`;
  return html`<ul class="methods">
${sessions.listed.map(
  (session) => html`<li class="method"><span class="method-name"><strong>${session.thisBrowser ? 'This browser' : 'A browser'}</strong> · logged in ${formatDateTime(session.loggedInAt)}</span>
<span class="muted">Last used ${formatDateTime(session.lastUsedAt)}</span></li>`,
)}
</ul>`;
}

/** "Back to <blog>", only when the page was opened from a registered blog (see return-to.ts). */
export function backToBlog(back: BlogPage | undefined): SafeHtml {
  return back ? html`<p class="way-back"><a class="button secondary" href="${back.href}">Back to ${back.siteName}</a></p>` : html``;
}

export function signedOutAccountPage(notice?: string, back?: BlogPage): string {
  return page({
    title: 'Your comment account',
    body: html`<h1>Your comment account</h1>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<p>You are not logged in on this browser.</p>
<p class="muted">Log in to comment on a blog that uses Parley; then come back to this page to see and change your ways to log in.</p>
${backToBlog(back)}`,
  });
}

/**
 * The account page. Each explanation sits with the action it explains (and is its
 * aria-describedby); the actions that cannot be undone from here ("Remove", "Log out
 * everywhere") are drawn in the danger colour, as text and edge, never as colour alone: their
 * names say what they do.
 */
export function accountPage(input: {
  account: Account;
  identities: readonly Identity[];
  addable: readonly { id: string; label: string }[];
  csrf: string;
  notice?: string | undefined;
  error?: string | undefined;
  /** The input the error is about ("email": the address to add), if any. */
  errorField?: 'email' | undefined;
  /** The blog page this page was opened from, if any. */
  back?: BlogPage | undefined;
  sites: readonly AccountSiteView[];
  sessions: AccountSessionsView;
}): string {
  const state: FormState = { error: input.error ? { message: input.error, field: input.errorField } : undefined };
  const canRemove = input.identities.length > 1;
  const csrf = html`<input type="hidden" name="csrf" value="${input.csrf}">`;
  return page({
    title: 'Your comment account',
    body: html`<h1>Your comment account</h1>
<p>Logged in as <strong>${input.account.displayName}</strong>.</p>
${formMessages({ ...state, notice: input.notice }, ['email'])}
<h2>Ways to log in</h2>
<p class="muted">Each of these logs you in to this same account, so blogs see the same commenter.</p>
<ul class="methods">
${input.identities.map((identity) => {
  const name = PROVIDER_NAMES[identity.provider] ?? identity.provider;
  const what = html`${name}${identity.label ? html` (${identity.label})` : ''}`;
  return html`<li class="method"><span class="method-name"><strong>${name}</strong>${identity.label ? html` · ${identity.label}` : ''}</span>
${
  canRemove
    ? html`<form method="post" action="/account/remove">${csrf}<input type="hidden" name="provider" value="${identity.provider}"><input type="hidden" name="subject" value="${identity.subject}"><button type="submit" class="danger compact">Remove<span class="visually-hidden"> ${what}</span></button></form>`
    : html`<span class="muted">This is your only way to log in, so it cannot be removed.</span>`
}</li>`;
})}
</ul>
<h2>Add a way to log in</h2>
${
  input.addable.length > 0
    ? html`<ul class="providers">
${input.addable.map((provider) => html`<li><a class="button secondary" href="/account/link/${provider.id}">Add ${provider.label}</a></li>`)}
</ul>`
    : ''
}
<form method="post" action="/account/email">
${csrf}
<label for="email">Add an email address</label>
${fieldMessage(state, 'email')}
<input id="email" name="email" type="email" autocomplete="email" maxlength="254" required${fieldAttributes(state, 'email')}>
<button type="submit" class="secondary">Email me a code</button>
</form>
${sitesSection(input.sites, csrf, input.identities.some((identity) => identity.provider === 'email'))}
<h2>Browsers logged in</h2>
${sessionsSection(input.sessions)}
<form method="post" action="/account/logout" class="action">
${csrf}
<p class="muted" id="logout-help">Blogs using Parley will ask who you are again on this browser.</p>
<button type="submit" class="secondary" aria-describedby="logout-help">Log out of this browser</button>
</form>
<form method="post" action="/account/signout-everywhere" class="action">
${csrf}
<p class="muted" id="everywhere-help">For a computer you no longer use, or a phone you lost: every browser and every blog will ask you to log in again.</p>
<button type="submit" class="danger" aria-describedby="everywhere-help">Log out everywhere</button>
</form>
<h2>Your data</h2>
<form method="post" action="/account/export" class="action">
${csrf}
<p class="muted" id="export-help">A file (JSON) with your account, your ways to log in, your blogs and your comments.</p>
<button type="submit" class="secondary" aria-describedby="export-help">Download my data</button>
</form>
<form method="get" action="/account/erase" class="action">
<p class="muted" id="erase-help">Deletes this account and anonymises your comments on every blog. You will be asked to confirm.</p>
<button type="submit" class="danger" aria-describedby="erase-help">Erase my account…</button>
</form>
${backToBlog(input.back)}`,
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
