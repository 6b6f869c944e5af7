import path from 'node:path';
import Database from 'better-sqlite3';
import { COMMENTS_DB_FILE } from '../../../src/comments/database';
import type { Page, Request } from 'playwright-core';

/**
 * What the comment service keeps of each comment about reply notifications, read from its
 * SQLite file in the stack's data directory (a second, read-only connection), and what the page
 * sent for it: the browser tests' view of issue 15 item 2 from outside the widget.
 */

export interface StoredNotifyChoice {
  readonly body: string;
  readonly notifyReplies: boolean;
  readonly pageUrl: string | null;
}

/** Every comment's text, "Notify me of replies" and page, in the order they were posted. */
export function storedNotifyChoices(dataDir: string): StoredNotifyChoice[] {
  const db = new Database(path.join(dataDir, COMMENTS_DB_FILE), { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const rows = db.prepare('SELECT body, notify_replies, page_url FROM comments ORDER BY seq').all() as Array<{ body: string; notify_replies: number; page_url: string | null }>;
    return rows.map((row) => ({ body: row.body, notifyReplies: row.notify_replies === 1, pageUrl: row.page_url }));
  } finally {
    db.close();
  }
}

/** One write the page sent to the Comment API, with its JSON body. */
export interface SentWrite {
  readonly method: string;
  readonly url: string;
  readonly body: Record<string, unknown> | undefined;
}

/** Records, from now on, every POST and PATCH the page sends to `commentsUrl`'s Comment API. */
export function recordWrites(page: Page, commentsUrl: string): SentWrite[] {
  const sent: SentWrite[] = [];
  page.on('request', (request: Request) => {
    if ((request.method() !== 'POST' && request.method() !== 'PATCH') || !request.url().startsWith(`${commentsUrl}/api/`)) return;
    const data = request.postData();
    sent.push({ method: request.method(), url: request.url(), body: data === null ? undefined : (JSON.parse(data) as Record<string, unknown>) });
  });
  return sent;
}
