import { html } from '../../http/html';
import { page } from '../html';
import type { Site } from '../../config/sites';
import { disclosure, messagePage } from './pages';
import { fieldAttributes, fieldMessage, formMessages, type FormState } from './form-parts';
import { wayBack, type WayBack } from './way-back';

/**
 * The code field takes what a reader pastes ("603 739", "603-739"), so its length allows
 * separators; the server keeps only the digits (EmailSignIn.checkCode).
 */
const CODE_FIELD_MAX_LENGTH = 20;

export function emailFormPage(input: { site: Site; uid: string; state?: FormState | undefined; way: WayBack }): string {
  const values = input.state?.values ?? {};
  return page({
    title: 'Log in with email',
    siteName: input.site.name,
    body: html`<h1>Log in with email</h1>
${disclosure(input.site)}
${formMessages(input.state, ['email', 'name'])}
<form method="post" action="/interaction/${input.uid}/email" novalidate>
<label for="email">Email address</label>
${fieldMessage(input.state, 'email')}
<input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${values['email'] ?? ''}"${fieldAttributes(input.state, 'email', { focus: true })}>
<label for="name">Your name, shown with your comments</label>
${fieldMessage(input.state, 'name')}
<input id="name" name="name" type="text" autocomplete="name" maxlength="50" value="${values['name'] ?? ''}"${fieldAttributes(input.state, 'name', { help: 'name-help' })}>
<p class="muted" id="name-help">Needed the first time; leave it empty to keep the name you used before.</p>
<button type="submit">Email me a code</button>
</form>
<p><a href="/interaction/${input.uid}?pick=1">Other ways to log in</a></p>
${wayBack(input.way)}`,
  });
}

export function checkEmailPage(input: { site: Site; uid: string; email: string; state?: FormState | undefined; devMailbox?: boolean; way: WayBack }): string {
  // Errors about the code sit at the code field; the others (the link not opened yet, too many
  // emails) in the live region the waiting script also speaks through.
  const formError = input.state?.error && input.state.error.field !== 'code' ? input.state.error.message : undefined;
  return page({
    title: 'Check your email',
    siteName: input.site.name,
    scripts: ['email-wait.js'],
    body: html`<h1>Check your email</h1>
<p>We sent a 6-digit code and a log-in link to <strong>${input.email}</strong>.</p>
${
  input.devMailbox
    ? html`<p class="notice">Development: no email leaves this machine. Read it in the <a href="/dev/mailbox?to=${encodeURIComponent(input.email)}" target="_blank" rel="noopener">dev mailbox</a> or on the gateway's console.</p>`
    : ''
}
<div id="live" role="alert">${formError ? html`<p class="error" id="form-error">${formError}</p>` : ''}</div>
${input.state?.notice ? html`<p class="notice" role="status">${input.state.notice}</p>` : ''}
<form method="post" action="/interaction/${input.uid}/email/code" novalidate>
<label for="code">6-digit code</label>
${fieldMessage(input.state, 'code')}
<input id="code" class="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" spellcheck="false" maxlength="${CODE_FIELD_MAX_LENGTH}" required${fieldAttributes(input.state, 'code', { focus: true })}>
<button type="submit">Log in</button>
</form>
<form method="post" action="/interaction/${input.uid}/email/resend">
<button type="submit" class="secondary">Send a new code</button>
</form>
<p class="muted">Or open the link from the email in this browser: this window then continues by itself.</p>
<form method="post" action="/interaction/${input.uid}/email/complete" id="complete" data-status-url="/interaction/${input.uid}/email/status">
<button type="submit" class="secondary">I opened the link, continue</button>
</form>
<p><a href="/interaction/${input.uid}/email">Use a different address</a></p>
${wayBack(input.way)}`,
  });
}

/**
 * The page a log-in link opens: `siteName` undefined means adding the address to an account;
 * `email` comes masked unless this browser is the one that asked for the log-in.
 */
export function confirmLinkPage(input: { siteName: string | undefined; email: string; token: string }): string {
  const question = input.siteName ? `Log in to comment on ${input.siteName}?` : 'Add this address to your comment account?';
  return page({
    title: question,
    siteName: input.siteName,
    body: html`<h1>${question}</h1>
<p>${input.siteName ? 'You are logging in as' : 'The address is'} <strong>${input.email}</strong>.</p>
<form method="post" action="/email/confirm">
<input type="hidden" name="token" value="${input.token}">
<button type="submit">${input.siteName ? 'Log in' : 'Add this address'}</button>
</form>
<p class="muted">If you did not ask for this, close this page: nothing happens without this button.</p>`,
  });
}

/**
 * What the link's tab says once the link is confirmed. The log-in itself finishes in the window
 * where it started (the popup polls, or the reader presses "I opened the link, continue"), so
 * this tab says "logged in" only when nothing is left to do there.
 */
export function linkConfirmedPage(input: { siteName: string | undefined; nextStep: 'none' | 'choose-name' }): string {
  if (input.siteName === undefined) {
    return messagePage({
      title: 'Your address is confirmed',
      message: 'Go back to your account page and press “I opened the link, continue” to add it.',
      detail: 'You can close this tab.',
    });
  }
  if (input.nextStep === 'choose-name') {
    return messagePage({
      title: 'One more step in the log-in window',
      message: 'Go back to the window where you started, to choose the name shown with your comments.',
      detail: 'You can close this tab.',
      siteName: input.siteName,
    });
  }
  return messagePage({
    title: 'You are logged in',
    message: 'Go back to the window where you started: it continues by itself.',
    detail: 'You can close this tab.',
    siteName: input.siteName,
  });
}

export function linkDeadPage(): string {
  return messagePage({
    title: 'This link can no longer be used',
    message: 'Log-in links work once, for 10 minutes.',
    detail: 'Go back to the blog and ask for a new code.',
  });
}

export function otherBrowserPage(siteName: string | undefined): string {
  return messagePage({
    title: 'Finish where you started',
    message: 'This link was opened in a different browser from the one that asked to log in.',
    detail: 'Type the 6-digit code from the email into the log-in window on the device where you started.',
    siteName,
  });
}
