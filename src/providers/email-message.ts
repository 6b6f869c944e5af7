import { html } from '../gateway/html';
import type { MailMessage } from '../store/dev-mailbox';

/** The sign-in message: plain text first (what many mail clients show), the same in HTML. */
export function emailSigninMessage(input: { to: string; siteName: string; link: string; code: string; ttlMinutes: number }): MailMessage {
  // The code stays out of the subject: subjects end up in notification previews and mail logs.
  const subject = `Sign in to comment on ${input.siteName}`;
  const text = [
    `Someone (hopefully you) asked to sign in to comment on ${input.siteName}.`,
    '',
    `Your code: ${input.code}`,
    'Type it into the sign-in window, or open this link in the same browser:',
    input.link,
    '',
    `The code and the link work once, for ${input.ttlMinutes} minutes.`,
    'If you did not ask for this, ignore this email: nobody can sign in without it.',
  ].join('\n');
  const body = html`<p>Someone (hopefully you) asked to sign in to comment on <strong>${input.siteName}</strong>.</p>
<p>Your code: <strong style="font-size:1.4em;letter-spacing:.2em">${input.code}</strong></p>
<p>Type it into the sign-in window, or <a href="${input.link}">sign in with this link</a> in the same browser.</p>
<p style="color:#5b6470">The code and the link work once, for ${input.ttlMinutes} minutes. If you did not ask for this, ignore this email: nobody can sign in without it.</p>`;
  return { to: input.to, subject, text, html: body.value };
}
