import type { ReplyNotice } from '../../src/backchannel/protocol';
import type { Site } from '../../src/config/sites';
import { NotificationSender, retryDelayMs } from '../../src/gateway/notifications/notification-sender';
import { NotificationStore } from '../../src/gateway/notifications/notification-store';
import { createUnsubscribeToken, readUnsubscribeToken } from '../../src/gateway/notifications/unsubscribe-token';
import { createSmtpMailer } from '../../src/mail/mailer';
import { createServiceLogger } from '../../src/observability/logger';
import { AccountStore } from '../../src/store/accounts';
import { CommenterSites } from '../../src/store/commenter-sites';
import { openDatabase, type Db } from '../../src/store/database';
import { RateLimiter } from '../../src/store/rate-limits';
import { makeDataDir } from '../helpers/data-dir';
import { testDatabaseUrl } from '../helpers/postgres';
import { startSmtpServer, type RunningSmtpServer } from '../helpers/smtp';

/**
 * The sender as several gateway instances run it against one database (SQLite here, PostgreSQL
 * in the cluster suite) and a real SMTP server: leases, the hourly limit, backoff and giving up,
 * and the checks made at sending. Time is the test's clock, for the rate limits too.
 */

const SITE: Site = { id: 'demo-blog', name: 'Demo Blog', origins: ['https://blog.example'], redirectUris: [] };
const SITES = new Map([[SITE.id, SITE]]);
const BATCH_WINDOW_MS = 60_000;
const RETRY_BASE_MS = 30_000;
const HOUR_MS = 60 * 60 * 1000;

describe('reply notification sender', () => {
  const dataDir = makeDataDir();
  let first: Db;
  let second: Db;
  let smtp: RunningSmtpServer;
  let now = Date.UTC(2026, 0, 1);
  const clock = () => now;
  const logs: string[] = [];
  const logger = createServiceLogger({ service: 'gateway', settings: { logLevel: 'debug', logFormat: 'json' }, production: false, sink: (line) => logs.push(line) });
  let noticeSeq = 0;

  beforeAll(async () => {
    const databaseUrl = await testDatabaseUrl(dataDir);
    first = await openDatabase({ dataDir, fileName: 'gateway.db', databaseUrl });
    second = await openDatabase({ dataDir, fileName: 'gateway.db', databaseUrl });
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await first.destroy();
    await second.destroy();
    await smtp.close();
  });

  function sender(db: Db): NotificationSender {
    return new NotificationSender({
      store: new NotificationStore(db),
      accounts: new AccountStore(db, clock),
      commenterSites: new CommenterSites(db, clock),
      mailer: createSmtpMailer(smtp.url, 'Demo Blog <comments@blog.example>'),
      limiter: new RateLimiter(db, clock),
      sites: SITES,
      issuer: 'https://auth.example',
      unsubscribeSecret: 'test-unsubscribe-secret',
      logger,
      clock,
      batchWindowMs: BATCH_WINDOW_MS,
      retryBaseMs: RETRY_BASE_MS,
    });
  }

  /** An account signed in as `provider`, known to demo-blog as `sub`. */
  async function commenter(sub: string, provider: 'email' | 'twitter' = 'email'): Promise<{ accountId: string; address: string }> {
    const address = `${sub}@example.com`;
    const account = await new AccountStore(first, clock).upsertFromProfile({ provider, subject: provider === 'email' ? address : `tw-${sub}`, displayName: sub, picture: null });
    await new CommenterSites(first, clock).record(account!.id, SITE.id, sub);
    return { accountId: account!.id, address };
  }

  async function keep(accountId: string, sub: string, body: string, parentCreatedAt = now - 1000, threadUrl?: string | null): Promise<string> {
    noticeSeq += 1;
    const notice: ReplyNotice = {
      id: String(noticeSeq),
      recipient: { site: SITE.id, sub },
      postId: 'post',
      parent: { id: `parent-${sub}`, createdAt: parentCreatedAt, excerpt: 'The parent' },
      reply: { id: `reply-${noticeSeq}`, authorName: 'Replier', body, createdAt: now },
      threadUrl: threadUrl === undefined ? `https://blog.example/post#parley-comment-reply-${noticeSeq}` : threadUrl,
    };
    const id = `https://comments.example|${noticeSeq}`;
    expect(await new NotificationStore(first).add(id, accountId, notice, now)).toBe(true);
    expect(await new NotificationStore(second).add(id, accountId, notice, now)).toBe(false);
    return id;
  }

  const row = (id: string) => first.selectFrom('reply_notifications').selectAll().where('id', '=', id).executeTakeFirst();
  const mailsTo = (address: string) => smtp.received.filter((mail) => mail.to.includes(address));

  it('lets two instances send at once without ever sending one batch twice', async () => {
    const recipients = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => commenter(`pair-${n}`)));
    for (const [index, recipient] of recipients.entries()) await keep(recipient.accountId, `pair-${index + 1}`, `Hello ${index}`);
    now += BATCH_WINDOW_MS + 1;
    await Promise.all([sender(first).sendDue(), sender(second).sendDue(), sender(first).sendDue()]);
    for (const recipient of recipients) expect(mailsTo(recipient.address)).toHaveLength(1);
  });

  it('waits for the batch window, then sends everything that came within it as one email', async () => {
    const { accountId, address } = await commenter('batched');
    await keep(accountId, 'batched', 'One');
    now += BATCH_WINDOW_MS / 2;
    await keep(accountId, 'batched', 'Two');
    await sender(first).sendDue();
    expect(mailsTo(address)).toHaveLength(0);
    now += BATCH_WINDOW_MS / 2 + 1;
    await sender(first).sendDue();
    expect(mailsTo(address)).toHaveLength(1);
    expect(mailsTo(address)[0]!.raw).toMatch(/^Subject: 2 new replies to your comment on Demo Blog/m);
  });

  it('links only to pages of the site, and names the site when there is no page', async () => {
    const { accountId, address } = await commenter('linked');
    await keep(accountId, 'linked', 'No page known', now - 1000, null);
    await keep(accountId, 'linked', 'Page elsewhere', now - 1000, 'https://evil.example/post#parley-comment-x');
    now += BATCH_WINDOW_MS + 1;
    await sender(first).sendDue();
    const [mail] = mailsTo(address);
    const raw = mail!.raw.replace(/=\r?\n/g, '');
    // Twice in the text part and twice in the HTML part.
    expect(raw.match(/Read it on Demo Blog\./g)).toHaveLength(4);
    expect(raw).not.toContain('evil.example');
  });

  it('sends at most 10 emails an hour to one account; the 11th batch waits for the hour, not dropped', async () => {
    const { accountId, address } = await commenter('busy');
    for (let n = 0; n < 10; n += 1) {
      await keep(accountId, 'busy', `Reply ${n}`);
      now += BATCH_WINDOW_MS + 1;
      await sender(first).sendDue();
    }
    expect(mailsTo(address)).toHaveLength(10);
    const waiting = await keep(accountId, 'busy', 'Eleventh');
    now += BATCH_WINDOW_MS + 1;
    await sender(first).sendDue();
    expect(mailsTo(address)).toHaveLength(10);
    const held = await row(waiting);
    expect(held).toMatchObject({ sent_at: null, attempts: 0, lease_until: null });
    expect(Number(held!.next_attempt_at)).toBeGreaterThan(now);
    expect(logs.some((line) => line.includes('hourly limit'))).toBe(true);

    now += HOUR_MS;
    await sender(first).sendDue();
    expect(mailsTo(address)).toHaveLength(11);
    expect(mailsTo(address)[10]!.raw).toContain('Eleventh');
  });

  it('drops, without mailing, notices for an account with no email address, or one unsubscribed since', async () => {
    const twitter = await commenter('tweeter', 'twitter');
    const noAddress = await keep(twitter.accountId, 'tweeter', 'Nobody to mail');
    const quitter = await commenter('quitter');
    const unsubscribed = await keep(quitter.accountId, 'quitter', 'Too late', now - 5000);
    await new CommenterSites(first, clock).setRepliesUnsubscribed(quitter.accountId, SITE.id, now - 1000);
    const before = smtp.received.length;
    now += BATCH_WINDOW_MS + 1;
    await sender(first).sendDue();
    expect(smtp.received.length).toBe(before);
    expect([await row(noAddress), await row(unsubscribed)]).toEqual([undefined, undefined]);
    expect(logs.some((line) => line.includes('no email address') && line.includes(twitter.accountId))).toBe(true);
  });

  it('retries a refused message with a doubling delay capped at an hour, and gives up after three days, saying so', async () => {
    expect([1, 2, 3, 4, 7, 8, 100].map((attempts) => retryDelayMs(RETRY_BASE_MS, attempts) / 1000)).toEqual([30, 60, 120, 240, 1920, 3600, 3600]);
    const { accountId, address } = await commenter('unlucky');
    const id = await keep(accountId, 'unlucky', 'Never arrives');
    const keptAt = now;
    smtp.setRejecting(true);
    try {
      now += BATCH_WINDOW_MS + 1;
      const delays: number[] = [];
      const attempt = async () => {
        await sender(first).sendDue();
        const current = await row(id);
        if (current === undefined) return undefined;
        expect(current.sent_at).toBeNull();
        expect(current.last_error).toMatch(/550/);
        expect(current.last_error).not.toContain(address);
        delays.push((Number(current.next_attempt_at) - now) / 1000);
        now = Number(current.next_attempt_at);
        return current;
      };
      while (delays.at(-1) !== 3600) expect(await attempt()).toBeDefined();
      expect(delays).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600]);
      // Still tried just before three days have passed, and given up at the first failure after.
      now = keptAt + 3 * 24 * HOUR_MS - 1;
      expect(await attempt()).toBeDefined();
      expect(await attempt()).toBeUndefined();
      expect(mailsTo(address)).toHaveLength(0);
      const gaveUp = logs.filter((line) => line.includes('given up'));
      expect(gaveUp).toHaveLength(1);
      expect(gaveUp[0]).toContain(accountId);
      expect(logs.filter((line) => line.includes(address))).toEqual([]);
    } finally {
      smtp.setRejecting(false);
    }
  });

  it('moves a comment service\'s cursor only forward, whoever read further first', async () => {
    const a = new NotificationStore(first);
    const b = new NotificationStore(second);
    const service = 'https://cursor.example';
    expect(await a.cursor(service)).toBeUndefined();
    await Promise.all([a.advanceCursor(service, undefined, '5', now), b.advanceCursor(service, undefined, '5', now)]);
    expect(await a.cursor(service)).toBe('5');
    // b read from 5 to 9; a, slower, read from 5 to 7 and finishes after it.
    await b.advanceCursor(service, '5', '9', now);
    await a.advanceCursor(service, '5', '7', now);
    expect(await a.cursor(service)).toBe('9');
  });
});

describe('unsubscribe tokens', () => {
  const secret = 'secret-one';
  const claims = { accountId: '6cdd1b31-b9cd-4ead-aecd-2e4d4b6029a5', siteId: 'demo-blog', issuedAt: 1_796_137_922 };

  it('read back what they were made with, and name no address', () => {
    const token = createUnsubscribeToken(secret, claims);
    expect(readUnsubscribeToken(secret, token)).toEqual(claims);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  });

  it('are refused when altered, made with another secret, or not tokens at all', () => {
    const token = createUnsubscribeToken(secret, claims);
    const [payload, mac] = token.split('.') as [string, string];
    const otherSite = Buffer.from(`${claims.accountId}\nother-blog\n${claims.issuedAt}`).toString('base64url');
    for (const bad of [
      `${otherSite}.${mac}`,
      `${payload}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      createUnsubscribeToken('secret-two', claims),
      createUnsubscribeToken(secret, { ...claims, siteId: 'Not A Site' }),
      createUnsubscribeToken(secret, { ...claims, accountId: 'a\nb' }),
      '',
      'abc',
      `${payload}.${mac}.extra`,
      'x'.repeat(10_000),
      undefined,
      ['a', 'b'],
    ]) {
      expect(readUnsubscribeToken(secret, bad)).toBeUndefined();
    }
  });
});
