import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { COMMENTS_DB_FILE, createCommentService, type CommentService } from '../../src/comments';
import { loadSettings, type Settings } from '../../src/config';
import { gatewaySecretsFor } from '../../src/gateway/secrets';
import { listen, type RunningServer } from '../../src/http/listen';
import { AccountStore } from '../../src/store/accounts';
import { openDatabase, schemaFor } from '../../src/store/database';
import { pairwiseSubject } from '../../src/tokens/claims';
import { GATEWAY_DB_FILE } from '../../src/tokens/open-key-store';
import { createVerifier, type Commenter } from '../../packages/verify/src';
import { getComments, postComment, serviceSettings } from '../comments/support';
import { TestBrowser } from '../helpers/browser';
import { makeDataDir } from '../helpers/data-dir';
import { COMMENTS_URL, DEFAULT_TEST_SITES, SITE_ORIGIN } from '../helpers/gateway';
import { bindLoopback, type Listener } from '../helpers/listener';
import { authorize, codeIn, discover, interactionUid, relayParams, type Discovery, type MailboxMessage } from '../helpers/oidc-client';
import { testStoreEnv, withClient } from '../helpers/postgres';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process';
import { problemEntries } from '../helpers/log-entries';

/**
 * Issue 12, "200 concurrent sign-ins, each ending with the right commenter". Two gateways, each a
 * real `parley gateway` process, and two comment services share one PostgreSQL database and one
 * Redis prefix behind a balancer. 200 commenters, each with an email address of their own, sign
 * in by email at the same time (Promise.all: no pool or agent bounds them, all 200 are in flight
 * from the start), and every request of a sign-in lands on the other gateway than the one before
 * it — the authorization request and each of its redirects, the email form, the mailbox, the
 * code, the token endpoint — so every piece of a sign-in's state must be shared, and none may be
 * mistaken for another's. Each commenter then posts a comment with its token, alternating between
 * the comment services.
 *
 * Each sign-in must end with that commenter and no one else: the access token (verified) and
 * the ID token name the pairwise subject that the gateway derives for that address's account,
 * and the display name typed in that form; the comment is shown under that name and stored under
 * that subject.
 *
 * Rate limits stay as they ship. The email sign-in allows one client address 20 emails in 15
 * minutes and one email address 5; as 200 people would, each commenter comes from an address of
 * its own (the balancer connects from 127.1.x.y, a loopback address per commenter, and the
 * gateways do not trust proxy headers, so that is the client address they see), and asks for one
 * email. Each commenter posts one comment, far under the comment service's per-commenter limits.
 *
 * The gateways run as processes of their own, as instances do: in the test's process they would
 * share one event loop with the 200 clients, whose work would delay their Redis and PostgreSQL
 * answers past the 1-second dependency timeouts (seen: "Command timed out" on POST /token when the
 * whole cluster suite ran at once).
 */

const SIGN_INS = 200;
const SITE = 'demo-blog';
const POST = 'two-hundred-sign-ins';
/** Names the commenter a request belongs to, for the balancer only (it removes it). */
const CLIENT_HEADER = 'x-parley-test-client';

/** The loopback address a commenter's requests come from (127.0.0.0/8 is all loopback). */
function addressOf(commenter: number): string {
  return `127.1.${1 + Math.floor(commenter / 200)}.${1 + (commenter % 200)}`;
}

/** Requests sent by the commenters' browsers and not yet answered: now, and the most at once. */
class InFlight {
  now = 0;
  peak = 0;

  async track<T>(request: Promise<T>): Promise<T> {
    this.now += 1;
    this.peak = Math.max(this.peak, this.now);
    try {
      return await request;
    } finally {
      this.now -= 1;
    }
  }
}

/** A browser whose every request carries its commenter's number, so the balancer can alternate per commenter. */
class CommenterBrowser extends TestBrowser {
  constructor(
    private readonly commenter: number,
    private readonly inFlight: InFlight,
  ) {
    super();
  }

  override request(url: string, init: Parameters<TestBrowser['request']>[1] = {}): ReturnType<TestBrowser['request']> {
    return this.inFlight.track(super.request(url, { ...init, headers: { ...init.headers, [CLIENT_HEADER]: String(this.commenter) } }));
  }
}

interface SignedIn {
  readonly commenter: number;
  readonly email: string;
  readonly name: string;
  readonly accessToken: string;
  readonly idToken: string;
}

const emailOf = (commenter: number) => `commenter-${commenter}@example.com`;
const nameOf = (commenter: number) => `Commenter ${commenter}`;
const bodyOf = (commenter: number) => `Comment by commenter ${commenter}`;

describe('200 concurrent email sign-ins across two gateways and two comment services', () => {
  let balancer: Listener;
  let issuer: string;
  let discovery: Discovery;
  let shared: Record<string, string>;
  const gateways: { settings: Settings; instance: ServiceProcess }[] = [];
  const commentServices: { service: CommentService; server: RunningServer }[] = [];
  /** Per commenter, the gateway each of its requests went to, in order. */
  const route = new Map<number, number[]>();
  /** At the balancer: requests received and not yet answered. */
  let atBalancer = 0;
  let peakAtBalancer = 0;
  const sentByBrowsers = new InFlight();
  let signedIn: SignedIn[];
  /** What the comment services reported as failures on their side. */
  const serviceLog: string[] = [];

  beforeAll(async () => {
    balancer = await bindLoopback();
    issuer = `http://localhost:${balancer.port}`;
    // One database and one Redis prefix for all four: named after a directory none of them uses.
    shared = await testStoreEnv(makeDataDir());
    if (shared['DATABASE_URL'] === undefined || shared['REDIS_URL'] === undefined) throw new Error('this test belongs to the cluster suite: npm run test:cluster');
    for (let index = 0; index < 2; index += 1) {
      const dataDir = makeDataDir();
      const sitesFile = path.join(dataDir, 'sites.json');
      fs.writeFileSync(sitesFile, JSON.stringify(DEFAULT_TEST_SITES));
      const env = { PARLEY_DATA_DIR: dataDir, PARLEY_ISSUER: issuer, PARLEY_COMMENTS_URL: COMMENTS_URL, PARLEY_SITES_FILE: sitesFile, ...shared };
      // One after the other: the first makes the signing key and the root secret both then share.
      gateways.push({ settings: loadSettings(env), instance: await startServiceProcess('gateway', env) });
      const service = await createCommentService(serviceSettings(issuer, makeDataDir(), shared), { log: (line) => serviceLog.push(line) });
      commentServices.push({ service, server: await listen(service.app, 0) });
    }
    let unnamed = 0;
    balancer.serve((req, res) => {
      // A commenter's requests alternate; the rest (the comment services fetching keys) take turns.
      const commenter = Number(req.headers[CLIENT_HEADER] ?? Number.NaN);
      let target: number;
      let localAddress: string | undefined;
      if (Number.isInteger(commenter)) {
        localAddress = addressOf(commenter);
        const hops = route.get(commenter) ?? [];
        target = hops.length === 0 ? commenter % 2 : 1 - hops.at(-1)!;
        route.set(commenter, [...hops, target]);
      } else {
        target = unnamed++ % 2;
      }
      const headers = { ...req.headers };
      delete headers[CLIENT_HEADER];
      atBalancer += 1;
      peakAtBalancer = Math.max(peakAtBalancer, atBalancer);
      res.once('close', () => (atBalancer -= 1));
      const upstream = http.request({ host: '127.0.0.1', port: gateways[target]!.instance.port, localAddress, method: req.method, path: req.url, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    discovery = await discover(issuer);
  });

  afterAll(async () => {
    await balancer?.close();
    for (const { service, server } of commentServices) {
      await server.close();
      await service.close();
    }
    await Promise.all(gateways.map(({ instance }) => instance.stop()));
  });

  /** One commenter's sign-in in the popup, by email code, to the tokens the widget holds. */
  async function signInAndComment(commenter: number): Promise<SignedIn> {
    const popup = new CommenterBrowser(commenter, sentByBrowsers);
    const email = emailOf(commenter);
    const name = nameOf(commenter);
    const { pending, response } = await authorize(popup, discovery, { provider: 'email' });
    const uid = interactionUid(response);
    const sent = await popup.post(`${issuer}/interaction/${uid}/email`, { email, name });
    if (sent.status !== 200) throw new Error(`commenter ${commenter}: the email form answered ${sent.status}\n${sent.text.slice(0, 500)}`);
    const mailbox = await popup.get(`${issuer}/dev/mailbox?to=${encodeURIComponent(email)}`);
    const messages = (JSON.parse(mailbox.text) as { messages: MailboxMessage[] }).messages;
    if (messages.length !== 1) throw new Error(`commenter ${commenter}: ${messages.length} messages for ${email}`);
    const relay = await popup.post(`${issuer}/interaction/${uid}/email/code`, { code: codeIn(messages[0]!) });
    // The widget redeems the code from the blog's page, which has none of the popup's cookies.
    const page = new CommenterBrowser(commenter, sentByBrowsers);
    const redeemed = await page.request(discovery.token_endpoint, {
      form: { grant_type: 'authorization_code', code: relayParams(relay).get('code')!, redirect_uri: pending.redirectUri, client_id: pending.siteId, code_verifier: pending.verifier },
      headers: { origin: SITE_ORIGIN },
    });
    if (redeemed.status !== 200) throw new Error(`commenter ${commenter}: the token endpoint answered ${redeemed.status} ${redeemed.text}`);
    const tokens = JSON.parse(redeemed.text) as { access_token: string; id_token: string };
    return { commenter, email, name, accessToken: tokens.access_token, idToken: tokens.id_token };
  }

  it('signs in all 200 at once, every request on the other gateway than the one before', async () => {
    let started = 0;
    let running = 0;
    let peakRunning = 0;
    signedIn = await Promise.all(
      Array.from({ length: SIGN_INS }, async (_, commenter) => {
        started += 1;
        running += 1;
        peakRunning = Math.max(peakRunning, running);
        try {
          return await signInAndComment(commenter);
        } finally {
          running -= 1;
        }
      }),
    );
    const requests = [...route.values()].reduce((sum, hops) => sum + hops.length, 0);
    console.log(
      `concurrent-sign-ins: ${started} sign-ins, ${peakRunning} under way at once; ${requests} requests through the balancer, ` +
        `at most ${sentByBrowsers.peak} sent and unanswered at once, at most ${peakAtBalancer} being served at once`,
    );
    // Nothing bounds the clients (fetch's default agent has no connection limit): all 200 are under way together.
    expect(peakRunning).toBe(SIGN_INS);
    expect(sentByBrowsers.peak).toBeGreaterThanOrEqual(50);
    for (let commenter = 0; commenter < SIGN_INS; commenter += 1) {
      const hops = route.get(commenter)!;
      // authorize (+ redirects), email form (+ redirect), mailbox, code (+ redirects), token endpoint
      expect(hops.length).toBeGreaterThanOrEqual(6);
      expect(hops.every((target, index) => index === 0 || target !== hops[index - 1])).toBe(true);
    }
  }, 120_000);

  it('gives each commenter tokens for their own account and no one else', async () => {
    const verifier = createVerifier({ issuer, audience: COMMENTS_URL, clientId: SITE });
    const db = await openDatabase({ dataDir: gateways[0]!.settings.dataDir, fileName: GATEWAY_DB_FILE, databaseUrl: shared['DATABASE_URL'], databasePoolMax: 2 });
    try {
      const { pairwiseSecret } = await gatewaySecretsFor(gateways[0]!.settings, db);
      const accounts = new AccountStore(db);
      /** The subject demo-blog must see for an address: derived from its account, as the gateway does. */
      const expectedSub = async (email: string) => {
        const account = await accounts.findByIdentity('email', email);
        return account && { name: account.displayName, sub: pairwiseSubject(pairwiseSecret, SITE, account.id) };
      };
      const seen = await Promise.all(
        signedIn.map(async (result) => {
          const access: Commenter = await verifier.verify(result.accessToken);
          const id = decodeJwt(result.idToken);
          return { commenter: result.commenter, accessSub: access.sub, idSub: id.sub, name: access.name, site: access.siteId, idAudience: id.aud };
        }),
      );
      const expected = await Promise.all(
        signedIn.map(async (result) => {
          const account = await expectedSub(result.email);
          // The account was made from what this commenter typed in the form.
          expect({ commenter: result.commenter, name: account?.name }).toEqual({ commenter: result.commenter, name: result.name });
          return { commenter: result.commenter, accessSub: account?.sub, idSub: account?.sub, name: result.name, site: SITE, idAudience: SITE };
        }),
      );
      expect(seen).toEqual(expected);
      expect(new Set(seen.map((entry) => entry.accessSub)).size).toBe(SIGN_INS);
    } finally {
      await db.destroy();
    }
  });

  it("shows each commenter's comment under their own name, stored under their own subject", async () => {
    // One at a time, alternating between the services: this checks who the author is, not how
    // many comments one thread takes at once. Writes to one thread wait for each other (its change
    // counter, migration 0004); 16 at a time on one counter met the 1.2 s statement timeout in the
    // full suite before it was per thread (comment-write-contention.test.ts).
    const posted: { commenter: number; status: number; author: string | undefined }[] = [];
    for (const { commenter, accessToken } of signedIn) {
      const service = commentServices[commenter % 2]!.server;
      const response = await postComment(`http://127.0.0.1:${service.port}`, SITE, POST, accessToken, { body: bodyOf(commenter) }, { 'idempotency-key': `sign-in-${commenter}` });
      posted.push({ commenter, status: response.status, author: response.json.comment?.author.name });
    }
    expect({ posted, problems: problemEntries(serviceLog) }).toEqual({ posted: signedIn.map((result) => ({ commenter: result.commenter, status: 201, author: result.name })), problems: [] });

    const thread = await getComments(`http://127.0.0.1:${commentServices[0]!.server.port}`, SITE, POST);
    const shown = new Map(thread.json.comments!.map((entry) => [entry.body, entry.author?.name]));
    expect(shown.size).toBe(SIGN_INS);
    for (let commenter = 0; commenter < SIGN_INS; commenter += 1) expect({ commenter, author: shown.get(bodyOf(commenter)) }).toEqual({ commenter, author: nameOf(commenter) });

    const stored = await withClient(shared['DATABASE_URL']!, async (client) =>
      (await client.query<{ body: string; author_sub: string }>(`select body, author_sub from ${schemaFor(COMMENTS_DB_FILE)}.comments where post_id = $1`, [POST])).rows,
    );
    const subOf = new Map(stored.map((row) => [row.body, row.author_sub]));
    for (const result of signedIn) expect({ commenter: result.commenter, sub: subOf.get(bodyOf(result.commenter)) }).toEqual({ commenter: result.commenter, sub: decodeJwt(result.accessToken).sub });
  });
});
