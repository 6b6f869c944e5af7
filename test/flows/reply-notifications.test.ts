import { runComments } from '../../src/commands/comments';
import { createCommentService, type CommentService } from '../../src/comments';
import { OUTAGE_WARNING_MS } from '../../src/gateway/notifications/outbox-poller';
import { listen, type RunningServer } from '../../src/http/listen';
import { openDatabase, type Db } from '../../src/store/database';
import { GATEWAY_DB_FILE } from '../../src/tokens/open-key-store';
import { makeDataDir } from '../helpers/data-dir';
import { testDatabaseUrl, testStoreEnv } from '../helpers/postgres';
import { TestBrowser } from '../helpers/browser';
import { freePort } from '../helpers/free-port';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { authorize, discover, interactionUid, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { startSmtpServer, type ReceivedMail, type RunningSmtpServer } from '../helpers/smtp';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { DEMO_ORIGIN, GatewayTokens, postComment, serviceSettings } from '../comments/support';
import { registryValue } from '../observability/support';

/**
 * Reply notifications end to end over real SMTP (issue 15, item 2): two commenters signed in by
 * email at a real gateway, a real comment service the gateway reaches through a TCP relay (so the
 * test can take it away), and a local SMTP server that can refuse and then accept.
 *
 * The gateway's notification clock is the test's: it polls every 50 ms in real time, but a batch
 * becomes due, or a retry comes round, only when the test moves that clock on. So "within the
 * batch window" and "after the retry delay" are decided by the test, never by how fast it runs.
 */

const BATCH_WINDOW_MS = 60_000;
const RETRY_BASE_MS = 30_000;
const ADA = 'ada@example.com';
const GRACE = 'grace@example.com';

/** The gateway's log lines (collected by the suite), for a failure's message. */
const gatewayLog: string[] = [];

/**
 * Waits, polling, until `check` holds; fails with `what` after the deadline, and with the
 * gateway's last log lines about notifications and failures, so a failure in CI says why.
 */
async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const recent = gatewayLog.filter((line) => /reply|notification|outbox|"level":"(warn|error)"/.test(line)).slice(-15);
      throw new Error(`timed out waiting for ${what}; the gateway's last lines about it:\n${recent.map((line) => line.slice(0, 500)).join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A header field of a raw message, unfolded. */
function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((candidate) => candidate.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

function decodePart(part: string): { type: string; body: string } {
  const [head, ...rest] = part.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  const type = /content-type:\s*([^;\s]+)/i.exec(head!)?.[1]?.toLowerCase() ?? 'text/plain';
  const encoding = /content-transfer-encoding:\s*(\S+)/i.exec(head!)?.[1]?.toLowerCase() ?? '7bit';
  if (encoding === 'base64') return { type, body: Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') };
  if (encoding === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return { type, body: Buffer.from(bytes, 'latin1').toString('utf8') };
  }
  return { type, body };
}

/** The text/plain and text/html parts of a raw message, decoded. */
function parts(rawMessage: string): { text: string; html: string } {
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(rawMessage)?.[1];
  const raw = rawMessage.replace(/\r\n/g, '\n');
  const decoded = boundary === undefined ? [decodePart(raw)] : raw.split(`--${boundary}`).slice(1, -1).map((part) => decodePart(part.replace(/^\r?\n/, '')));
  return { text: decoded.find((part) => part.type === 'text/plain')?.body ?? '', html: decoded.find((part) => part.type === 'text/html')?.body ?? '' };
}

describe('reply notifications over real SMTP', () => {
  let smtp: RunningSmtpServer;
  let relay: TcpProxy;
  let gw: RunningTestGateway;
  let discovery: Discovery;
  let comments: { url: string; service: CommentService; server: RunningServer; settings: ReturnType<typeof serviceSettings> };
  /** A second connection to the gateway's database (SQLite, or PostgreSQL in the cluster suite). */
  let gatewayDb: Db;
  const logs = gatewayLog;
  let clockOffsetMs = 0;
  const advance = (ms: number) => {
    clockOffsetMs += ms;
  };

  let ada: string;
  let grace: string;
  let linus: string;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    const commentsPort = await freePort();
    relay = await startTcpProxy({ host: '127.0.0.1', port: commentsPort });
    gw = await startTestGateway({
      env: { PARLEY_SMTP_URL: smtp.url, PARLEY_MAIL_FROM: 'Demo Blog <comments@blog.example>', PARLEY_COMMENTS_INTERNAL_URL: `http://127.0.0.1:${relay.port}`, PARLEY_LOG_LEVEL: 'debug' },
      gatewayOptions: {
        log: (line) => logs.push(line),
        notifications: { pollIntervalMs: 50, batchWindowMs: BATCH_WINDOW_MS, retryBaseMs: RETRY_BASE_MS, clock: () => Date.now() + clockOffsetMs },
      },
    });
    discovery = await discover(gw.issuer);
    const commentsDir = makeDataDir();
    const settings = serviceSettings(gw.issuer, commentsDir, await testStoreEnv(commentsDir));
    // Three commenters post a lot here: the flood limits are not what this tests.
    const service = await createCommentService(settings, { log: () => undefined, rateLimits: [{ limit: 100, windowSeconds: 60 }] });
    const server = await listen(service.app, commentsPort);
    comments = { url: `http://127.0.0.1:${commentsPort}`, service, server, settings };
    gatewayDb = await openDatabase({ dataDir: gw.dataDir, fileName: GATEWAY_DB_FILE, databaseUrl: await testDatabaseUrl(gw.dataDir) });
    ada = await signIn(ADA, 'Ada Lovelace');
    grace = await signIn(GRACE, 'Grace Hopper');
    linus = await signIn('linus@example.com', 'Linus');
  });
  afterAll(async () => {
    await gatewayDb.destroy();
    await comments.server.close();
    await comments.service.close();
    await gw.stop();
    await relay.close();
    await smtp.close();
  });

  /** Signs in by email with the code mailed over SMTP; the access token for demo-blog. */
  async function signIn(email: string, name: string): Promise<string> {
    const browser = new TestBrowser();
    const { pending, response } = await authorize(browser, discovery, { provider: 'email' });
    const uid = interactionUid(response);
    const before = smtp.received.length;
    expect((await browser.post(`${gw.issuer}/interaction/${uid}/email`, { email, name })).status).toBe(200);
    const mail = smtp.received.slice(before).find((message) => message.to.includes(email))!;
    const code = /Your code: (\d{6})/.exec(parts(mail.raw).text)![1]!;
    const relayPage = await browser.post(`${gw.issuer}/interaction/${uid}/email/code`, { code });
    const tokens = await redeemCode(discovery, pending, relayParams(relayPage).get('code')!);
    expect(tokens.status).toBe(200);
    return tokens.body['access_token'] as string;
  }

  async function comment(token: string, post: string, payload: Record<string, unknown>): Promise<string> {
    const posted = await postComment(comments.url, 'demo-blog', post, token, payload, { origin: DEMO_ORIGIN });
    expect(posted.status).toBe(201);
    return posted.json.comment!.id;
  }

  const notificationsTo = (address: string): ReceivedMail[] =>
    smtp.received.filter((mail) => mail.to.includes(address) && !/^Subject: Log in/m.test(mail.raw));
  const notifications = () => gatewayDb.selectFrom('reply_notifications').selectAll().execute();
  const storedFor = async (replyId: string) => (await notifications()).filter((row) => (JSON.parse(row.notice) as { reply: { id: string } }).reply.id === replyId).length;
  const unsent = async () => (await notifications()).filter((row) => row.sent_at === null);

  /** The gateway's count of reply-notification batches with this outcome (its Prometheus registry). */
  async function batches(outcome: string): Promise<number> {
    return registryValue(gw.gateway.metrics, 'parley_gateway_reply_notifications_total', { outcome });
  }

  /** Moves the notification clock past the batch window and waits until everything kept is sent. */
  async function flush(): Promise<void> {
    advance(BATCH_WINDOW_MS + 1_000);
    await waitFor('every kept notification to be sent', async () => (await unsent()).length === 0);
  }

  let adaComment: string;
  let firstMail: ReceivedMail;

  it('mails exactly one email to the author who opted in when someone replies, with the reply, the link and one-click unsubscribe', async () => {
    adaComment = await comment(ada, 'engine', { body: 'The engine weaves algebraic patterns.', notifyReplies: true, pageUrl: `${DEMO_ORIGIN}/posts/engine?utm=x#respond` });
    const reply = await comment(grace, 'engine', { body: 'It needs a debugger.\nA good one.', parentId: adaComment, pageUrl: `${DEMO_ORIGIN}/posts/engine` });
    await waitFor('the reply to reach the gateway', async () => (await storedFor(reply)) === 1);
    expect(notificationsTo(ADA)).toHaveLength(0);
    const sentBefore = await batches('sent');
    await flush();
    expect((await batches('sent')) - sentBefore).toBe(1);

    const mails = notificationsTo(ADA);
    expect(mails).toHaveLength(1);
    firstMail = mails[0]!;
    expect(firstMail.to).toEqual([ADA]);
    expect(firstMail.from).toBe('comments@blog.example');
    expect(header(firstMail.raw, 'Subject')).toBe('New reply to your comment on Demo Blog');
    expect(header(firstMail.raw, 'List-Unsubscribe')).toMatch(new RegExp(`^<${gw.issuer}/unsubscribe/replies\\?t=[A-Za-z0-9_.-]+>$`));
    expect(header(firstMail.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const { text, html } = parts(firstMail.raw);
    expect(text).toContain('Grace Hopper replied to your comment on Demo Blog');
    expect(text).toContain('  It needs a debugger.\n  A good one.');
    expect(text).toContain('Your comment: "The engine weaves algebraic patterns."');
    expect(text).toContain(`Read the thread: ${DEMO_ORIGIN}/posts/engine#parley-comment-${reply}`);
    expect(text).toContain(`Stop these emails for Demo Blog: ${gw.issuer}/unsubscribe/replies?t=`);
    expect(html).toContain(`<a href="${DEMO_ORIGIN}/posts/engine#parley-comment-${reply}">Read the thread</a>`);
    // Nobody's address but the recipient's, and the unsubscribe token names none.
    expect(firstMail.raw).not.toContain(GRACE);
    const token = new URL(header(firstMail.raw, 'List-Unsubscribe')!.slice(1, -1)).searchParams.get('t')!;
    expect(Buffer.from(token.split('.')[0]!, 'base64url').toString()).not.toContain('@');
  });

  it('escapes what strangers typed in the HTML part', async () => {
    const reply = await comment(linus, 'engine', { body: '<img src=x onerror=alert(1)> & "quotes"', parentId: adaComment });
    await waitFor('the reply to reach the gateway', async () => (await storedFor(reply)) === 1);
    await flush();
    const { html, text } = parts(notificationsTo(ADA).at(-1)!.raw);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
    expect(html).not.toContain('<img src=x');
    expect(text).toContain('<img src=x onerror=alert(1)> & "quotes"');
  });

  it('mails two replies that come within the batch window as one email', async () => {
    const before = notificationsTo(ADA).length;
    const first = await comment(grace, 'engine', { body: 'First thought.', parentId: adaComment });
    const second = await comment(grace, 'engine', { body: 'Second thought.', parentId: adaComment });
    await waitFor('both replies to reach the gateway', async () => (await storedFor(first)) + (await storedFor(second)) === 2);
    await flush();
    const mails = notificationsTo(ADA).slice(before);
    expect(mails).toHaveLength(1);
    expect(header(mails[0]!.raw, 'Subject')).toBe('2 new replies to your comment on Demo Blog');
    const { text } = parts(mails[0]!.raw);
    expect(text.indexOf('First thought.')).toBeGreaterThan(-1);
    expect(text.indexOf('Second thought.')).toBeGreaterThan(text.indexOf('First thought.'));
  });

  it('mails nothing for a reply to one\'s own comment', async () => {
    const before = notificationsTo(ADA).length;
    const graceComment = await comment(grace, 'self', { body: 'Grace listens too.', notifyReplies: true });
    const self = await comment(ada, 'engine', { body: 'Answering myself.', parentId: adaComment });
    // A later reply to someone else shows when the gateway has read past the first.
    const sentinel = await comment(ada, 'self', { body: 'Ada answers Grace.', parentId: graceComment });
    await waitFor('the later reply to reach the gateway', async () => (await storedFor(sentinel)) === 1);
    expect(await storedFor(self)).toBe(0);
    await flush();
    expect(notificationsTo(ADA).slice(before)).toHaveLength(0);
    expect(parts(notificationsTo(GRACE).at(-1)!.raw).text).toContain('Ada answers Grace.');
  });

  it('mails nothing for a reply a moderator hid before the gateway read it, and catches up after the comment service was unreachable', async () => {
    const before = notificationsTo(ADA).length;
    await relay.stop();
    // Only what the gateway logs from now on: a poll that failed earlier under load (and was
    // followed by a good one) logged the same words, and must not pass for this outage.
    const loggedBefore = logs.length;
    const since = () => logs.slice(loggedBefore);
    let kept: string;
    let hidden: string;
    try {
      hidden = await comment(linus, 'engine', { body: 'Something rude.', parentId: adaComment });
      await runComments(comments.settings, ['hide', 'demo-blog', hidden], { print: () => undefined });
      kept = await comment(linus, 'engine', { body: 'Something kind.', parentId: adaComment });
      await waitFor('the gateway to notice the comment service is gone', () => since().some((line) => line.includes('cannot read the comment service')));
      // A moment's outage is only debug; one that lasts is a warning, once.
      expect(since().filter((line) => line.includes('"level":"warn"') && line.includes('reply outbox'))).toEqual([]);
      advance(OUTAGE_WARNING_MS);
      await waitFor('a warning about the outage', () => since().some((line) => line.includes('"level":"warn"') && line.includes('for a minute now')));
      // The gateway keeps serving while its comment service is away.
      expect((await fetch(`${gw.issuer}/healthz`)).status).toBe(200);
      expect(await storedFor(kept)).toBe(0);
    } finally {
      // Whatever happened above, the tests after this one need the comment service back.
      await relay.start();
    }

    await waitFor('the gateway to catch up', async () => (await storedFor(kept)) === 1);
    expect(since().filter((line) => line.includes('"level":"warn"') && line.includes('reply outbox'))).toHaveLength(1);
    await waitFor('the gateway to say the comment service is back', () => since().some((line) => line.includes('answers again')));
    expect(await storedFor(hidden)).toBe(0);
    await flush();
    const mails = notificationsTo(ADA).slice(before);
    expect(mails).toHaveLength(1);
    expect(parts(mails[0]!.raw).text).toContain('Something kind.');
    expect(parts(mails[0]!.raw).text).not.toContain('Something rude.');
  });

  it('keeps a message a failing mail server refused, and delivers it once when the server accepts again', async () => {
    const before = notificationsTo(ADA).length;
    smtp.setRejecting(true);
    const failedBefore = await batches('failed');
    const reply = await comment(grace, 'engine', { body: 'Delivered in the end.', parentId: adaComment });
    await waitFor('the reply to reach the gateway', async () => (await storedFor(reply)) === 1);
    advance(BATCH_WINDOW_MS + 1_000);
    await waitFor('the mail server to refuse it', async () => (await unsent()).some((row) => row.attempts >= 1 && row.last_error !== null));
    expect(smtp.rejectedCount()).toBeGreaterThanOrEqual(1);
    expect((await batches('failed')) - failedBefore).toBeGreaterThanOrEqual(1);
    const [row, ...others] = await unsent();
    expect(others).toEqual([]);
    expect(row!.last_error).toContain('550');
    expect(row!.last_error).not.toContain(ADA);
    expect(Number(row!.next_attempt_at)).toBeGreaterThan(Date.now() + clockOffsetMs);

    smtp.setRejecting(false);
    advance(RETRY_BASE_MS + 1_000);
    await waitFor('the retry to be delivered', async () => (await unsent()).length === 0);
    const mails = notificationsTo(ADA).slice(before);
    expect(mails).toHaveLength(1);
    expect(parts(mails[0]!.raw).text).toContain('Delivered in the end.');
  });

  it('stops after the one-click unsubscribe POST, shows a button on GET without unsubscribing, and refuses a forged link', async () => {
    const link = header(firstMail.raw, 'List-Unsubscribe')!.slice(1, -1);
    const unsubscribedAt = async () => {
      const identity = await gatewayDb.selectFrom('identities').select('account_id').where('provider', '=', 'email').where('subject', '=', ADA).executeTakeFirstOrThrow();
      const site = await gatewayDb.selectFrom('account_sites').select('replies_unsubscribed_at').where('site_id', '=', 'demo-blog').where('account_id', '=', identity.account_id).executeTakeFirstOrThrow();
      return site.replies_unsubscribed_at;
    };

    const shown = await fetch(link);
    expect(shown.status).toBe(200);
    const page = await shown.text();
    expect(page).toContain('<form method="post"');
    expect(page).toContain('Stop these emails');
    expect(await unsubscribedAt()).toBeNull();

    for (const forged of [`${gw.issuer}/unsubscribe/replies`, `${link}x`, link.replace(/t=./, 't=A'), `${gw.issuer}/unsubscribe/replies?t=${'a'.repeat(20)}.${'b'.repeat(43)}`]) {
      const refused = await fetch(forged, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      expect({ forged, status: refused.status }).toEqual({ forged, status: 400 });
      expect(await refused.text()).toContain('This link does not work');
    }
    expect(await unsubscribedAt()).toBeNull();

    // Exactly as a mail client does it (RFC 8058 section 3.2): a POST with this body, no cookie.
    const oneClick = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.text()).toContain('no more reply emails');
    expect(await unsubscribedAt()).not.toBeNull();
    expect((await fetch(link, { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status).toBe(200);

    const before = notificationsTo(ADA).length;
    const ignored = await comment(grace, 'engine', { body: 'Nobody will be told.', parentId: adaComment });
    const graceComment = await comment(grace, 'after', { body: 'Grace again.', notifyReplies: true });
    const sentinel = await comment(linus, 'after', { body: 'Linus answers Grace.', parentId: graceComment });
    await waitFor('the later reply to reach the gateway', async () => (await storedFor(sentinel)) === 1);
    expect(await storedFor(ignored)).toBe(0);

    // Ticking the box on a new comment turns it on again, for that comment.
    const fresh = await comment(ada, 'after', { body: 'Ada opts in again.', notifyReplies: true });
    const toFresh = await comment(grace, 'after', { body: 'Welcome back.', parentId: fresh });
    await waitFor('the reply to the new comment to reach the gateway', async () => (await storedFor(toFresh)) === 1);
    await flush();
    const mails = notificationsTo(ADA).slice(before);
    expect(mails).toHaveLength(1);
    expect(parts(mails[0]!.raw).text).toContain('Welcome back.');
  });

  it('drops a notice for a commenter the gateway never issued a token to', async () => {
    const stranger = await (await GatewayTokens.of(gw)).mint({ sub: 'never-issued-here', name: 'Stranger', client_id: 'demo-blog', idp: 'email' });
    const strangerComment = await comment(stranger, 'stranger', { body: 'Who am I?', notifyReplies: true });
    const reply = await comment(grace, 'stranger', { body: 'Nobody knows.', parentId: strangerComment });
    const graceComment = await comment(grace, 'stranger', { body: 'Grace listens here too.', notifyReplies: true });
    const sentinel = await comment(linus, 'stranger', { body: 'Linus answers.', parentId: graceComment });
    await waitFor('the later reply to reach the gateway', async () => (await storedFor(sentinel)) === 1);
    expect(await storedFor(reply)).toBe(0);
    expect(logs.some((line) => line.includes('no account is known by that subject'))).toBe(true);
    await flush();
  });

  it('never writes the recipient\'s address in a log line about notifications', () => {
    const notificationLines = logs.filter((line) => /notification|unsubscribe/i.test(line));
    expect(notificationLines.some((line) => line.includes('reply notification sent'))).toBe(true);
    expect(notificationLines.some((line) => line.includes('not delivered; will retry'))).toBe(true);
    expect(notificationLines.filter((line) => line.toLowerCase().includes(ADA))).toEqual([]);
    expect(logs.filter((line) => line.toLowerCase().includes(ADA))).toEqual([]);
  });
});
