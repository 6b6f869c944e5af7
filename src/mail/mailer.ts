import nodemailer from 'nodemailer';
import type { DevMailbox, MailMessage } from '../store/dev-mailbox';

/** Sends one message to exactly one recipient. Rejects with MailDeliveryError on any failure. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export class MailDeliveryError extends Error {
  override readonly name = 'MailDeliveryError';
  readonly code = 'ERR_MAIL_DELIVERY';
}

/** Give up on a dead or silent SMTP server quickly: the commenter is waiting in the popup. */
const SMTP_CONNECT_TIMEOUT_MS = 10_000;
const SMTP_SOCKET_TIMEOUT_MS = 15_000;

/** Real delivery through nodemailer over SMTP (PARLEY_SMTP_URL). */
export function createSmtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: SMTP_CONNECT_TIMEOUT_MS,
    greetingTimeout: SMTP_CONNECT_TIMEOUT_MS,
    socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
    // Message content never names files or URLs to embed; refuse them outright.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    async send(message) {
      try {
        await transport.sendMail({
          from,
          to: message.to,
          // An explicit envelope: the one normalised address is the only RCPT TO, whatever the headers say.
          envelope: { from: envelopeSender(from), to: [message.to] },
          subject: message.subject,
          text: message.text,
          html: message.html,
          ...(message.headers === undefined ? {} : { headers: { ...message.headers } }),
        });
      } catch (error) {
        throw new MailDeliveryError(`SMTP delivery failed: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}

function envelopeSender(from: string): string {
  const match = /<([^>]+)>/.exec(from);
  return (match ? match[1]! : from).trim();
}

/**
 * Development delivery: the message lands in the dev mailbox (GET /dev/mailbox) and, so a
 * developer running `npm start` sees it, on the console. Never used in production.
 */
export function createDevMailer(mailbox: DevMailbox, options: { print: boolean }): Mailer {
  return {
    async send(message) {
      try {
        await mailbox.deliver(message);
      } catch (error) {
        throw new MailDeliveryError('dev mailbox unavailable', { cause: error });
      }
      if (options.print) {
        console.log(`[dev mailbox] to ${message.to}: ${message.subject}\n${message.text.replace(/^/gm, '  | ')}`);
      }
    },
  };
}
