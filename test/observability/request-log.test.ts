import express from 'express';
import { listen, type RunningServer } from '../../src/http/listen';
import { createServiceLogger } from '../../src/observability/logger';
import { requestLog, requestLogger } from '../../src/observability/request-log';
import { logEntries, type LogEntry } from '../helpers/log-entries';

/**
 * The request log through a real Express app on loopback: one entry per request with exactly the
 * allowed fields, the route as its pattern, and a request id that is either the caller's (when
 * short and safe) or a new one, sent back either way.
 */

const REQUEST_LINE_FIELDS = ['durationMs', 'level', 'method', 'msg', 'reqId', 'route', 'service', 'status', 'time'].sort();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: RunningServer;
let base: string;
const logged: string[] = [];

beforeAll(async () => {
  const logger = createServiceLogger({ service: 'test', settings: { logLevel: 'info', logFormat: undefined }, production: true, sink: (line) => logged.push(line) });
  const app = express();
  app.use(requestLog(logger));
  app.use('/static', (_req, res) => void res.send('a file'));
  app.get('/api/sites/:site/posts/:post/comments', (_req, res) => void res.json({ comments: [] }));
  const pages = express.Router();
  pages.get('/email/confirm/:token', (_req, res) => void res.send('confirmed'));
  // As the gateway mounts its pages: at a prefix, routing on the full path again.
  app.use(['/email'], (req, res, next) => {
    req.url = req.originalUrl;
    pages(req, res, next);
  });
  app.get(['/readyz', '/health'], (_req, res) => void res.json({ status: 'ok' }));
  app.get('/fails', (req) => {
    requestLogger(req).error({ err: new Error('the database of someone@example.com is gone') }, 'request failed');
    throw new Error('boom');
  });
  // Answers only after the client has given up.
  app.get('/slow', (_req, res) => void setTimeout(() => res.destroyed || res.send('late'), 2_000).unref());
  app.use((_req, res) => void res.status(404).end());
  app.use(((_error, _req, res, _next) => void res.status(503).end()) as express.ErrorRequestHandler);
  server = await listen(app, 0);
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(() => server.close());

/** Sends one request and returns its response and the entries it logged (the line comes on close). */
async function send(path: string, init: RequestInit = {}): Promise<{ response: Response; entries: LogEntry[] }> {
  const before = logged.length;
  const response = await fetch(`${base}${path}`, init);
  await response.arrayBuffer();
  const reqId = response.headers.get('x-request-id');
  for (let attempt = 0; attempt < 100 && !logEntries(logged.slice(before)).some((entry) => entry.msg === 'request' && entry['reqId'] === reqId); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { response, entries: logEntries(logged.slice(before)).filter((entry) => entry['reqId'] === reqId) };
}

describe('the request log', () => {
  it('logs one entry per request with exactly the allowed fields, the route as its pattern', async () => {
    const { response, entries } = await send('/api/sites/demo-blog/posts/hello-world/comments?access_token=secret-in-query');
    expect(response.status).toBe(200);
    expect(entries).toHaveLength(1);
    const [line] = entries;
    expect(Object.keys(line!).sort()).toEqual(REQUEST_LINE_FIELDS);
    expect(line).toMatchObject({ level: 'info', service: 'test', msg: 'request', method: 'GET', route: '/api/sites/:site/posts/:post/comments', status: 200 });
    expect(typeof line!['durationMs']).toBe('number');
    expect(new Date(line!.time).toISOString()).toBe(line!.time);
    expect(JSON.stringify(entries)).not.toMatch(/secret-in-query|hello-world|demo-blog/);
  });

  it('names a page route mounted at a prefix once, with its parameter, never the token in the path', async () => {
    const { entries } = await send('/email/confirm/a-sign-in-token');
    expect(entries[0]).toMatchObject({ route: '/email/confirm/:token', status: 200 });
    expect(JSON.stringify(entries)).not.toContain('a-sign-in-token');
  });

  it('names a route of several paths by the one requested, a mount without routes by its prefix, and anything else "unmatched"', async () => {
    expect((await send('/health')).entries[0]).toMatchObject({ route: '/health' });
    expect((await send('/static/app.js')).entries[0]).toMatchObject({ route: '/static/*', status: 200 });
    expect((await send('/no/such/page?code=abc')).entries[0]).toMatchObject({ route: 'unmatched', status: 404 });
  });

  it('marks a request whose client went away before the answer as aborted', async () => {
    const before = logged.length;
    const controller = new AbortController();
    const pending = fetch(`${base}/slow`, { headers: { 'X-Request-Id': 'gave-up' }, signal: controller.signal }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    await pending;
    for (let attempt = 0; attempt < 100 && !logged.slice(before).some((line) => line.includes('gave-up')); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(logEntries(logged.slice(before)).find((entry) => entry['reqId'] === 'gave-up')).toMatchObject({ route: '/slow', aborted: true });
  });

  it('labels an unusual method OTHER rather than whatever the client typed', async () => {
    expect((await send('/health', { method: 'PROPFIND' })).entries[0]).toMatchObject({ method: 'OTHER' });
  });

  it('keeps an error entry under the request id, with email addresses taken out of the error', async () => {
    const { entries } = await send('/fails');
    expect(entries.map((entry) => [entry.level, entry.msg])).toEqual([
      ['error', 'request failed'],
      ['info', 'request'],
    ]);
    expect(entries[0]!['err']).toMatchObject({ type: 'Error', message: 'the database of [email] is gone' });
    expect(JSON.stringify(entries)).not.toContain('someone@example.com');
  });
});

describe('the request id', () => {
  it('is made up and sent back when the client sends none', async () => {
    const { response, entries } = await send('/health');
    expect(response.headers.get('x-request-id')).toMatch(UUID);
    expect(entries[0]!['reqId']).toBe(response.headers.get('x-request-id'));
  });

  it('is the caller\'s when short and made of safe characters', async () => {
    const { response, entries } = await send('/health', { headers: { 'X-Request-Id': 'lb-7f3a-2:9_x' } });
    expect(response.headers.get('x-request-id')).toBe('lb-7f3a-2:9_x');
    expect(entries[0]!['reqId']).toBe('lb-7f3a-2:9_x');
  });

  it.each([
    ['too long', 'a'.repeat(65)],
    ['an email address', 'someone@example.com'],
    ['a forged log line', 'x" level=error msg="forged'],
    ['a JWT', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
  ])('is replaced when the caller\'s is %s', async (_what, incoming) => {
    const { response, entries } = await send('/health', { headers: { 'X-Request-Id': incoming } });
    expect(response.headers.get('x-request-id')).toMatch(UUID);
    expect(JSON.stringify(entries)).not.toContain(incoming);
  });
});

describe('routine routes (the gateway reading the reply outbox every few seconds)', () => {
  it('log a success at debug, and a refusal at info like any other request', async () => {
    const lines: string[] = [];
    const logger = createServiceLogger({ service: 'test', settings: { logLevel: 'debug', logFormat: undefined }, production: true, sink: (line) => lines.push(line) });
    const app = express();
    app.use(requestLog(logger, { routine: new Set(['/backchannel/replies']) }));
    app.get('/backchannel/replies', (req, res) => void (req.query['refuse'] ? res.status(401).end() : res.json({ replies: [] })));
    app.get('/other', (_req, res) => void res.send('ok'));
    const routine = await listen(app, 0);
    try {
      for (const path of ['/backchannel/replies', '/backchannel/replies?refuse=1', '/other']) await (await fetch(`http://127.0.0.1:${routine.port}${path}`)).arrayBuffer();
      for (let attempt = 0; attempt < 100 && logEntries(lines).length < 3; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(logEntries(lines).map((entry) => [entry['route'], entry['status'], entry.level])).toEqual([
        ['/backchannel/replies', 200, 'debug'],
        ['/backchannel/replies', 401, 'info'],
        ['/other', 200, 'info'],
      ]);
    } finally {
      await routine.close();
    }
  });
});
