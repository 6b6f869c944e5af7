import { DEMO_ORIGIN, postComment } from '../comments/support';
import { TestBrowser } from '../helpers/browser';
import { startEmailSignIn } from '../helpers/email';
import { codeIn } from '../helpers/oidc-client';
import { startTestGateway } from '../helpers/gateway';
import { logEntries } from '../helpers/log-entries';
import { scrape, signInByEmail, startObservedStack, valueOf, type ObservedStack, type Sample } from './support';

/**
 * Issue 14, item 4: each service's Prometheus metrics, scraped over real HTTP on the metrics port
 * (PARLEY_METRICS_PORT) around a real email sign-in and a real comment, move by exactly what
 * happened; the public ports do not serve them.
 */

const COMMENTS_ROUTE = '/api/sites/:site/posts/:post/comments';
const DURATION_COUNT = 'parley_http_request_duration_seconds_count';

let stack: ObservedStack;

beforeAll(async () => {
  stack = await startObservedStack();
});
afterAll(() => stack.stop());

/** How much each of `names` (with labels) moved between two scrapes. */
function moved(before: readonly Sample[], after: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return valueOf(after, name, labels) - valueOf(before, name, labels);
}

describe('the metrics after a sign-in and a comment', () => {
  it('count one email sign-in, one email sent, one access token; one verified token and one comment posted', async () => {
    const gatewayBefore = await scrape(stack.gw.gateway.metricsPort);
    const commentsBefore = await scrape(stack.comments.metricsPort);

    const { accessToken } = await signInByEmail(stack, 'counted@example.com', 'code');
    const posted = await postComment(stack.commentsUrl, 'demo-blog', 'counted-post', accessToken, { body: 'Count me in.' }, { origin: DEMO_ORIGIN });
    expect(posted.status).toBe(201);

    const gateway = await scrape(stack.gw.gateway.metricsPort);
    const comments = await scrape(stack.comments.metricsPort);
    expect({
      emailSuccess: moved(gatewayBefore, gateway, 'parley_gateway_sign_ins_total', { method: 'email', outcome: 'success' }),
      emailFailure: moved(gatewayBefore, gateway, 'parley_gateway_sign_ins_total', { method: 'email', outcome: 'failure' }),
      cancelled: moved(gatewayBefore, gateway, 'parley_gateway_sign_ins_total', { method: 'none', outcome: 'cancelled' }),
      emailsSent: moved(gatewayBefore, gateway, 'parley_gateway_emails_total', { outcome: 'sent' }),
      emailsFailed: moved(gatewayBefore, gateway, 'parley_gateway_emails_total', { outcome: 'failed' }),
      accessTokens: moved(gatewayBefore, gateway, 'parley_gateway_access_tokens_issued_total'),
      revocations: moved(gatewayBefore, gateway, 'parley_gateway_revocations_published_total'),
      tokenRequests: moved(gatewayBefore, gateway, DURATION_COUNT, { method: 'POST', route: '/token', status_class: '2xx' }),
    }).toEqual({ emailSuccess: 1, emailFailure: 0, cancelled: 0, emailsSent: 1, emailsFailed: 0, accessTokens: 1, revocations: 0, tokenRequests: 1 });

    expect({
      verifiedOk: moved(commentsBefore, comments, 'parley_comments_token_verifications_total', { result: 'ok' }),
      posted201: moved(commentsBefore, comments, 'parley_comments_posts_total', { status: '201' }),
      jwksFetches: moved(commentsBefore, comments, 'parley_comments_jwks_fetches_total', { outcome: 'ok' }),
      jwksFailures: moved(commentsBefore, comments, 'parley_comments_jwks_fetches_total', { outcome: 'failed' }),
      postRequests: moved(commentsBefore, comments, DURATION_COUNT, { method: 'POST', route: COMMENTS_ROUTE, status_class: '2xx' }),
    }).toEqual({ verifiedOk: 1, posted201: 1, jwksFetches: 1, jwksFailures: 0, postRequests: 1 });
    // The first token made the verifier read the revocation feed before accepting it.
    expect(moved(commentsBefore, comments, 'parley_comments_revocation_polls_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(comments, 'parley_comments_revocation_polls_total', { outcome: 'failed' })).toBe(0);
  });

  it('count refusals by their error and status, a wrong code as a failed sign-in, and a revocation once published', async () => {
    const { accessToken } = await signInByEmail(stack, 'refused@example.com', 'link');
    const gatewayBefore = await scrape(stack.gw.gateway.metricsPort);
    const commentsBefore = await scrape(stack.comments.metricsPort);

    expect((await postComment(stack.commentsUrl, 'demo-blog', 'counted-post', 'not-a-token', { body: 'Let me in.' })).status).toBe(401);
    expect((await postComment(stack.commentsUrl, 'demo-blog', 'counted-post', accessToken, { body: '' })).status).toBe(422);
    const revoked = await fetch(stack.discovery['revocation_endpoint'] as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: DEMO_ORIGIN },
      body: new URLSearchParams({ token: accessToken, client_id: 'demo-blog' }),
    });
    expect(revoked.status).toBe(200);

    const comments = await scrape(stack.comments.metricsPort);
    expect({
      invalidToken: moved(commentsBefore, comments, 'parley_comments_token_verifications_total', { result: 'invalid_token' }),
      ok: moved(commentsBefore, comments, 'parley_comments_token_verifications_total', { result: 'ok' }),
      posted401: moved(commentsBefore, comments, 'parley_comments_posts_total', { status: '401' }),
      posted422: moved(commentsBefore, comments, 'parley_comments_posts_total', { status: '422' }),
      posted201: moved(commentsBefore, comments, 'parley_comments_posts_total', { status: '201' }),
      clientErrors: moved(commentsBefore, comments, DURATION_COUNT, { method: 'POST', route: COMMENTS_ROUTE, status_class: '4xx' }),
    }).toEqual({ invalidToken: 1, ok: 1, posted401: 1, posted422: 1, posted201: 0, clientErrors: 2 });

    // A wrong code is a failed sign-in.
    const browser = new TestBrowser();
    const started = await startEmailSignIn(browser, stack.discovery, 'typo@example.com');
    const wrongCode = codeIn(started.message!) === '000000' ? '111111' : '000000';
    const refused = await browser.post(`${stack.gw.issuer}/interaction/${started.uid}/email/code`, { code: wrongCode });
    expect(refused.text).toContain('That code is not right');

    const gateway = await scrape(stack.gw.gateway.metricsPort);
    expect({
      revocations: moved(gatewayBefore, gateway, 'parley_gateway_revocations_published_total'),
      emailFailure: moved(gatewayBefore, gateway, 'parley_gateway_sign_ins_total', { method: 'email', outcome: 'failure' }),
      emailSuccess: moved(gatewayBefore, gateway, 'parley_gateway_sign_ins_total', { method: 'email', outcome: 'success' }),
    }).toEqual({ revocations: 1, emailFailure: 1, emailSuccess: 0 });
  });

  it('include the process and Node metrics of each service', async () => {
    for (const samples of [await scrape(stack.gw.gateway.metricsPort), await scrape(stack.comments.metricsPort)]) {
      expect(valueOf(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
      expect(valueOf(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(samples.some((sample) => sample.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
    }
  });

  it('label requests by route pattern, never by URL: no post id, site id, query or email appears', async () => {
    await fetch(`${stack.commentsUrl}/api/sites/demo-blog/posts/a-post-nobody-wrote/comments?email=leak@example.com`);
    await fetch(`${stack.gw.issuer}/dev/mailbox?to=leak%40example.com`);
    // Paths no route serves, under the page prefixes and elsewhere: one label, whatever the path.
    for (const path of ['/email/made-up-path', '/interaction/made-up-uid/nothing', '/made-up-path', '/assets/made-up-file.js']) {
      expect((await fetch(`${stack.gw.issuer}${path}`)).status).toBe(404);
    }
    for (const port of [stack.gw.gateway.metricsPort, stack.comments.metricsPort]) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).not.toMatch(/a-post-nobody-wrote|leak@example\.com|leak%40|counted-post|made-up|\?/);
    }
    expect(valueOf(await scrape(stack.comments.metricsPort), DURATION_COUNT, { method: 'GET', route: COMMENTS_ROUTE, status_class: '2xx' })).toBeGreaterThanOrEqual(1);
  });
});

describe('where the metrics are served', () => {
  it('not on the public ports: /metrics there is 404', async () => {
    expect((await fetch(`${stack.gw.issuer}/metrics`)).status).toBe(404);
    expect((await fetch(`${stack.commentsUrl}/metrics`)).status).toBe(404);
  });

  it('only at GET /metrics on the metrics port', async () => {
    const port = stack.comments.metricsPort!;
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics?x=1`)).status).toBe(200);
  });

  it('nowhere when PARLEY_METRICS_PORT is unset', async () => {
    const plain = await startTestGateway();
    try {
      expect(plain.gateway.metricsPort).toBeUndefined();
      expect((await fetch(`${plain.issuer}/metrics`)).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });

  it('and where, in each service\'s log', () => {
    expect(logEntries(stack.gatewayLog)).toContainEqual(expect.objectContaining({ level: 'info', metricsPort: stack.gw.gateway.metricsPort, metricsHost: '127.0.0.1' }));
    expect(logEntries(stack.commentsLog)).toContainEqual(expect.objectContaining({ level: 'info', metricsPort: stack.comments.metricsPort, metricsHost: '127.0.0.1' }));
  });

  it('by two services in one process, each its own counts', () => {
    expect(stack.gw.gateway.metrics).not.toBe(stack.comments.metrics);
    expect(stack.gw.gateway.metricsPort).not.toBe(stack.comments.metricsPort);
  });
});
