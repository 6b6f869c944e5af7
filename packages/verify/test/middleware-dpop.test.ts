import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Response } from 'express';
import { createVerifier, getCommenter, refusalFor, requireCommenter, VerifyError, type Verifier } from '../src';
import { dpopKey, makeProof, type DpopKey } from './helpers/dpop';
import { AUDIENCE, SITE, fixtureKey, mintToken, startFixtureIssuer, type FixtureIssuer, type FixtureKey } from './helpers/issuer';

/**
 * DPoP through real HTTP: Express with requireCommenter (mounted under a prefix, as a blog
 * backend might), and a plain node:http server that calls verifyRequest and refusalFor itself.
 * The public URL is AUDIENCE; the servers listen on loopback ports that no proof names.
 */

const PATH = '/api/comments';

let signingKey: FixtureKey;
let gateway: FixtureIssuer;
let verifier: Verifier;
let client: DpopKey;
let expressServer: http.Server;
let plainServer: http.Server;
let expressUrl: string;
let plainUrl: string;

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  signingKey = await fixtureKey('ES256', 'mw-dpop');
  gateway = await startFixtureIssuer([signingKey]);
  client = dpopKey();
  verifier = createVerifier({ issuer: gateway.issuer, audience: AUDIENCE, clientId: SITE });

  const app = express();
  const api = express.Router();
  api.post('/comments', requireCommenter(verifier), (_req, res: Response) => {
    res.json({ commenter: getCommenter(res) });
  });
  app.use('/api', api);
  expressServer = http.createServer(app);
  expressUrl = await listen(expressServer);

  plainServer = http.createServer((req, res) => {
    verifier
      .verifyRequest({ authorization: req.headers.authorization, dpop: req.headers.dpop, method: req.method ?? '', url: req.url ?? '' })
      .then(
        (commenter) => {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ commenter }));
        },
        (error: unknown) => {
          if (!(error instanceof VerifyError)) throw error;
          const refusal = refusalFor(error, { authorization: req.headers.authorization, dpopAlgorithms: verifier.dpopAlgorithms });
          res.writeHead(refusal.status, { ...refusal.headers, 'content-type': 'application/json' }).end(JSON.stringify(refusal.body));
        },
      );
  });
  plainUrl = await listen(plainServer);
});

afterAll(async () => {
  for (const server of [expressServer, plainServer]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await gateway.close();
});

const now = () => Math.floor(Date.now() / 1000);
const boundToken = (key: DpopKey = client) => mintToken(signingKey, gateway.issuer, now(), { claims: { cnf: { jkt: key.thumbprint } } });

async function post(base: string, headers: Record<string, string>) {
  const response = await fetch(`${base}${PATH}`, { method: 'POST', headers });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
}

describe.each([
  ['Express middleware', () => expressUrl],
  ['plain node:http', () => plainUrl],
])('%s', (_name, base) => {
  it('accepts a bound token with a proof for the public URL, not the address it listens on', async () => {
    const token = await boundToken();
    const response = await post(base(), { authorization: `DPoP ${token}`, dpop: makeProof(client, { htu: `${AUDIENCE}${PATH}`, token }) });
    expect(response.status).toBe(200);
    expect(response.json.commenter).toMatchObject({ siteId: SITE, dpopKeyThumbprint: client.thumbprint });

    const forListener = makeProof(client, { htu: `${base()}${PATH}`, token });
    expect((await post(base(), { authorization: `DPoP ${token}`, dpop: forListener })).status).toBe(401);
  });

  it('answers a bad proof with 401 and a DPoP invalid_dpop_proof challenge naming the algorithms', async () => {
    const token = await boundToken();
    const response = await post(base(), { authorization: `DPoP ${token}`, dpop: makeProof(client, { htu: `${AUDIENCE}${PATH}`, htm: 'GET', token }) });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'DPoP error="invalid_dpop_proof", algs="ES256", error_description="DPoP proof htm is not the request method"',
    );
    expect(response.json).toEqual({ error: 'invalid_dpop_proof', message: 'DPoP proof htm is not the request method' });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers a bound token sent as Bearer with a DPoP invalid_token challenge', async () => {
    const response = await post(base(), { authorization: `Bearer ${await boundToken()}` });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token", algs="ES256", error_description="/);
  });

  it('answers a DPoP request with a bad token in DPoP, and a Bearer one in Bearer', async () => {
    const dpop = await post(base(), { authorization: 'DPoP not.a-token', dpop: 'x.y.z' });
    expect(dpop.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token", algs="ES256"/);
    const bearer = await post(base(), { authorization: 'Bearer not.a-token' });
    expect(bearer.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", error_description="/);
  });
});

/** POSTs with the request target and Host given as they are: what a hostile client can send. */
function forgedPost(base: string, target: string, host: string, headers: Record<string, string>): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: hostname, port, path: target, method: 'POST', headers: { host, connection: 'close', ...headers } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end();
  });
}

describe.each([
  ['Express middleware', () => expressUrl],
  ['plain node:http', () => plainUrl],
])('%s with a forged Host header or absolute-form target', (_name, base) => {
  it('does not accept a proof made for the forged host', async () => {
    const token = await boundToken();
    const forEvil = () => makeProof(client, { htu: `http://evil.example${PATH}`, token });
    expect(await forgedPost(base(), PATH, 'evil.example', { authorization: `DPoP ${token}`, dpop: forEvil() })).toBe(401);
    expect(await forgedPost(base(), `http://evil.example${PATH}`, 'evil.example', { authorization: `DPoP ${token}`, dpop: forEvil() })).toBe(401);
  });

  it('still accepts a proof made for the public URL', async () => {
    const token = await boundToken();
    const genuine = makeProof(client, { htu: `${AUDIENCE}${PATH}`, token });
    expect(await forgedPost(base(), PATH, 'evil.example', { authorization: `DPoP ${token}`, dpop: genuine })).toBe(200);
  });
});
