import type { ReplyNotice } from '../../backchannel/protocol';
import type { Site } from '../../config/sites';
import { html } from '../../http/html';
import type { MailMessage } from '../../store/dev-mailbox';

/**
 * The reply notification email: one for every reply in a batch (one commenter, one site), plain
 * text first and the same in HTML (escaped: every name and text in it was typed by a stranger),
 * with RFC 8058 one-click unsubscribe headers. Built from the notices alone: the comment service
 * never sees the address, and the address appears nowhere but in `to`.
 */

const TIME_FORMAT = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });

function when(epochMs: number): string {
  return `${TIME_FORMAT.format(new Date(epochMs))} UTC`;
}

/**
 * The notice's link, only when it is a page of the site: the comment service checked it when the
 * comment was posted, and the gateway, whose name is on the email, checks again.
 */
export function safeThreadUrl(threadUrl: string | null, site: Site): string | null {
  if (threadUrl === null) return null;
  try {
    const url = new URL(threadUrl);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '' && site.origins.includes(url.origin) ? url.href : null;
  } catch {
    return null;
  }
}

export function notificationSubject(notices: readonly ReplyNotice[], siteName: string): string {
  const comments = new Set(notices.map((notice) => notice.parent.id)).size === 1 ? 'your comment' : 'your comments';
  return notices.length === 1 ? `New reply to ${comments} on ${siteName}` : `${notices.length} new replies to ${comments} on ${siteName}`;
}

/** The comment service cuts the replied-to comment at this many characters (code points). */
const EXCERPT_CHARACTERS = 200;

function excerptShown(excerpt: string): string {
  return Array.from(excerpt).length >= EXCERPT_CHARACTERS ? `${excerpt}…` : excerpt;
}

function quoted(text: string): string {
  return text.replace(/^/gm, '  ');
}

export function replyNotificationMessage(input: { to: string; site: Site; notices: readonly ReplyNotice[]; unsubscribeUrl: string }): MailMessage {
  const { site, notices, unsubscribeUrl } = input;
  const replies = notices.map((notice) => ({ notice, link: safeThreadUrl(notice.threadUrl, site) }));
  const why = `You get this email because you asked to be told of replies when you commented on ${site.name}.`;
  const text = [
    ...replies.flatMap(({ notice, link }) => [
      `${notice.reply.authorName} replied to your comment on ${site.name}, on ${when(notice.reply.createdAt)}:`,
      '',
      quoted(notice.reply.body),
      '',
      `Your comment: "${excerptShown(notice.parent.excerpt)}"`,
      link === null ? `Read it on ${site.name}.` : `Read the thread: ${link}`,
      '',
      '',
    ]),
    '-- ',
    why,
    `Stop these emails for ${site.name}: ${unsubscribeUrl}`,
  ].join('\n');
  const body = html`${replies.map(
    ({ notice, link }) => html`<div style="margin:0 0 1.5em">
<p><strong>${notice.reply.authorName}</strong> replied to your comment on ${site.name}, on ${when(notice.reply.createdAt)}:</p>
<blockquote style="margin:0 0 .8em;padding:.2em 1em;border-left:3px solid #c8ccd2;white-space:pre-wrap">${notice.reply.body}</blockquote>
<p style="color:#5b6470">Your comment: “${excerptShown(notice.parent.excerpt)}”</p>
<p>${link === null ? html`Read it on ${site.name}.` : html`<a href="${link}">Read the thread</a>`}</p>
</div>`,
  )}
<p style="color:#5b6470;font-size:.9em">${why} <a href="${unsubscribeUrl}">Stop these emails for ${site.name}</a>.</p>`;
  return {
    to: input.to,
    subject: notificationSubject(notices, site.name),
    text,
    html: body.value,
    headers: {
      // RFC 8058: a mail client may offer "Unsubscribe" and POST `List-Unsubscribe=One-Click` here.
      'List-Unsubscribe': `<${unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      // RFC 3834: no vacation auto-replies to this.
      'Auto-Submitted': 'auto-generated',
    },
  };
}
