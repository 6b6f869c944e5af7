import { html } from '../../http/html';
import { page } from '../html';
import { FORMER_COMMENTER_NAME } from '../../backchannel/protocol';
import type { Identity } from '../../store/accounts';
import type { BlogPage } from '../return-to';
import { backToBlog } from './account';

const PROVIDER_NAMES: Record<string, string> = { email: 'Email', twitter: 'Twitter', facebook: 'Facebook' };


const ERASURE_DONE_TEXT = `Done: your account is deleted, and your comments now show “${FORMER_COMMENTER_NAME}”.`;

/** A blog that knows the account, with what its owner chose for an erased commenter's text. */
export interface EraseBlogView {
  readonly name: string;
  readonly textKept: boolean;
}

/**
 * "Erase my account?": says plainly what goes, where, and that it cannot be undone, and asks for
 * a tick, so no stray click erases anyone.
 */
export function eraseConfirmPage(input: { displayName: string; identities: readonly Identity[]; blogs: readonly EraseBlogView[]; csrf: string; error?: string | undefined }): string {
  const csrf = html`<input type="hidden" name="csrf" value="${input.csrf}">`;
  return page({
    title: 'Erase your account?',
    body: html`<h1>Erase your account?</h1>
${input.error ? html`<p class="error" role="alert" id="form-error">${input.error}</p>` : ''}
<p>This deletes the comment account <strong>${input.displayName}</strong> and cannot be undone.</p>
<h2>What happens</h2>
<ul>
<li>Parley deletes your name, your picture, your ways to log in (${input.identities.map((identity, position) => html`${position > 0 ? ', ' : ''}${PROVIDER_NAMES[identity.provider] ?? identity.provider}${identity.label ? html` ${identity.label}` : ''}`)}) and its list of your blogs.</li>
<li>Every browser is logged out, and blogs stop accepting anything sent in your name within seconds.</li>
<li>Your comments stay in their threads, so replies still make sense, but show “${FORMER_COMMENTER_NAME}” instead of your name and picture. Whether their words stay is each blog's choice:${
      input.blogs.length > 0
        ? html`<ul>
${input.blogs.map((blog) => html`<li><strong>${blog.name}</strong>: ${blog.textKept ? 'the text of your comments stays' : 'the text of your comments is removed'}</li>`)}
</ul>`
        : ' most keep the text, some remove it.'
    }</li>
<li>If the blogs' comment service is busy, anonymising may take a while: the next page says when it is done.</li>
<li>Logging in again later makes a new, empty account: your old comments do not come back to it.</li>
</ul>
<form method="post" action="/account/export" class="action">
${csrf}
<p class="muted" id="export-first-help">Want a copy of your comments first? Download it before you erase.</p>
<button type="submit" class="secondary" aria-describedby="export-first-help">Download my data</button>
</form>
<form method="post" action="/account/erase" class="action">
${csrf}
<label><input type="checkbox" name="confirm" value="yes" required${input.error ? html` aria-invalid="true" aria-describedby="form-error" autofocus` : ''}> I understand: erase my account and anonymise my comments. This cannot be undone.</label>
<button type="submit" class="danger">Erase my account</button>
</form>
<p class="way-back"><a href="/account">Keep my account</a></p>`,
  });
}

/**
 * The erasure's receipt, at an address only the erased commenter was sent to. It names nobody:
 * the account is gone, and the page says only whether the comments are anonymised yet.
 */
export function erasureStatusPage(status: 'done' | 'in_progress', selfUrl: string, back?: BlogPage): string {
  if (status === 'done') {
    return page({
      title: 'Account erased',
      body: html`<h1>Your account is erased</h1>
<p class="notice" role="status">${ERASURE_DONE_TEXT}</p>
<p class="muted">Blogs using Parley will treat you as a new commenter if you log in again.</p>
${backToBlog(back)}`,
    });
  }
  return page({
    title: 'Erasing your account',
    // erasure-wait.js asks for the status and says "done" in the status region when it comes;
    // never a meta refresh, which a screen reader would read out anew every few seconds.
    scripts: ['erasure-wait.js'],
    body: html`<h1>Your account is deleted</h1>
<p class="notice" role="status" id="erasure-status" data-status-url="${selfUrl}" data-done-text="${ERASURE_DONE_TEXT}">Your comments are being anonymised; this page will say when it is done.</p>
<div id="erasure-pending">
<p class="muted">The blogs' comment service has not confirmed yet. Parley keeps asking until it does; you can close this page, or keep its address to come back.</p>
<p class="way-back"><a href="${selfUrl}">Check now</a></p>
</div>
${backToBlog(back)}`,
  });
}

/** No such erasure (a mistyped or invented address). */
export function unknownErasurePage(): string {
  return page({
    title: 'Not found',
    body: html`<h1>Nothing here</h1>
<p>This address does not belong to any erasure. Check that you copied all of it.</p>`,
  });
}
