import { decodeJwt } from 'jose';
import { createCommentService, type CommentService } from '../../src/comments';
import { listen, type RunningServer } from '../../src/http/listen';
import { BackchannelClient } from '../../src/backchannel/gateway-client';
import { BACKCHANNEL_PATHS, FORMER_COMMENTER_NAME, type ExportAnswer, type SiteSubject } from '../../src/backchannel/protocol';
import { loadKeyRing } from '../../src/tokens/keys';
import { GATEWAY_DB_FILE } from '../../src/tokens/open-key-store';
import { openDatabase } from '../../src/store/database';
import type { AccountExport } from '../../src/gateway/account-data/account-export';
import { TestBrowser, extract, type BrowserResponse } from '../helpers/browser';
import { makeDataDir } from '../helpers/data-dir';
import { testDatabaseUrl } from '../helpers/postgres';
import { startEmailSignIn } from '../helpers/email';
import { freePort } from '../helpers/free-port';
import { COMMENTS_URL, startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { codeIn, discover, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { DEMO_ORIGIN, getComments, OTHER_ORIGIN, postComment, serviceSettings } from '../comments/support';
import { registryValue } from '../observability/support';

/**
 * The account page's export and erasure across a real gateway and a real comment service: the
 * gateway reaches the service on its own port through PARLEY_COMMENTS_INTERNAL_URL, commenters
 * sign in by email, tokens are real, and the service is stopped and started again on the same
 * port to play a comment service that is down.
 */
describe('the account page: export and erasure across the gateway and the comment service', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;
  let servicePort: number;
  const serviceDataDir = makeDataDir();
  let service: { service: CommentService; server: RunningServer } | undefined;
  let serviceUrl: string;
  const gatewayLog: string[] = [];

  async function startService(serviceOptions: Parameters<typeof createCommentService>[1] = {}): Promise<void> {
    const created = await createCommentService(serviceSettings(gw.issuer, serviceDataDir), { log: () => undefined, ...serviceOptions });
    service = { service: created, server: await listen(created.app, servicePort) };
  }

  async function stopService(): Promise<void> {
    if (!service) return;
    await service.server.close();
    await service.service.close();
    service = undefined;
  }

  beforeAll(async () => {
    servicePort = await freePort();
    serviceUrl = `http://127.0.0.1:${servicePort}`;
    gw = await startTestGateway({
      env: { PARLEY_COMMENTS_INTERNAL_URL: serviceUrl },
      // Unconfirmed erasures are retried within a fraction of a second here (30 s by default).
      // The follow-up pass after a confirmed erasure comes 1.5 s after it (15 s by default).
      gatewayOptions: { accountData: { retryBaseMs: 100, pollIntervalMs: 50, revocationSettleMs: 1_500 }, log: (line) => gatewayLog.push(line) },
    });
    discovery = await discover(gw.issuer);
    await startService();
  });
  afterAll(async () => {
    await stopService();
    await gw.stop();
  });

  /** Signs in by email in `browser` for a site; answers the site's access token. */
  async function signIn(browser: TestBrowser, email: string, name: string, siteId = 'demo-blog'): Promise<string> {
    const started = await startEmailSignIn(browser, discovery, email, { siteId, name });
    const relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
    const tokens = await redeemCode(discovery, started.pending, relayParams(relay).get('code')!, {}, siteId === 'demo-blog' ? DEMO_ORIGIN : OTHER_ORIGIN);
    expect(tokens.status).toBe(200);
    return tokens.body['access_token'] as string;
  }

  function csrfOf(page: string): string {
    return extract(page, /name="csrf" value="([^"]+)"/);
  }

  async function accountPage(browser: TestBrowser): Promise<BrowserResponse> {
    const page = await browser.get(`${gw.issuer}/account`);
    expect(page.status).toBe(200);
    return page;
  }

  async function exportOf(browser: TestBrowser): Promise<{ response: BrowserResponse; data: AccountExport }> {
    const page = await accountPage(browser);
    const response = await browser.post(`${gw.issuer}/account/export`, { csrf: csrfOf(page.text) });
    expect(response.status).toBe(200);
    return { response, data: JSON.parse(response.text) as AccountExport };
  }

  /** Erases the browser's account through the confirmation page; answers the status page. */
  async function erase(browser: TestBrowser): Promise<BrowserResponse> {
    const confirm = await browser.get(`${gw.issuer}/account/erase`);
    expect(confirm.status).toBe(200);
    return browser.post(`${gw.issuer}/account/erase`, { csrf: csrfOf(confirm.text), confirm: 'yes' });
  }

  /** A back-channel client of its own, signing with the gateway's key as the gateway does. */
  async function freshBackchannel(): Promise<BackchannelClient> {
    const ring = (await loadKeyRing(gw.gateway.keyStore, { createIfMissing: false }))!;
    return new BackchannelClient({ baseUrl: serviceUrl, audience: COMMENTS_URL, issuer: gw.issuer, signingKey: () => ring.current });
  }

  /** What the gateway's database still holds that names an account or an address (read through a second connection). */
  async function gatewayRowsNaming(accountId: string, email: string): Promise<Record<string, number>> {
    const db = await openDatabase({ dataDir: gw.dataDir, fileName: GATEWAY_DB_FILE, databaseUrl: await testDatabaseUrl(gw.dataDir) });
    try {
      const rows = async (query: { execute(): Promise<unknown[]> }) => (await query.execute()).length;
      return {
        accounts: await rows(db.selectFrom('accounts').select('id').where('id', '=', accountId)),
        identities: await rows(db.selectFrom('identities').select('subject').where((eb) => eb.or([eb('account_id', '=', accountId), eb('subject', '=', email)]))),
        account_sites: await rows(db.selectFrom('account_sites').select('subject').where('account_id', '=', accountId)),
        reply_notifications: await rows(db.selectFrom('reply_notifications').select('id').where('account_id', '=', accountId)),
        email_signins: await rows(db.selectFrom('email_signins').select('id').where('email', '=', email)),
        oidc_payloads: await rows(db.selectFrom('oidc_payloads').select('id').where('payload', 'like', `%${accountId}%`)),
        sessions: await rows(db.selectFrom('sessions').select('sid').where('data', 'like', `%${accountId}%`)),
      };
    } finally {
      await db.destroy();
    }
  }

  /** The account id behind a browser's page session, read from the gateway's database. */
  async function accountIdOf(email: string): Promise<string> {
    const db = await openDatabase({ dataDir: gw.dataDir, fileName: GATEWAY_DB_FILE, databaseUrl: await testDatabaseUrl(gw.dataDir) });
    try {
      return (await db.selectFrom('identities').select('account_id').where('provider', '=', 'email').where('subject', '=', email).executeTakeFirstOrThrow()).account_id;
    } finally {
      await db.destroy();
    }
  }

  /**
   * A reply email waiting for the account (as reply notifications queue them), due only in an
   * hour so no sender takes it meanwhile: erasure must drop it with the account.
   */
  async function queueReplyNotification(accountId: string): Promise<void> {
    const db = await openDatabase({ dataDir: gw.dataDir, fileName: GATEWAY_DB_FILE, databaseUrl: await testDatabaseUrl(gw.dataDir) });
    try {
      const now = Date.now();
      await db
        .insertInto('reply_notifications')
        .values({ id: `${serviceUrl}|test-notice`, account_id: accountId, site_id: 'demo-blog', notice: '{}', created_at: now, next_attempt_at: now + 60 * 60 * 1000, lease_until: null, sent_at: null, last_error: null })
        .execute();
    } finally {
      await db.destroy();
    }
  }

  /** The gateway's count of erasure attempts with this outcome (its Prometheus registry). */
  async function erasureAttempts(outcome: string): Promise<number> {
    return registryValue(gw.gateway.metrics, 'parley_gateway_erasure_attempts_total', { outcome });
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs = 5_000): Promise<T> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${deadlineMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('exports a commenter with comments on two blogs, erases them, and leaves their comments anonymised and their tokens refused', async () => {
    const ada = new TestBrowser();
    const demoToken = await signIn(ada, 'ada@example.com', 'Ada Lovelace', 'demo-blog');
    // The second blog in another browser (the first would sign in silently, without the email step).
    const otherToken = await signIn(new TestBrowser(), 'ada@example.com', 'Ada Lovelace', 'other-blog');
    const first = await postComment(serviceUrl, 'demo-blog', 'engines', demoToken, { body: 'What a fine engine.', notifyReplies: true, pageUrl: `${DEMO_ORIGIN}/engines` });
    expect(first.status).toBe(201);
    expect((await postComment(serviceUrl, 'other-blog', 'looms', otherToken, { body: 'Punched cards!' })).status).toBe(201);
    const graceToken = await signIn(new TestBrowser(), 'grace@example.com', 'Grace Hopper');
    expect((await postComment(serviceUrl, 'demo-blog', 'engines', graceToken, { body: 'It needs a debugger.', parentId: first.json.comment!.id })).status).toBe(201);

    const page = await accountPage(ada);
    expect(page.text).toContain('Demo Blog');
    expect(page.text).toContain('Other Blog');
    expect(page.text).toContain('This browser');
    expect(page.text).toContain('A browser');

    const { response, data } = await exportOf(ada);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="parley-account-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(data).toMatchObject({ format: 'parley-account-export', version: 1, account: { name: 'Ada Lovelace', picture: null } });
    expect(data.identities).toEqual([{ provider: 'email', label: 'ada@example.com', addedAt: expect.any(String) }]);
    expect(data.sites.map((site) => [site.id, site.name, site.subject, site.replyEmails]).sort()).toEqual([
      ['demo-blog', 'Demo Blog', decodeJwt(demoToken).sub, true],
      ['other-blog', 'Other Blog', decodeJwt(otherToken).sub, true],
    ]);
    expect(data.comments.map((comment) => [comment.site, comment.postId, comment.body, comment.authorName]).sort()).toEqual([
      ['demo-blog', 'engines', 'What a fine engine.', 'Ada Lovelace'],
      ['other-blog', 'looms', 'Punched cards!', 'Ada Lovelace'],
    ]);
    const engines = data.comments.find((comment) => comment.postId === 'engines')!;
    expect(engines).toMatchObject({ notifyReplies: true, state: 'visible', url: expect.stringContaining(`${DEMO_ORIGIN}/engines`) });
    expect(JSON.stringify(data)).not.toContain('Grace');

    const subjects: SiteSubject[] = [
      { site: 'demo-blog', sub: decodeJwt(demoToken).sub! },
      { site: 'other-blog', sub: decodeJwt(otherToken).sub! },
    ];
    const accountId = await accountIdOf('ada@example.com');
    await queueReplyNotification(accountId);
    const before = await gatewayRowsNaming(accountId, 'ada@example.com');
    expect(before).toMatchObject({ accounts: 1, identities: 1, account_sites: 2, reply_notifications: 1, email_signins: 2 });
    expect(before.oidc_payloads).toBeGreaterThan(0);
    const erased = await erase(ada);
    expect(erased.status).toBe(200);
    expect(erased.url).toMatch(/\/account\/erased\/[A-Za-z0-9_-]{24}$/);
    expect(erased.text).toContain('Your account is erased');
    expect(erased.text).not.toContain('Ada');
    expect(await gatewayRowsNaming(accountId, 'ada@example.com')).toEqual({
      accounts: 0,
      identities: 0,
      account_sites: 0,
      reply_notifications: 0,
      email_signins: 0,
      oidc_payloads: 0,
      sessions: 0,
    });

    const answer = await (await freshBackchannel()).post<ExportAnswer>(BACKCHANNEL_PATHS.export, { subjects });
    expect(answer.comments).toEqual([]);
    const thread = (await getComments(serviceUrl, 'demo-blog', 'engines')).json.comments!;
    expect(thread.map((comment) => [comment.author?.name, comment.parentId === null])).toEqual([
      [FORMER_COMMENTER_NAME, true],
      ['Grace Hopper', false],
    ]);
    expect(JSON.stringify(thread)).not.toContain('Ada');

    // A token issued before the erasure is refused within seconds (the revocation feed).
    await until('the old token refused', async () => {
      const status = (await postComment(serviceUrl, 'demo-blog', 'engines', demoToken, { body: 'Still me?' })).status;
      return status === 401 ? status : undefined;
    });

    // The account is gone: the same address now makes a new account that no blog knows.
    const again = new TestBrowser();
    const newToken = await signIn(again, 'ada@example.com', 'Ada Again');
    expect(decodeJwt(newToken).sub).not.toBe(subjects[0]!.sub);
    const fresh = await exportOf(again);
    expect(fresh.data.account.name).toBe('Ada Again');
    expect(fresh.data.sites.map((site) => site.id)).toEqual(['demo-blog']);
    expect(fresh.data.comments).toEqual([]);
  });

  it('refuses the account page\'s new forms without their CSRF token', async () => {
    const browser = new TestBrowser();
    await signIn(browser, 'forger@example.com', 'Forged');
    for (const [path, form] of [
      ['/account/export', {}],
      ['/account/erase', { confirm: 'yes' }],
      ['/account/replies', { site: 'demo-blog', emails: 'off' }],
    ] as const) {
      const forged = await browser.post(`${gw.issuer}${path}`, form);
      expect(forged.status).toBe(403);
      expect(forged.headers.get('content-disposition')).toBeNull();
    }
    const page = await accountPage(browser);
    expect(page.text).toContain('Logged in as <strong>Forged</strong>');
    expect(page.text).toContain('Email me about replies to comments where I ticked the box: <strong>on</strong>');
  });

  it('turns a blog\'s reply emails off and on again', async () => {
    const browser = new TestBrowser();
    await signIn(browser, 'toggler@example.com', 'Toggler');
    const page = await accountPage(browser);
    const off = await browser.post(`${gw.issuer}/account/replies`, { csrf: csrfOf(page.text), site: 'demo-blog', emails: 'off' });
    expect(off.url).toContain('/account?notice=');
    expect(off.text).toContain('Demo Blog will not email you about replies any more');
    expect(off.text).toContain('ticked the box: <strong>off</strong>');
    expect((await exportOf(browser)).data.sites[0]).toMatchObject({ id: 'demo-blog', replyEmails: false, replyEmailsOffSince: expect.any(String) });

    const on = await browser.post(`${gw.issuer}/account/replies`, { csrf: csrfOf(off.text), site: 'demo-blog', emails: 'on' });
    expect(on.text).toContain('Demo Blog will email you about replies');
    expect(on.text).toContain('ticked the box: <strong>on</strong>');
    expect((await exportOf(browser)).data.sites[0]).toMatchObject({ replyEmails: true, replyEmailsOffSince: null });

    // A blog this account never used, or a made-up setting, changes nothing.
    expect((await browser.post(`${gw.issuer}/account/replies`, { csrf: csrfOf(on.text), site: 'other-blog', emails: 'off' })).status).toBe(400);
    expect((await browser.post(`${gw.issuer}/account/replies`, { csrf: csrfOf(on.text), site: 'demo-blog', emails: 'maybe' })).status).toBe(400);
  });

  it('asks for the tick before erasing', async () => {
    const browser = new TestBrowser();
    await signIn(browser, 'hesitant@example.com', 'Hesitant');
    const confirm = await browser.get(`${gw.issuer}/account/erase`);
    expect(confirm.text).toContain('cannot be undone');
    expect(confirm.text).toContain('<strong>Demo Blog</strong>: the text of your comments stays');
    expect(confirm.text).toContain('hesitant@example.com');
    const unticked = await browser.post(`${gw.issuer}/account/erase`, { csrf: csrfOf(confirm.text) });
    expect(unticked.status).toBe(400);
    expect(unticked.text).toContain('Tick the box');
    expect((await accountPage(browser)).text).toContain('Logged in as <strong>Hesitant</strong>');
  });

  it('answers an unknown erasure address with 404', async () => {
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAAAA', 'not-an-id', '..%2F..%2Fetc']) {
      const page = await new TestBrowser().get(`${gw.issuer}/account/erased/${id}`);
      expect(page.status).toBe(404);
      expect(page.text).toContain('does not belong to any erasure');
      const asked = await fetch(`${gw.issuer}/account/erased/${id}`, { headers: { accept: 'application/json' } });
      expect(asked.status).toBe(404);
      expect(await asked.json()).toEqual({ error: 'not_found' });
    }
  });

  it('two tabs: after an erasure in one, the other tab\'s forms lead to the signed-out page, and Back shows nothing personal', async () => {
    const browser = new TestBrowser();
    await signIn(browser, 'tabs@example.com', 'Two Tabs');
    const otherTab = await accountPage(browser);
    expect(otherTab.headers.get('cache-control')).toBe('no-store');
    const erased = await erase(browser);
    expect(erased.text).toContain('Your account is erased');
    expect(erased.headers.get('cache-control')).toBe('no-store');

    for (const [path, form] of [
      ['/account/export', {}],
      ['/account/replies', { site: 'demo-blog', emails: 'off' }],
      ['/account/erase', { confirm: 'yes' }],
      ['/account/signout-everywhere', {}],
    ] as const) {
      const stale = await browser.post(`${gw.issuer}${path}`, { csrf: csrfOf(otherTab.text), ...form });
      expect(stale.status).toBe(200);
      expect(stale.text).toContain('You are not logged in on this browser');
      expect(stale.text).not.toContain('Two Tabs');
    }
    for (const path of ['/account', '/account/erase']) {
      const back = await browser.get(`${gw.issuer}${path}`);
      expect(back.headers.get('cache-control')).toBe('no-store');
      expect(back.text).toContain('You are not logged in on this browser');
      expect(back.text).not.toMatch(/Two Tabs|tabs@example\.com/);
    }
  });

  it('after an erasure, the status page leads back to the blog the account page was opened from, and nowhere else', async () => {
    const browser = new TestBrowser();
    await signIn(browser, 'leaving@example.com', 'Leaving');
    const opened = await browser.get(`${gw.issuer}/account?return_to=${encodeURIComponent(`${DEMO_ORIGIN}/engines`)}`);
    expect(opened.text).toContain('Back to Demo Blog');
    const erased = await erase(browser);
    expect(erased.text).toContain('Your account is erased');
    expect(erased.text).toContain(`<a class="button secondary" href="${DEMO_ORIGIN}/engines">Back to Demo Blog</a>`);
    const statusPath = new URL(erased.url).pathname;
    for (const returnTo of ['https://evil.example/post', 'javascript:alert(1)', '//evil.example']) {
      const page = await new TestBrowser().get(`${gw.issuer}${statusPath}?return_to=${encodeURIComponent(returnTo)}`);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('Back to');
      expect(page.text).not.toContain('evil.example');
    }
  });

  it('does not hand over a partial export while the comment service is down, and offers to try again', async () => {
    const browser = new TestBrowser();
    await signIn(browser, 'patient@example.com', 'Patient');
    const page = await accountPage(browser);
    await stopService();
    try {
      const failed = await browser.post(`${gw.issuer}/account/export`, { csrf: csrfOf(page.text) });
      expect(failed.status).toBe(503);
      expect(failed.headers.get('content-disposition')).toBeNull();
      expect(failed.headers.get('content-type')).toMatch(/^text\/html/);
      expect(failed.text).toContain('Nothing was downloaded');
      expect(failed.text).toContain('Try again');
      expect(failed.text).not.toMatch(/\bat .+:\d+:\d+|node_modules|Error:/);
    } finally {
      await startService();
    }
    const retried = await browser.post(`${gw.issuer}/account/export`, { csrf: csrfOf(page.text) });
    expect(retried.status).toBe(200);
    expect((JSON.parse(retried.text) as AccountExport).account.name).toBe('Patient');
  });

  it('erases while the comment service is down: the status page says it is in progress, then done once the service is back', async () => {
    const browser = new TestBrowser();
    const token = await signIn(browser, 'early@example.com', 'Early Leaver');
    expect((await postComment(serviceUrl, 'demo-blog', 'down', token, { body: 'Written before the outage.' })).status).toBe(201);
    const subjects = [decodeJwt(token).sub!];
    await stopService();
    const loggedBefore = gatewayLog.length;
    const [failedBefore, confirmedBefore] = [await erasureAttempts('failed'), await erasureAttempts('confirmed')];
    let statusUrl: string;
    try {
      const erased = await erase(browser);
      expect(erased.status).toBe(200);
      statusUrl = erased.url;
      expect(erased.text).toContain('Your comments are being anonymised; this page will say when it is done');
      // It asks by script and says so in its status region; no reloading the page under a screen reader.
      expect(erased.text).toContain('<script src="/assets/erasure-wait.js" defer></script>');
      expect(erased.text).not.toMatch(/http-equiv="refresh"/);
      expect(erased.headers.get('refresh')).toBeNull();
      const asked = await fetch(statusUrl, { headers: { accept: 'application/json' } });
      expect(await asked.json()).toEqual({ status: 'in_progress' });
      expect(erased.text).not.toContain('Early Leaver');
      // The account is gone at the gateway already.
      expect((await browser.get(`${gw.issuer}/account`)).text).toContain('You are not logged in on this browser');
    } finally {
      await startService();
    }
    const done = await until('the erasure confirmed', async () => {
      const page = await new TestBrowser().get(statusUrl);
      return page.text.includes('Your account is erased') ? page : undefined;
    }, 10_000);
    expect(done.text).not.toContain('erasure-wait.js');
    expect(await (await fetch(statusUrl, { headers: { accept: 'application/json' } })).json()).toEqual({ status: 'done' });
    // The operator sees it too: attempts that failed while the service was down, then one confirmed.
    expect((await erasureAttempts('failed')) - failedBefore).toBeGreaterThanOrEqual(1);
    expect((await erasureAttempts('confirmed')) - confirmedBefore).toBeGreaterThanOrEqual(1);
    // Each failed attempt was logged, naming the erasure but never the commenter.
    const failures = gatewayLog.slice(loggedBefore).filter((line) => line.includes('erasure not confirmed'));
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]).toContain(statusUrl.split('/').pop()!);
    for (const line of gatewayLog.slice(loggedBefore)) expect(line).not.toMatch(new RegExp(`${subjects[0]}|early@example\\.com|Early Leaver`));
    const thread = (await getComments(serviceUrl, 'demo-blog', 'down')).json.comments!;
    expect(thread.map((comment) => comment.author?.name)).toEqual([FORMER_COMMENTER_NAME]);
  });

  it('anonymises a comment posted with a token from before the erasure while that token was still accepted', async () => {
    // A comment service that reads the revocation feed only every 60 s: the old token is still
    // accepted after the erasure, as it may be for up to 5 s anywhere.
    await stopService();
    await startService({ verifierOptions: { revocationPollIntervalMs: 60_000 } });
    try {
      const lin = new TestBrowser();
      const token = await signIn(lin, 'lin@example.com', 'Lin Late');
      expect((await postComment(serviceUrl, 'demo-blog', 'late', token, { body: 'Before' })).status).toBe(201);
      const erased = await erase(lin);
      expect(erased.text).toContain('Your account is erased');
      const late = await postComment(serviceUrl, 'demo-blog', 'late', token, { body: 'Sneaked in after' });
      expect(late.status).toBe(201);
      // The follow-up pass anonymises it too.
      const thread = await until('the late comment anonymised', async () => {
        const comments = (await getComments(serviceUrl, 'demo-blog', 'late')).json.comments!;
        return comments.every((comment) => comment.author?.name === FORMER_COMMENTER_NAME) ? comments : undefined;
      });
      expect(thread.map((comment) => comment.body)).toEqual(['Before', 'Sneaked in after']);
      expect(JSON.stringify(thread)).not.toContain('Lin');
    } finally {
      await stopService();
      await startService();
    }
  });
});
