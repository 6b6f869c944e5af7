import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Response } from 'express';
import {
  createVerifier,
  getCommenter,
  MAX_TOKEN_BYTES,
  requireCommenter,
  type Verifier,
  type VerifyError,
} from '../src';
import {
  AUDIENCE,
  SITE,
  fixtureKey,
  mintToken,
  startFixtureIssuer,
  type FixtureIssuer,
  type FixtureKey,
} from './helpers/issuer';

let key: FixtureKey;
let gateway: FixtureIssuer;
let brokenGateway: FixtureIssuer;
let server: http.Server;
let baseUrl: string;
const refusals: VerifyError[] = [];

/** A verifier whose own code breaks, to show that even then the answer is no 500. */
const crashingVerifier: Pick<Verifier, 'verifyRequest'> = {
  verifyRequest: () => Promise.reject(new RangeError('boom at /srv/app/verify.js:1:1')),
};

beforeAll(async () => {
  key = await fixtureKey('RS256', 'mw-key');
  gateway = await startFixtureIssuer([key]);
  brokenGateway = await startFixtureIssuer([key]);
  brokenGateway.mode = 'error500';

  const verifier = createVerifier({ issuer: gateway.issuer, audience: AUDIENCE, clientId: SITE });
  const unavailable = createVerifier({ issuer: brokenGateway.issuer, audience: AUDIENCE, clientId: SITE });
  const app = express();
  app.use(express.json());
  app.use(express.urlencoded({ extended: false }));
  const show = (_req: unknown, res: Response) => {
    res.json({ commenter: getCommenter(res) });
  };
  app.post('/comments', requireCommenter(verifier, { onRefused: (error) => refusals.push(error) }), show);
  app.post('/unavailable', requireCommenter(unavailable), show);
  // A trailing slash the gateway's discovery document does not have: a typical setup mistake.
  const misconfigured = createVerifier({ issuer: `${gateway.issuer}/`, audience: AUDIENCE, clientId: SITE });
  app.post('/misconfigured', requireCommenter(misconfigured, { onRefused: (error) => refusals.push(error) }), show);
  app.post('/crashing', requireCommenter(crashingVerifier), show);
  app.post(
    '/throwing-hook',
    requireCommenter(verifier, {
      onRefused: () => {
        throw new Error('logger down');
      },
    }),
    show,
  );
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await Promise.all([gateway.close(), brokenGateway.close()]);
});

beforeEach(() => {
  refusals.length = 0;
});

const now = () => Math.floor(Date.now() / 1000);
const genuineToken = (claims?: Record<string, unknown>) => mintToken(key, gateway.issuer, now(), { claims });

async function post(path: string, headers: Record<string, string> = {}, body?: string) {
  const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: JSON.parse(text) as Record<string, unknown>,
  };
}

describe('requireCommenter lets a genuine commenter through', () => {
  it('puts the commenter on res.locals for the route', async () => {
    const token = await genuineToken();
    const response = await post('/comments', { authorization: `Bearer ${token}` });

    expect(response.status).toBe(200);
    expect(response.json.commenter).toMatchObject({ sub: 'pairwise-7f3a', siteId: 'demo-blog', idp: 'twitter' });
  });

  it('accepts the Bearer scheme in any letter case', async () => {
    const token = await genuineToken();
    expect((await post('/comments', { authorization: `bEaReR ${token}` })).status).toBe(200);
  });
});

describe('requireCommenter answers 401 invalid_token per RFC 6750', () => {
  it('answers a request without a token with error invalid_token, as the API contract requires', async () => {
    const response = await post('/comments');

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="no bearer token was presented"',
    );
    expect(response.json).toEqual({ error: 'invalid_token', message: 'no bearer token was presented' });
    expect(refusals.map((error) => error.code)).toEqual(['ERR_TOKEN_MISSING']);
  });

  it('ignores a token in the query string', async () => {
    const token = await genuineToken();
    const response = await post(`/comments?access_token=${token}`);
    expect(response.status).toBe(401);
    expect(refusals.map((error) => error.code)).toEqual(['ERR_TOKEN_MISSING']);
  });

  it('ignores a token in a form body', async () => {
    const token = await genuineToken();
    const response = await post(
      '/comments',
      { 'content-type': 'application/x-www-form-urlencoded' },
      `access_token=${token}`,
    );
    expect(response.status).toBe(401);
    expect(refusals.map((error) => error.code)).toEqual(['ERR_TOKEN_MISSING']);
  });

  it.each([
    ['another scheme', (token: string) => `Basic ${token}`],
    ['two tokens', (token: string) => `Bearer ${token} ${token}`],
    ['two credentials', (token: string) => `Bearer ${token}, Bearer ${token}`],
    ['a scheme without a token', () => 'Bearer'],
  ])('refuses an Authorization header with %s', async (_label, header) => {
    const response = await post('/comments', { authorization: header(await genuineToken()) });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", error_description="/);
    expect(response.json.error).toBe('invalid_token');
  });

  it('refuses an expired token with a description and no stack trace or token in the answer', async () => {
    const token = await mintToken(key, gateway.issuer, now() - 3600);
    const response = await post('/comments', { authorization: `Bearer ${token}` });

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="token has expired"',
    );
    expect(response.json).toEqual({ error: 'invalid_token', message: 'token has expired' });
    expect(response.text).not.toContain(token.split('.')[2]);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses an oversized token', async () => {
    const response = await post('/comments', { authorization: `Bearer ${'a'.repeat(MAX_TOKEN_BYTES + 1)}` });
    expect(response.status).toBe(401);
    expect(refusals.map((error) => error.code)).toEqual(['ERR_TOKEN_TOO_LARGE']);
  });

  it('still answers 401 when the onRefused hook throws', async () => {
    expect((await post('/throwing-hook')).status).toBe(401);
  });

  it('writes nothing to the console, so no token reaches a log', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) => jest.spyOn(console, method));
    try {
      const token = await mintToken(key, gateway.issuer, now() - 3600);
      await post('/comments', { authorization: `Bearer ${token}` });
      await post('/unavailable', { authorization: `Bearer ${token}` });
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe('requireCommenter answers 403 insufficient_scope', () => {
  it('names the missing scope in WWW-Authenticate', async () => {
    const token = await genuineToken({ scope: 'openid profile' });
    const response = await post('/comments', { authorization: `Bearer ${token}` });

    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", error_description="token scope does not include comments", scope="comments"',
    );
    expect(response.json).toEqual({ error: 'insufficient_scope', message: 'token scope does not include comments' });
  });
});

describe('requireCommenter answers 403 wrong_site for a token of another site', () => {
  it('answers 403 with insufficient_scope in WWW-Authenticate and wrong_site in the body, naming no site', async () => {
    const token = await genuineToken({ client_id: 'other-blog' });
    const response = await post('/comments', { authorization: `Bearer ${token}` });

    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", error_description="token was issued to another site"',
    );
    expect(response.json).toEqual({ error: 'wrong_site', message: 'token was issued to another site' });
    expect(response.text).not.toMatch(/other-blog|demo-blog/);
    // The operator's hook hears both.
    expect(refusals.map((error) => error.message)).toEqual([
      `token was issued to site 'other-blog', not to the configured clientId '${SITE}'`,
    ]);
  });
});

describe('requireCommenter tells the client less than the operator', () => {
  it('answers a wrong audience with a generic 401 while onRefused hears both audiences', async () => {
    const token = await genuineToken({ aud: 'http://other-comments.test' });
    const response = await post('/comments', { authorization: `Bearer ${token}` });

    expect(response.status).toBe(401);
    expect(response.json).toEqual({ error: 'invalid_token', message: 'token audience is not this service' });
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="token audience is not this service"',
    );
    expect(`${response.text} ${response.headers.get('www-authenticate')}`).not.toContain('comments.test');
    expect(refusals[0]?.message).toBe(
      `token audience 'http://other-comments.test' does not contain the configured audience '${AUDIENCE}'`,
    );
  });

  it('answers an issuer mismatch with the generic 503 while onRefused hears both issuers', async () => {
    const response = await post('/misconfigured', { authorization: `Bearer ${await genuineToken()}` });

    expect(response.status).toBe(503);
    expect(response.json).toEqual({ error: 'temporarily_unavailable', message: 'token keys are temporarily unavailable' });
    expect(response.text).not.toContain(gateway.issuer);
    expect(refusals.map((error) => error.code)).toEqual(['ERR_ISSUER_MISMATCH']);
    expect(refusals[0]?.message).toContain(`configured with issuer '${gateway.issuer}/'`);
    expect(refusals[0]?.message).toContain(`names issuer '${gateway.issuer}'`);
  });
});

describe('requireCommenter answers 503 when it cannot decide', () => {
  it('answers 503 temporarily_unavailable with Retry-After when the keys cannot be fetched', async () => {
    const token = await mintToken(key, brokenGateway.issuer, now());
    const response = await post('/unavailable', { authorization: `Bearer ${token}` });

    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(response.json).toEqual({
      error: 'temporarily_unavailable',
      message: 'token keys are temporarily unavailable',
    });
    expect(response.text).not.toContain(brokenGateway.issuer);
  });

  it('answers 503, not 500, when the verifier itself breaks, without revealing why', async () => {
    const response = await post('/crashing', { authorization: `Bearer ${await genuineToken()}` });

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.json.error).toBe('temporarily_unavailable');
    expect(response.text).not.toMatch(/boom|verify\.js/);
  });
});

describe('getCommenter', () => {
  it('throws when requireCommenter did not run for the route', () => {
    const res = { locals: {} } as unknown as Response;
    expect(() => getCommenter(res)).toThrow(/requireCommenter did not run/);
  });
});
