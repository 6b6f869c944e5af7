import http from 'node:http';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { discover, type Discovery } from '../helpers/oidc-client';
import { dpopKey, makeProof, type DpopKey } from '../../packages/verify/test/helpers/dpop';
import { GatewayTokens, getComments, postComment, expectError, DEMO_ORIGIN } from '../comments/support';
import {
  accessToken,
  challenge,
  commentsPath,
  DPOP_SITES,
  htuFor,
  postProof,
  postWithProof,
  signIn,
  startDpopCommentService,
  STRICT_ORIGIN,
  type RunningDpopCommentService,
} from '../comments/dpop-support';

/**
 * DPoP (RFC 9449) from sign-in to comment, with a real gateway and comment service: a token
 * requested with a proof is bound to the client's key, and posts only with a fresh proof by that
 * key; a site with requireDpop gets no other tokens and accepts no other.
 */
describe('DPoP-bound tokens from a real sign-in', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;
  let comments: RunningDpopCommentService;
  let reader: DpopKey;
  let token: string;

  beforeAll(async () => {
    gw = await startTestGateway({ sites: DPOP_SITES });
    discovery = await discover(gw.issuer);
    comments = await startDpopCommentService(gw.issuer);
    reader = dpopKey();
    token = await accessToken(discovery, 'ada@example.com', 'demo-blog', reader);
  });
  afterAll(async () => {
    await comments.stop();
    await gw.stop();
  });

  const post = (proof: string | undefined, site = 'demo-blog', postId = 'dpop') => postWithProof(comments.url, site, postId, token, proof);
  const proofFor = (options: Partial<Parameters<typeof makeProof>[1]> = {}, key: DpopKey = reader) =>
    makeProof(key, { htu: htuFor('demo-blog', 'dpop'), token, ...options });

  function expectRefusal(response: Awaited<ReturnType<typeof post>>, error: 'invalid_token' | 'invalid_dpop_proof'): void {
    expectError(response, 401, error);
    expect(challenge(response)).toEqual({ scheme: 'DPoP', error });
    expect(response.headers.get('www-authenticate')).toContain('algs="ES256"');
  }

  it('advertises exactly the proof algorithm the comment service accepts', () => {
    expect(discovery.dpop_signing_alg_values_supported).toEqual(['ES256']);
  });

  it('binds the token requested with a proof to the proof key (cnf.jkt), as a DPoP token type', async () => {
    const other = dpopKey();
    const tokens = await signIn(discovery, 'grace@example.com', 'demo-blog', other);
    expect(tokens.status).toBe(200);
    expect(tokens.body['token_type']).toBe('DPoP');
    const accessTokenValue = tokens.body['access_token'] as string;
    expect(decodeProtectedHeader(accessTokenValue).typ).toBe('at+jwt');
    expect(decodeJwt(accessTokenValue).cnf).toEqual({ jkt: other.thumbprint });
    expect(decodeJwt(token).cnf).toEqual({ jkt: reader.thumbprint });
  });

  it('posts a comment with Authorization: DPoP and a fresh proof, and again with another', async () => {
    const first = await post(postProof(reader, token, 'demo-blog', 'dpop'));
    expect(first.status).toBe(201);
    expect(first.headers.get('access-control-allow-origin')).toBe(DEMO_ORIGIN);
    expect((await postWithProof(comments.url, 'demo-blog', 'dpop', token, proofFor(), 'A second comment.')).status).toBe(201);
    expect((await getComments(comments.url, 'demo-blog', 'dpop')).json.comments!.map((comment) => comment.body)).toEqual(['A comment.', 'A second comment.']);
  });

  it('refuses the bound token as Bearer, with or without a proof: a token stolen from the page is useless', async () => {
    const asBearer = await postComment(comments.url, 'demo-blog', 'dpop', token, { body: 'Stolen' });
    expectRefusal(asBearer, 'invalid_token');
    const withProof = await postComment(comments.url, 'demo-blog', 'dpop', token, { body: 'Stolen' }, { dpop: proofFor() });
    expectRefusal(withProof, 'invalid_token');
  });

  it('refuses the token with a valid proof by another key (the thief has its own key, not the reader\'s)', async () => {
    expectRefusal(await post(proofFor({}, dpopKey())), 'invalid_token');
  });

  it('refuses a proof used once already', async () => {
    const proof = proofFor();
    expect((await postWithProof(comments.url, 'demo-blog', 'dpop', token, proof, 'Said once.')).status).toBe(201);
    expectRefusal(await postWithProof(comments.url, 'demo-blog', 'dpop', token, proof, 'Said twice.'), 'invalid_dpop_proof');
  });

  it.each<[string, () => string | undefined]>([
    ['no proof', () => undefined],
    ['a proof for GET', () => proofFor({ htm: 'GET' })],
    ['a proof for another post', () => proofFor({ htu: htuFor('demo-blog', 'elsewhere') })],
    ['a proof for the address the service listens on, not PARLEY_COMMENTS_URL', () => proofFor({ htu: `${comments.url}${commentsPath('demo-blog', 'dpop')}` })],
    ['a proof for another token (ath)', () => proofFor({ token: `${token}x` })],
    ['a proof made 2 minutes ago', () => proofFor({ iat: Math.floor(Date.now() / 1000) - 120 })],
    ['a proof made 1 minute in the future', () => proofFor({ iat: Math.floor(Date.now() / 1000) + 60 })],
    ['a proof carrying the private key', () => proofFor({ header: { jwk: reader.privateJwk } })],
    ['a proof of type JWT', () => proofFor({ header: { typ: 'JWT' } })],
  ])('refuses %s with invalid_dpop_proof', async (_case, makeProofCase) => {
    expectRefusal(await post(makeProofCase()), 'invalid_dpop_proof');
  });

  it('does not let a forged Host header make a proof for that host valid, nor spoil a genuine one', async () => {
    const { port } = new URL(comments.url);
    const send = (proof: string) =>
      new Promise<number>((resolve, reject) => {
        const body = JSON.stringify({ body: 'Through a forged Host' });
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: commentsPath('demo-blog', 'dpop'),
            headers: { host: 'evil.example', authorization: `DPoP ${token}`, dpop: proof, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    expect(await send(proofFor({ htu: `http://evil.example${commentsPath('demo-blog', 'dpop')}` }))).toBe(401);
    expect(await send(proofFor())).toBe(201);
  });

  it('answers 403 wrong_site for a DPoP token of one site sent, with a valid proof, to another', async () => {
    const response = await postWithProof(comments.url, 'other-blog', 'dpop', token, postProof(reader, token, 'other-blog', 'dpop'));
    expectError(response, 403, 'wrong_site');
  });

  it('still takes unbound tokens as Bearer on a site that does not require DPoP', async () => {
    const unbound = await accessToken(discovery, 'bob@example.com', 'demo-blog', undefined);
    expect(decodeJwt(unbound).cnf).toBeUndefined();
    expect((await postComment(comments.url, 'demo-blog', 'dpop', unbound, { body: 'Plain bearer' })).status).toBe(201);
    expectRefusal(await postWithProof(comments.url, 'demo-blog', 'dpop', unbound, makeProof(reader, { htu: htuFor('demo-blog', 'dpop'), token: unbound })), 'invalid_token');
  });

  it('allows the DPoP header in a preflight and exposes WWW-Authenticate to the widget', async () => {
    const preflight = await fetch(`${comments.url}${commentsPath('demo-blog', 'dpop')}`, {
      method: 'OPTIONS',
      headers: { origin: DEMO_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, dpop, content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/\bDPoP\b/);
    const refused = await post(undefined);
    expect(refused.headers.get('access-control-expose-headers')).toMatch(/WWW-Authenticate/);
  });

  it('refuses a bound token revoked at the revocation endpoint within 5 seconds, proof or not', async () => {
    const key = dpopKey();
    const revocable = await accessToken(discovery, 'revoked@example.com', 'demo-blog', key);
    const postRevocable = () => postWithProof(comments.url, 'demo-blog', 'revoked', revocable, postProof(key, revocable, 'demo-blog', 'revoked'), `At ${Date.now()}`);
    expect((await postRevocable()).status).toBe(201);
    const revoked = await fetch(discovery['revocation_endpoint'] as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: DEMO_ORIGIN },
      body: new URLSearchParams({ token: revocable, client_id: 'demo-blog' }),
    });
    expect(revoked.status).toBe(200);
    const since = Date.now();
    for (;;) {
      const answer = await postRevocable();
      if (answer.status === 401) {
        expectRefusal(answer, 'invalid_token');
        break;
      }
      // 429: still accepted, and the rate limit counted it.
      expect([201, 429]).toContain(answer.status);
      expect(Date.now() - since).toBeLessThan(5_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  describe('a site that requires DPoP', () => {
    it('gets no token from the token endpoint without a proof', async () => {
      const tokens = await signIn(discovery, 'ada@example.com', 'strict-blog', undefined);
      expect(tokens.status).toBe(400);
      expect(tokens.body['error']).toBe('invalid_grant');
    });

    it('accepts its bound token with a proof, and refuses an unbound one as Bearer', async () => {
      const key = dpopKey();
      const strictToken = await accessToken(discovery, 'ada@example.com', 'strict-blog', key);
      const accepted = await postWithProof(comments.url, 'strict-blog', 'dpop', strictToken, postProof(key, strictToken, 'strict-blog', 'dpop'));
      expect(accepted.status).toBe(201);
      expect(accepted.headers.get('access-control-allow-origin')).toBe(STRICT_ORIGIN);

      // An unbound token the gateway's own key signed (the token endpoint would not issue one).
      const unbound = await (await GatewayTokens.of(gw)).mint({ client_id: 'strict-blog' });
      const refused = await postComment(comments.url, 'strict-blog', 'dpop', unbound, { body: 'Bearer' });
      expectRefusal(refused, 'invalid_token');
    });
  });
});
