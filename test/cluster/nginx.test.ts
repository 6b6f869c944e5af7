import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Gateway } from '../../src/gateway/app';
import type { CommentService } from '../../src/comments';
import { EMAIL_RATE_LIMITS } from '../../src/providers/email';
import { createVerifier } from '../../packages/verify/src';
import { TestBrowser } from '../helpers/browser';
import { makeDataDir } from '../helpers/data-dir';
import { startCommentInstances, startGatewayInstances, type ServedRequest, type ServiceInstances } from '../helpers/instances';
import { freePort } from '../helpers/free-port';
import { DEPLOY_NGINX_CONF, makeCertificate, renderNginxConfig, requireNginx, startNginx, type RenderOptions, type RunningNginx } from '../helpers/nginx';
import { authorize, codeIn, discover, interactionUid, redeemCode, relayParams } from '../helpers/oidc-client';
import { startEmailSignIn } from '../helpers/email';
import { rawRequest } from '../helpers/raw-http';
import { expectError, getComments, postComment } from '../comments/support';

/**
 * deploy/nginx.conf, run by Debian's nginx, in front of two gateways and two comment services on
 * PostgreSQL and Redis: what a blog owner's docker-compose.yml runs, on loopback. The gateways'
 * public name is 127.0.0.1 and the comment services' is localhost (two names for one machine,
 * so one nginx port serves both, told apart by Host as in production). TLS is taken out for the
 * flows (the test's HTTP clients cannot trust a test certificate) and checked on its own at the end.
 */
const PROBE_HEADER = 'x-parley-probe';
/** Low, so the test reaches the gateway's per-client email limit in a few requests. */
const PER_CLIENT_EMAIL_LIMIT = 3;

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

function collect(request: http.ClientRequest, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** A request from another loopback address than nginx's own (127.0.0.1), so the two can be told apart. */
function requestFrom(localAddress: string, url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const target = new URL(url);
  const request = http.request({
    host: '127.0.0.1',
    port: target.port,
    localAddress,
    agent: false,
    method: options.method ?? 'GET',
    path: `${target.pathname}${target.search}`,
    headers: { host: target.host, ...options.headers },
  });
  return collect(request, options.body);
}

/** An https request to nginx on loopback, naming `servername` in TLS (SNI) and in Host. */
function tlsRequest(port: number, servername: string, ca: string, pathname: string, headers: Record<string, string> = {}): Promise<Answer> {
  const request = https.request({ host: '127.0.0.1', port, servername, ca, agent: false, path: pathname, headers: { host: `${servername}:${port}`, ...headers } });
  return collect(request);
}

/** The instances that served the requests carrying `probe`, in order. */
function probedBy(served: readonly ServedRequest[], probe: string): number[] {
  return served.filter((request) => request.headers[PROBE_HEADER] === probe).map((request) => request.instance);
}

/** A comment-service stand-in that takes a request and dies before answering, as an instance killed mid-request. */
async function startDyingUpstream(): Promise<{ port: number; methods: string[]; close(): Promise<void> }> {
  const methods: string[] = [];
  const server = net.createServer((socket) => {
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      methods.push(head.slice(0, head.indexOf(' ')));
      socket.destroy();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    methods,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('deploy/nginx.conf in front of two gateways and two comment services', () => {
  const template = fs.readFileSync(DEPLOY_NGINX_CONF, 'utf8');
  let gateways: ServiceInstances<Gateway>;
  let comments: ServiceInstances<CommentService>;
  let nginx: RunningNginx | undefined;
  let port: number;
  let issuer: string;
  let commentsUrl: string;
  let accessToken: string;

  /** Renders and starts another nginx of the same file on fresh ports; the caller stops it. */
  async function startAnotherNginx(changes: Partial<RenderOptions> = {}): Promise<{ nginx: RunningNginx; port: number; httpPort: number }> {
    const dir = makeDataDir();
    const [httpsPort, httpPort] = [await freePort(), await freePort()];
    const options: RenderOptions = {
      loginHost: '127.0.0.1',
      commentsHost: 'localhost',
      upstreams: { gateways: gateways.ports, comments: comments.ports },
      httpsPort,
      httpPort,
      tempDir: dir,
      ...changes,
    };
    return { nginx: await startNginx(renderNginxConfig(template, options), dir, httpsPort), port: httpsPort, httpPort };
  }

  beforeAll(async () => {
    requireNginx();
    port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    commentsUrl = `http://localhost:${port}`;
    const urls = { issuer, commentsUrl };
    gateways = await startGatewayInstances(2, urls, {
      // What docker-compose.yml sets: nginx is the one proxy the gateways believe.
      env: { PARLEY_TRUST_PROXY: '1' },
      gatewayOptions: { emailRateLimits: { ...EMAIL_RATE_LIMITS, perClient: { limit: PER_CLIENT_EMAIL_LIMIT, windowSeconds: 15 * 60 } } },
    });
    comments = await startCommentInstances(2, urls);
    const dir = makeDataDir();
    const httpPort = await freePort();
    nginx = await startNginx(
      renderNginxConfig(template, { loginHost: '127.0.0.1', commentsHost: 'localhost', upstreams: { gateways: gateways.ports, comments: comments.ports }, httpsPort: port, httpPort, tempDir: dir }),
      dir,
      port,
    );
  }, 120_000);

  afterAll(async () => {
    await nginx?.stop();
    await comments?.close();
    await gateways?.close();
  });

  it('sends each request to the other instance than the one before, for both services (round-robin, no stickiness)', async () => {
    for (const [name, url, instances] of [
      ['gateway', `${issuer}/.well-known/openid-configuration`, gateways],
      ['comments', `${commentsUrl}/api/sites/demo-blog/posts/alternation/comments`, comments],
    ] as const) {
      for (let n = 0; n < 6; n += 1) {
        // The same cookie every time: nothing a browser sends may pin it to one instance. A new
        // connection each time, so that both of nginx's workers take some (they share the rotation).
        const response = await requestFrom('127.0.0.1', url, { headers: { [PROBE_HEADER]: `alternation-${name}`, cookie: 'parley.sid=same-browser', connection: 'close' } });
        expect(response.status).toBe(200);
      }
      const order = probedBy(instances.served, `alternation-${name}`);
      expect({ name, order }).toEqual({ name, order: order[0] === 0 ? [0, 1, 0, 1, 0, 1] : [1, 0, 1, 0, 1, 0] });
    }
  });

  it('completes an email sign-in whose steps land on both gateways', async () => {
    const discovery = await discover(issuer);
    expect(discovery.issuer).toBe(issuer);
    const browser = new TestBrowser();
    const { pending, uid, sent, message } = await startEmailSignIn(browser, discovery, 'through-nginx@example.com', { name: 'Through Nginx' });
    expect(sent.status).toBe(200);
    const relay = await browser.post(`${issuer}/interaction/${uid}/email/code`, { code: codeIn(message!) });
    const tokens = await redeemCode(discovery, pending, relayParams(relay).get('code')!);
    expect(tokens.status).toBe(200);
    accessToken = String(tokens.body['access_token']);
    await expect(createVerifier({ issuer, audience: commentsUrl, clientId: 'demo-blog' }).verify(accessToken)).resolves.toMatchObject({ name: 'Through Nginx', idp: 'email' });
    const stepsBy = new Set(gateways.served.filter((request) => request.url.includes(uid)).map((request) => request.instance));
    expect([...stepsBy].sort()).toEqual([0, 1]);
  });

  it('posts a comment through nginx and reads it back from the other comment service', async () => {
    const posted = await postComment(commentsUrl, 'demo-blog', 'through-nginx', accessToken, { body: 'Hello through nginx' }, { [PROBE_HEADER]: 'post' });
    expect(posted.status).toBe(201);
    const read = await getComments(commentsUrl, 'demo-blog', 'through-nginx', { [PROBE_HEADER]: 'read' });
    expect(read.status).toBe(200);
    expect(read.json.comments!.map((comment) => [comment.body, comment.author?.name])).toEqual([['Hello through nginx', 'Through Nginx']]);
    const [postedBy] = probedBy(comments.served, 'post');
    const [readBy] = probedBy(comments.served, 'read');
    expect(readBy).toBe(1 - postedBy!);
  });

  it('refuses a forged Host: nginx for a name not its own, the gateway for another port of its name', async () => {
    const seenBefore = gateways.served.length + comments.served.length;
    const foreign = await rawRequest(`${issuer}/.well-known/openid-configuration`, { headers: { host: 'attacker.example' } });
    expect(foreign.status).toBe(421);
    expect(gateways.served.length + comments.served.length).toBe(seenBefore);

    const otherPort = await rawRequest(`${issuer}/.well-known/openid-configuration`, { headers: { host: `127.0.0.1:${port + 1}` } });
    expect(otherPort.status).toBe(421);
    expect(otherPort.text).toBe(`This server answers only for 127.0.0.1:${port}.\n`);

    // nginx drops X-Forwarded-Host: the gateway keeps answering as its issuer.
    const forwarded = await rawRequest(`${issuer}/.well-known/openid-configuration`, { headers: { 'x-forwarded-host': 'attacker.example' } });
    expect(forwarded.status).toBe(200);
    expect(JSON.parse(forwarded.text)).toMatchObject({ issuer, authorization_endpoint: `${issuer}/auth` });
  });

  it('passes the gateway the Host as sent, the client address after any it claimed, its own scheme, and no X-Forwarded-Host', async () => {
    const answer = await requestFrom('127.0.0.2', `${issuer}/.well-known/openid-configuration`, {
      headers: { [PROBE_HEADER]: 'headers', 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'attacker.example' },
    });
    expect(answer.status).toBe(200);
    const seen = gateways.served.find((request) => request.headers[PROBE_HEADER] === 'headers')!;
    expect(seen.headers).toMatchObject({ host: `127.0.0.1:${port}`, 'x-forwarded-for': '203.0.113.7, 127.0.0.2', 'x-forwarded-proto': 'http' });
    expect(seen.headers['x-forwarded-host']).toBeUndefined();
    // Keep-alive to the instances: nginx sends no `Connection: close`.
    expect(seen.headers['connection']).toBeUndefined();
  });

  it('keeps the per-client email limit on the real client, whatever X-Forwarded-For the client forges', async () => {
    const browser = new TestBrowser();
    const { response } = await authorize(browser, await discover(issuer), { provider: 'email' });
    const uid = interactionUid(response);
    const cookie = browser.cookieNames().map((name) => `${name}=${browser.cookieValue(name)}`).join('; ');
    const ask = async (from: string, n: number) => {
      const answer = await requestFrom(from, `${issuer}/interaction/${uid}/email`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `198.51.100.${n}` },
        body: new URLSearchParams({ email: `limit-${from}-${n}@example.com`, name: 'Limit' }).toString(),
      });
      expect(answer.status).toBe(303);
      // Sent: on to the code page. Refused: back to the address form, which shows why.
      return answer.headers.location === `/interaction/${uid}/email/code` ? 'sent' : answer.headers.location === `/interaction/${uid}/email` ? 'refused' : answer.headers.location;
    };
    const outcomes: unknown[] = [];
    for (let n = 1; n <= PER_CLIENT_EMAIL_LIMIT + 1; n += 1) outcomes.push(await ask('127.0.0.2', n));
    expect(outcomes).toEqual([...Array<string>(PER_CLIENT_EMAIL_LIMIT).fill('sent'), 'refused']);
    // Another client behind the same nginx is not held back by the first one's limit.
    expect(await ask('127.0.0.3', 1)).toBe('sent');
  });

  it('never sends a POST on to another instance once one got it; an idempotent GET goes on', async () => {
    const dying = await startDyingUpstream();
    const other = await startAnotherNginx({ upstreams: { gateways: gateways.ports, comments: [comments.ports[0]!, dying.port] } });
    try {
      const base = `http://localhost:${other.port}`;
      const posts = [];
      for (const n of [1, 2]) posts.push(await postComment(base, 'demo-blog', 'dying-instance', accessToken, { body: `Comment ${n}` }, { 'idempotency-key': `dying-${n}` }));
      expect(posts.map((post) => post.status).sort()).toEqual([201, 503]);
      expect(dying.methods).toEqual(['POST']);
      // nginx's own answer, in the API's error shape, with the delay a client should wait.
      const refused = posts.find((post) => post.status === 503)!;
      expectError(refused, 503, 'temporarily_unavailable');
      expect(refused.headers.get('retry-after')).toBe('5');
      const written = posts.findIndex((post) => post.status === 201);
      const thread = await getComments(commentsUrl, 'demo-blog', 'dying-instance');
      expect(thread.json.comments!.map((comment) => comment.body)).toEqual([`Comment ${written + 1}`]);

      for (let n = 0; n < 2; n += 1) expect((await getComments(base, 'demo-blog', 'dying-instance')).status).toBe(200);
      expect(dying.methods).toContain('GET');
    } finally {
      await other.nginx.stop();
      await dying.close();
    }
  });

  it('terminates TLS as shipped: each name with its certificate, no handshake for another name, https told to the instances, plain HTTP redirected', async () => {
    const certificates = makeDataDir();
    const loginHost = 'login.parley.test';
    const commentsHost = 'comments.parley.test';
    const loginCertificate = await makeCertificate(certificates, loginHost);
    const commentsCertificate = await makeCertificate(certificates, commentsHost);
    const tls = await startAnotherNginx({ loginHost, commentsHost, certificatesDir: certificates });
    try {
      // /healthz answers for any host, so the gateways (whose issuer is 127.0.0.1) can show what they got.
      expect((await tlsRequest(tls.port, loginHost, loginCertificate, '/healthz', { [PROBE_HEADER]: 'tls-login' })).status).toBe(200);
      const seen = gateways.served.find((request) => request.headers[PROBE_HEADER] === 'tls-login')!;
      expect(seen.headers).toMatchObject({ host: `${loginHost}:${tls.port}`, 'x-forwarded-proto': 'https' });

      expect((await tlsRequest(tls.port, commentsHost, commentsCertificate, '/healthz', { [PROBE_HEADER]: 'tls-comments' })).status).toBe(200);
      expect(probedBy(comments.served, 'tls-comments')).toHaveLength(1);

      await expect(tlsRequest(tls.port, 'other.parley.test', loginCertificate, '/healthz')).rejects.toThrow(/alert|unrecognized name|handshake/i);

      const plain = await rawRequest(`http://127.0.0.1:${tls.httpPort}/account?from=http`, { headers: { host: loginHost } });
      expect(plain.status).toBe(301);
      expect(plain.headers.location).toBe(`https://${loginHost}/account?from=http`);
    } finally {
      await tls.nginx.stop();
    }
  });
});

