import http from 'node:http';
import { startEmulators, type RunningEmulators } from '../../src/emulators';
import { loadSettings } from '../../src/config';
import { createGateway, type Gateway } from '../../src/gateway/app';
import { listen, type RunningServer } from '../../src/http/listen';
import { rotateKeys } from '../../src/tokens/keys';
import { createVerifier } from '../../packages/verify/src';
import { TestBrowser } from '../helpers/browser';
import { makeDataDir } from '../helpers/data-dir';
import { COMMENTS_URL, DEFAULT_TEST_SITES } from '../helpers/gateway';
import { bindLoopback, type Listener } from '../helpers/listener';
import { authorize, codeIn, discover, interactionUid, linkIn, readMailbox, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { testStoreEnv } from '../helpers/postgres';
import { answerProviderPage, emulatorEnv } from '../helpers/upstream';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Two gateway instances, each with its own data directory (nothing shared on disk), on one
 * PostgreSQL database and one Redis prefix, behind a balancer that sends every request to the
 * other instance than the last one: no sticky sessions. Every step of a sign-in lands on a
 * different instance than the step before, so every piece of state must be shared.
 */
describe('two gateway instances behind a round-robin balancer', () => {
  let balancer: Listener;
  let emulators: RunningEmulators;
  const instances: { gateway: Gateway; server: RunningServer }[] = [];
  const served: number[] = [0, 0];
  let issuer: string;
  let discovery: Discovery;

  beforeAll(async () => {
    emulators = await startEmulators({ port: 0 });
    balancer = await bindLoopback();
    issuer = `http://localhost:${balancer.port}`;
    // One database and one Redis prefix for both: named after a directory neither of them uses.
    const shared = await testStoreEnv(makeDataDir());
    for (let index = 0; index < 2; index += 1) {
      const dataDir = makeDataDir();
      const sitesFile = path.join(dataDir, 'sites.json');
      fs.writeFileSync(sitesFile, JSON.stringify(DEFAULT_TEST_SITES));
      const settings = loadSettings({
        PARLEY_DATA_DIR: dataDir,
        PARLEY_ISSUER: issuer,
        PARLEY_COMMENTS_URL: COMMENTS_URL,
        PARLEY_SITES_FILE: sitesFile,
        ...emulatorEnv(emulators),
        ...shared,
      });
      const gateway = await createGateway(settings, { keyWatchIntervalMs: 200, log: () => undefined });
      instances.push({ gateway, server: await listen(gateway.app, 0, '127.0.0.1') });
    }
    let next = 0;
    balancer.serve((req, res) => {
      const target = next;
      next = 1 - next;
      served[target]! += 1;
      const upstream = http.request(
        { host: '127.0.0.1', port: instances[target]!.server.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    discovery = await discover(issuer);
  });

  afterAll(async () => {
    await balancer.close();
    for (const { gateway, server } of instances) {
      await server.close();
      await gateway.close();
    }
    await emulators.close();
  });

  const verifier = () => createVerifier({ issuer, audience: COMMENTS_URL, clientId: 'demo-blog' });

  it('publishes the same keys from both instances', async () => {
    const first = await (await fetch(discovery.jwks_uri)).json();
    const second = await (await fetch(discovery.jwks_uri)).json();
    expect(second).toEqual(first);
    expect(served[0]).toBeGreaterThan(0);
    expect(served[1]).toBeGreaterThan(0);
  });

  it('finishes an email sign-in by code whose every request lands on another instance', async () => {
    const browser = new TestBrowser();
    const { pending, response } = await authorize(browser, discovery, { provider: 'email' });
    const uid = interactionUid(response);
    const sent = await browser.post(`${issuer}/interaction/${uid}/email`, { email: 'roundrobin@example.com', name: 'Round Robin' });
    expect(sent.status).toBe(200);
    const [message] = await readMailbox(issuer, 'roundrobin@example.com');
    const relay = await browser.post(`${issuer}/interaction/${uid}/email/code`, { code: codeIn(message!) });
    const tokens = await redeemCode(discovery, pending, relayParams(relay).get('code')!);
    expect(tokens.status).toBe(200);
    await expect(verifier().verify(String(tokens.body['access_token']))).resolves.toMatchObject({ name: 'Round Robin', idp: 'email' });
  });

  it('finishes an email sign-in by link: link confirmed on one instance, seen by the popup on the other', async () => {
    const browser = new TestBrowser();
    const { pending, response } = await authorize(browser, discovery, { provider: 'email' });
    const uid = interactionUid(response);
    await browser.post(`${issuer}/interaction/${uid}/email`, { email: 'bylink@example.com', name: 'By Link' });
    const [message] = await readMailbox(issuer, 'bylink@example.com');
    const token = new URL(linkIn(message!)).searchParams.get('token')!;
    expect((await browser.get(linkIn(message!))).status).toBe(200);
    expect((await browser.post(`${issuer}/email/confirm`, { token })).status).toBe(200);
    // The popup polls; each poll may land on either instance.
    for (let poll = 0; poll < 2; poll += 1) {
      expect(JSON.parse((await browser.get(`${issuer}/interaction/${uid}/email/status`)).text)).toEqual({ status: 'confirmed' });
    }
    const relay = await browser.post(`${issuer}/interaction/${uid}/email/complete`, {});
    const tokens = await redeemCode(discovery, pending, relayParams(relay).get('code')!);
    await expect(verifier().verify(String(tokens.body['access_token']))).resolves.toMatchObject({ name: 'By Link' });
  });

  it.each(['twitter', 'facebook'] as const)('finishes a %s sign-in across instances (handshake state shared)', async (provider) => {
    const browser = new TestBrowser();
    const { pending, response } = await authorize(browser, discovery, { provider });
    const user = provider === 'twitter' ? emulators.twitter.users[0]!.idStr : emulators.facebook.users[0]!.id;
    const relay = await answerProviderPage(browser, response, { userId: user });
    const tokens = await redeemCode(discovery, pending, relayParams(relay).get('code')!);
    expect(tokens.status).toBe(200);
    await expect(verifier().verify(String(tokens.body['access_token']))).resolves.toMatchObject({ idp: provider });
  });

  it('lets every instance sign with a key rotated through one of them', async () => {
    const rotated = await rotateKeys(instances[0]!.gateway.keyStore, Date.now(), { activationDelaySeconds: 0 });
    // Each instance looks at the key store every 200 ms here (5 s by default).
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const jwks = await Promise.all([0, 1].map(async () => (await (await fetch(discovery.jwks_uri)).json()) as { keys: { kid: string }[] }));
      if (jwks.every((set) => set.keys[0]?.kid === rotated.current.kid)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (let index = 0; index < 2; index += 1) {
      const set = (await (await fetch(discovery.jwks_uri)).json()) as { keys: { kid: string }[] };
      expect(set.keys[0]!.kid).toBe(rotated.current.kid);
    }
  });
});
