import type { Db } from './database';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /**
   * Extra header fields (e.g. RFC 8058's List-Unsubscribe), passed to the SMTP server as they
   * are; the dev mailbox does not keep them.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface StoredMailMessage extends MailMessage {
  readonly sentAt: string;
}

const MAILBOX_LIMIT = 50;

/** Development-only mailbox: what would have been sent, readable at GET /dev/mailbox. */
export class DevMailbox {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async deliver(message: MailMessage): Promise<void> {
    await this.db
      .insertInto('dev_mail')
      .values({ recipient: message.to, subject: message.subject, text: message.text, html: message.html, sent_at: this.now() })
      .execute();
  }

  /** Messages to one address, newest first. */
  async list(to: string): Promise<StoredMailMessage[]> {
    const rows = await this.db
      .selectFrom('dev_mail')
      .selectAll()
      .where('recipient', '=', to)
      .orderBy('id', 'desc')
      .limit(MAILBOX_LIMIT)
      .execute();
    return rows.map((row) => ({ to: row.recipient, subject: row.subject, text: row.text, html: row.html, sentAt: new Date(row.sent_at).toISOString() }));
  }
}
