import { html } from '../../http/html';
import { page } from '../html';
import type { Site } from '../../config/sites';

/** What every sign-in page promises the commenter about the site. */
function disclosure(site: Site) {
  return html`<p class="muted">${site.name} will see your name and picture, never your email address.</p>`;
}

export interface PickerProvider {
  readonly id: 'email' | 'twitter' | 'facebook';
  readonly label: string;
  /** Shown when the provider runs against a loopback emulator (development). */
  readonly emulated: boolean;
}

export function pickerPage(input: { site: Site; uid: string; providers: readonly PickerProvider[]; message?: string | undefined }): string {
  return page({
    title: `Sign in to comment on ${input.site.name}`,
    body: html`<h1>Sign in to comment on ${input.site.name}</h1>
${input.message ? html`<p class="error" role="alert">${input.message}</p>` : ''}
${disclosure(input.site)}
<ul class="providers">
${input.providers.map(
  (provider) => html`<li><a class="button" href="/interaction/${input.uid}/${provider.id}">Log in with ${provider.label}${provider.emulated ? html`<span class="dev-badge">development emulator</span>` : ''}</a></li>`,
)}
</ul>
<p><a href="/interaction/${input.uid}/abort">Cancel</a></p>`,
  });
}

export function emailFormPage(input: { site: Site; uid: string; email?: string; name?: string; error?: string | undefined }): string {
  return page({
    title: 'Sign in with email',
    body: html`<h1>Sign in with email</h1>
${disclosure(input.site)}
${input.error ? html`<p class="error" role="alert" id="email-error">${input.error}</p>` : ''}
<form method="post" action="/interaction/${input.uid}/email" novalidate>
<label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="email" required autofocus maxlength="254" value="${input.email ?? ''}"${input.error ? html` aria-describedby="email-error" aria-invalid="true"` : ''}>
<label for="name">Your name, shown with your comments</label>
<input id="name" name="name" type="text" autocomplete="name" maxlength="50" value="${input.name ?? ''}" aria-describedby="name-help">
<p class="muted" id="name-help">Needed the first time; leave it empty to keep the name you used before.</p>
<button type="submit">Email me a sign-in code</button>
</form>
<p><a href="/interaction/${input.uid}?pick=1">Other ways to sign in</a></p>`,
  });
}

export function checkEmailPage(input: { uid: string; email: string; error?: string | undefined; devMailbox?: boolean }): string {
  return page({
    title: 'Check your email',
    scripts: ['email-wait.js'],
    body: html`<h1>Check your email</h1>
<p>We sent a 6-digit code and a sign-in link to <strong>${input.email}</strong>.</p>
${
  input.devMailbox
    ? html`<p class="notice">Development: no email leaves this machine. Read it in the <a href="/dev/mailbox?to=${encodeURIComponent(input.email)}" target="_blank" rel="noopener">dev mailbox</a> or on the gateway's console.</p>`
    : ''
}
<div id="live" role="alert">${input.error ? html`<p class="error">${input.error}</p>` : ''}</div>
<form method="post" action="/interaction/${input.uid}/email/code">
<label for="code">6-digit code</label>
<input id="code" class="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required autofocus>
<button type="submit">Sign in</button>
</form>
<p class="muted">Or open the link from the email in this browser: this window then continues by itself.</p>
<form method="post" action="/interaction/${input.uid}/email/complete" id="complete" data-status-url="/interaction/${input.uid}/email/status">
<button type="submit" class="secondary">I opened the link, continue</button>
</form>
<p><a href="/interaction/${input.uid}/email">Use a different address</a></p>`,
  });
}

export function namePage(input: { uid: string; error?: string | undefined }): string {
  return page({
    title: 'Choose your name',
    body: html`<h1>Choose your name</h1>
<p>This is your first comment here. Which name should appear with your comments?</p>
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
<form method="post" action="/interaction/${input.uid}/name">
<label for="name">Your name</label>
<input id="name" name="name" type="text" autocomplete="name" maxlength="50" required autofocus>
<button type="submit">Continue</button>
</form>`,
  });
}

/**
 * The page a sign-in link opens: `siteName` undefined means adding the address to an account;
 * `email` comes masked unless this browser is the one that asked for the sign-in.
 */
export function confirmLinkPage(input: { siteName: string | undefined; email: string; token: string }): string {
  const question = input.siteName ? `Sign in to comment on ${input.siteName}?` : 'Add this address to your comment account?';
  return page({
    title: question,
    body: html`<h1>${question}</h1>
<p>${input.siteName ? 'You are signing in as' : 'The address is'} <strong>${input.email}</strong>.</p>
<form method="post" action="/email/confirm">
<input type="hidden" name="token" value="${input.token}">
<button type="submit">${input.siteName ? 'Sign in' : 'Add this address'}</button>
</form>
<p class="muted">If you did not ask to sign in, close this page: nothing happens without this button.</p>`,
  });
}

export function messagePage(input: { title: string; message: string; detail?: string; retryHref?: string | undefined; retryLabel?: string }): string {
  return page({
    title: input.title,
    body: html`<h1>${input.title}</h1>
<p>${input.message}</p>
${input.detail ? html`<p class="muted">${input.detail}</p>` : ''}
${input.retryHref ? html`<p><a class="button" href="${input.retryHref}">${input.retryLabel ?? 'Try again'}</a></p>` : ''}`,
  });
}
