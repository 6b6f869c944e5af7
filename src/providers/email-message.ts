import { html } from '../http/html';
import type { MailMessage } from '../store/dev-mailbox';

/** The log-in message: plain text first (what many mail clients show), the same in HTML. */
export function emailSigninMessage(input: { to: string; siteName: string; link: string; code: string; ttlMinutes: number; purpose?: 'sign-in' | 'link' }): MailMessage {
  const linking = input.purpose === 'link';
  // The code stays out of the subject: subjects end up in notification previews and mail logs.
  const subject = linking ? 'Confirm your email address for commenting' : `Log in to comment on ${input.siteName}`;
  const asked = linking
    ? 'Someone (hopefully you) asked to add this address as a way to log in to comment.'
    : `Someone (hopefully you) asked to log in to comment on ${input.siteName}.`;
  const text = [
    asked,
    '',
    `Your code: ${input.code}`,
    'Type it into the log-in window, or open this link in the same browser:',
    input.link,
    '',
    `The code and the link work once, for ${input.ttlMinutes} minutes.`,
    'If you did not ask for this, ignore this email: nobody can log in without it.',
  ].join('\n');
  const body = html`<p>${asked}</p>
<p>Your code: <strong style="font-size:1.4em;letter-spacing:.2em">${input.code}</strong></p>
<p>Type it into the log-in window, or <a href="${input.link}">log in with this link</a> in the same browser.</p>
<p style="color:#5b6470">The code and the link work once, for ${input.ttlMinutes} minutes. If you did not ask for this, ignore this email: nobody can log in without it.</p>`;
  return { to: input.to, subject, text, html: body.value };
}
