import { html, type SafeHtml } from '../../http/html';
import { page } from '../html';
import type { Site } from '../../config/sites';
import type { SignInRecord } from '../sign-in-history';
import { fieldAttributes, fieldMessage, formMessages, type FormState } from './form-parts';
import { wayBack, type WayBack } from './way-back';

/** What every log-in page promises the commenter about the site. */
export function disclosure(site: Site) {
  return html`<p class="muted">${site.name} will see your name and picture, never your email address.</p>`;
}

export interface PickerProvider {
  readonly id: 'email' | 'twitter' | 'facebook';
  readonly label: string;
  /** Shown when the provider runs against a loopback emulator (development). */
  readonly emulated: boolean;
}

/** The widget's marks (src/widget/form-view.ts), so the popup looks like the buttons that opened it. */
const MARKS: Record<PickerProvider['id'], string> = { email: '@', twitter: 't', facebook: 'f' };

/**
 * The picker. Its message (a log-in the reader cancelled at Twitter or Facebook, a provider not
 * offered here) is news, not an error the reader made: a polite status in the notice style.
 */
export function pickerPage(input: { site: Site; uid: string; providers: readonly PickerProvider[]; message?: string | undefined; way: WayBack }): string {
  return page({
    title: `Log in to comment on ${input.site.name}`,
    siteName: input.site.name,
    body: html`<h1>Log in to comment on ${input.site.name}</h1>
${input.message ? html`<p class="notice" role="status">${input.message}</p>` : ''}
${disclosure(input.site)}
<ul class="providers">
${input.providers.map(
  (provider) =>
    html`<li><a class="provider" href="/interaction/${input.uid}/${provider.id}"><span class="mark mark-${provider.id}" aria-hidden="true">${MARKS[provider.id]}</span><span>Log in with ${provider.label}${provider.emulated ? html` <span class="dev-badge">development emulator</span>` : ''}</span></a></li>`,
)}
</ul>
${wayBack(input.way)}`,
  });
}

export function namePage(input: { site: Site; uid: string; state?: FormState | undefined; way: WayBack }): string {
  return page({
    title: 'Choose your name',
    siteName: input.site.name,
    body: html`<h1>Choose your name</h1>
<p>This is your first comment here. Which name should appear with your comments?</p>
${formMessages(input.state, ['name'])}
<form method="post" action="/interaction/${input.uid}/name" novalidate>
<label for="name">Your name</label>
${fieldMessage(input.state, 'name')}
<input id="name" name="name" type="text" autocomplete="name" maxlength="50" required value="${input.state?.values?.['name'] ?? ''}"${fieldAttributes(input.state, 'name', { focus: true })}>
<button type="submit">Continue</button>
</form>
${wayBack(input.way)}`,
  });
}

/** A technical error code, as small print under what the reader is told. */
export function finePrint(code: string): SafeHtml {
  return html`<p class="fine-print">Error code: <code>${code}</code></p>`;
}

export function messagePage(input: {
  title: string;
  message: string;
  detail?: string | undefined;
  retryHref?: string | undefined;
  retryLabel?: string;
  siteName?: string | undefined;
  way?: WayBack | undefined;
  /** A technical code (`invalid_client`) for whoever the reader asks for help: small print only. */
  code?: string | undefined;
}): string {
  return page({
    title: input.title,
    siteName: input.siteName,
    body: html`<h1>${input.title}</h1>
<p>${input.message}</p>
${input.detail ? html`<p class="muted">${input.detail}</p>` : ''}
${input.retryHref ? html`<p><a class="button" href="${input.retryHref}">${input.retryLabel ?? 'Try again'}</a></p>` : ''}
${wayBack(input.way)}
${input.code ? finePrint(input.code) : ''}`,
  });
}

/**
 * The page of a log-in that is over, or that this browser never had: what happened, and the way
 * back to the post (a full-page log-in) or out of the window (a popup).
 */
export function endedPage(record: SignInRecord | undefined): string {
  const way: WayBack = record?.mode === 'redirect' && record.returnTo ? { kind: 'return', href: record.returnTo } : { kind: 'close' };
  const leave = way.kind === 'return' ? 'Go back to the post to comment.' : 'Close this window and go back to the blog.';
  if (record?.outcome === 'logged-in') {
    return messagePage({ title: 'This log-in has finished', message: `You are logged in to comment on ${record.siteName}.`, detail: leave, siteName: record.siteName, way });
  }
  if (record?.outcome === 'cancelled') {
    return messagePage({ title: 'This log-in was cancelled', message: `Nothing was shared with ${record.siteName}.`, detail: leave, siteName: record.siteName, way });
  }
  if (record) {
    return messagePage({
      title: 'This log-in has expired',
      message: 'A log-in window works for 30 minutes.',
      detail: way.kind === 'return' ? 'Go back to the post and press a Log in button again.' : 'Close this window and press a Log in button on the blog again.',
      siteName: record.siteName,
      way,
    });
  }
  return messagePage({
    title: 'This log-in has expired',
    message: 'It is over, or it was started in another browser.',
    detail: 'Close this window and press a Log in button on the blog again.',
    way,
  });
}
