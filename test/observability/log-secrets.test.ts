import { hiddenFields } from '../helpers/html-forms';
import { logEntries, type LogEntry } from '../helpers/log-entries';
import { DEMO_ORIGIN, postComment } from '../comments/support';
import { signInByEmail, startObservedStack, type ObservedStack } from './support';

/**
 * Issue 14, item 4: the logs of a whole flow, collected from both services, hold no secret. Two
 * commenters sign in by email (one with the code, one with the link), redeem their codes, comment,
 * log out and revoke a token; a request fails; a client sends a request id that is an email
 * address. Then every secret that crossed the wire is looked for in every line.
 */

const COMMENTS_ROUTE = '/api/sites/:site/posts/:post/comments';
const REQUEST_FIELDS = ['durationMs', 'level', 'method', 'msg', 'reqId', 'route', 'service', 'status', 'time'];

let stack: ObservedStack;
const secrets: string[] = [];
let gatewayEntries: LogEntry[];
let commentsEntries: LogEntry[];

beforeAll(async () => {
  stack = await startObservedStack();
  const { gw, discovery, commentsUrl } = stack;

  const byCode = await signInByEmail(stack, 'Code.Reader@example.com', 'code');
  const byLink = await signInByEmail(stack, 'link-reader@example.org', 'link');
  secrets.push(...byCode.secrets, ...byLink.secrets, 'code.reader@example.com');

  expect((await postComment(commentsUrl, 'demo-blog', 'logged-post', byCode.accessToken, { body: 'A comment in the logs.' }, { origin: DEMO_ORIGIN })).status).toBe(201);
  // Failing requests: a token that is not one, and another site's URL.
  expect((await postComment(commentsUrl, 'demo-blog', 'logged-post', `${byLink.accessToken}x`, { body: 'Tampered.' })).status).toBe(401);
  expect((await postComment(commentsUrl, 'no-such-site', 'logged-post', byLink.accessToken, { body: 'Nowhere.' })).status).toBe(404);
  // A request id that is an email address is not repeated (a new one is made).
  const probe = await fetch(`${gw.issuer}/healthz`, { headers: { 'X-Request-Id': 'someone@example.net' } });
  expect(probe.headers.get('x-request-id')).not.toContain('@');
  secrets.push('someone@example.net');

  // Revocation at the endpoint, then logout (RP-initiated, confirmed) for the other commenter.
  const revoked = await fetch(discovery['revocation_endpoint'] as string, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: DEMO_ORIGIN },
    body: new URLSearchParams({ token: byLink.accessToken, client_id: 'demo-blog' }),
  });
  expect(revoked.status).toBe(200);
  const endSession = new URL(discovery['end_session_endpoint'] as string);
  endSession.searchParams.set('client_id', 'demo-blog');
  endSession.searchParams.set('id_token_hint', byCode.idToken);
  const popup = await byCode.browser.get(endSession.href);
  expect(popup.status).toBe(200);
  const done = await byCode.browser.post(`${gw.issuer}/session/end/confirm`, { ...hiddenFields(popup.text), logout: 'yes' });
  expect(done.text).toContain('You are logged out');
  secrets.push(...Object.values(hiddenFields(popup.text)).filter((value) => value.length >= 16));
  // The revoked token is refused once the verifier has read the feed.
  const deadline = Date.now() + 5_000;
  while ((await postComment(commentsUrl, 'demo-blog', 'logged-post', byLink.accessToken, { body: `Still here? ${Date.now()}` })).status !== 401) {
    if (Date.now() > deadline) throw new Error('the revoked token was still accepted after 5 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  // Request lines are written when each response closes: give the last ones a moment.
  await new Promise((resolve) => setTimeout(resolve, 50));
  gatewayEntries = logEntries(stack.gatewayLog);
  commentsEntries = logEntries(stack.commentsLog);
});
afterAll(() => stack.stop());

/** A 6-digit code is looked for as a whole word, not inside a request id's hex. */
function appearsIn(text: string, secret: string): boolean {
  if (/^\d{6}$/.test(secret)) return new RegExp(`(?<![0-9A-Za-z])${secret}(?![0-9A-Za-z])`).test(text);
  return text.includes(secret) || text.includes(encodeURIComponent(secret));
}

describe('the logs of a whole flow', () => {
  it('were written by both services, one entry per request', () => {
    expect(gatewayEntries.filter((entry) => entry.msg === 'request').length).toBeGreaterThan(20);
    expect(commentsEntries.filter((entry) => entry.msg === 'request').length).toBeGreaterThanOrEqual(4);
  });

  it('hold no token, code, link, email address, cookie or PKCE verifier', () => {
    const text = [...stack.gatewayLog, ...stack.commentsLog].join('\n');
    expect(secrets.length).toBeGreaterThan(20);
    expect(secrets.filter((secret) => appearsIn(text, secret))).toEqual([]);
    expect(text).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/);
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
    expect(text.toLowerCase()).not.toMatch(/cookie|authorization|bearer /);
  });

  it('give every request its fields and nothing else, the route as a pattern without query', () => {
    for (const entry of [...gatewayEntries, ...commentsEntries].filter((candidate) => candidate.msg === 'request')) {
      expect(Object.keys(entry).filter((key) => key !== 'aborted').sort()).toEqual(REQUEST_FIELDS);
      expect(entry).toMatchObject({ level: 'info', method: expect.stringMatching(/^[A-Z]+$/), status: expect.any(Number), durationMs: expect.any(Number) });
      expect(entry['route']).not.toMatch(/[?#@]/);
      expect(new Date(entry.time).toISOString()).toBe(entry.time);
    }
  });

  it('name the routes of the flow by their patterns', () => {
    const gatewayRoutes = new Set(gatewayEntries.map((entry) => entry['route']));
    for (const route of ['/auth', '/interaction/:uid/email', '/interaction/:uid/email/code', '/email/confirm', '/token', '/token/revocation', '/session/end', '/session/end/confirm', '/healthz']) {
      expect(gatewayRoutes).toContain(route);
    }
    expect(commentsEntries.filter((entry) => entry['route'] === COMMENTS_ROUTE).map((entry) => entry['status'])).toEqual(expect.arrayContaining([201, 401, 404]));
  });
});
