import * as client from 'openid-client';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK } from 'jose';
import { TestBrowser } from '../helpers/browser';
import type { TestSite } from '../helpers/gateway';
import {
  discoverAsSite,
  fetchAsBackend,
  plainAuthorization,
  pushedAuthorization,
  readerSignsInByEmail,
  redeemAtCallback,
  SITE_SCOPE,
  startCallbackRoute,
  type BackendAuthorization,
  type CallbackRoute,
} from '../helpers/openid-client-backend';
import { startDeployment, startVerifiedRoute, type Deployment, type VerifiedRoute } from '../helpers/openid-client-resources';
import { commentsUrl, DEMO_ORIGIN, OTHER_ORIGIN } from '../comments/support';

/** The contract: a revoked token is refused everywhere within 5 seconds of the revocation. */
const REVOCATION_DEADLINE_MS = 5_000;

/**
 * A third-party relying party against a real gateway and comment service: a blog backend written
 * with openid-client 6, as a blog owner would from the README (issue 13, "What it must show").
 * Each site registers a loopback callback of the backend as its redirect URI (sites file
 * `redirectUris`), so the code arrives in a URL the backend hands to openid-client unchanged.
 */
describe('a blog backend signing commenters in with openid-client', () => {
  let deployment: Deployment;
  let issuer: string;
  let demoCallback: CallbackRoute;
  let otherCallback: CallbackRoute;
  let demo: client.Configuration;
  let other: client.Configuration;
  let demoRoute: VerifiedRoute;
  let posts = 0;

  beforeAll(async () => {
    demoCallback = await startCallbackRoute();
    otherCallback = await startCallbackRoute();
    const sites: TestSite[] = [
      { id: 'demo-blog', name: 'Demo Blog', origins: [DEMO_ORIGIN], redirectUris: [demoCallback.url] },
      { id: 'other-blog', name: 'Other Blog', origins: [OTHER_ORIGIN], redirectUris: [otherCallback.url] },
    ];
    deployment = await startDeployment(sites);
    issuer = deployment.gateway.issuer;
    demo = await discoverAsSite(issuer, 'demo-blog', demoCallback.url);
    other = await discoverAsSite(issuer, 'other-blog', otherCallback.url);
    demoRoute = await startVerifiedRoute(issuer, deployment.commentsUrl, 'demo-blog');
  });
  afterAll(async () => {
    await demoRoute?.close();
    await deployment?.stop();
    await demoCallback?.close();
    await otherCallback?.close();
  });

  /** A commenter of `config`'s site signs in; the backend redeems the code (bound to `dpop` if given). */
  async function signIn(config: client.Configuration, email: string, authorization: BackendAuthorization, dpop?: client.DPoPHandle) {
    const callbackUrl = await readerSignsInByEmail(new TestBrowser(), issuer, authorization.url, email, 'Ada Lovelace');
    return redeemAtCallback(config, callbackUrl, authorization, dpop);
  }

  /** A fresh DPoP key pair (ES256, as the widget's) and openid-client's handle for it. */
  async function dpopKey(config: client.Configuration): Promise<{ handle: client.DPoPHandle; thumbprint: string }> {
    const keyPair = await client.randomDPoPKeyPair('ES256');
    return { handle: client.getDPoPHandle(config, keyPair), thumbprint: await calculateJwkThumbprint(await exportJWK(keyPair.publicKey)) };
  }

  /** A comment posted through openid-client: DPoP scheme and proof with a handle, else Bearer. */
  const postAs = (config: client.Configuration, site: string, token: string, dpop?: client.DPoPHandle) =>
    fetchAsBackend(config, token, commentsUrl(deployment.commentsUrl, site, 'openid-client'), 'POST', { body: `comment ${(posts += 1)}` }, dpop);

  /**
   * A 401 with one of the `errors` allowed in the JSON body, and a challenge of one of `schemes`
   * carrying the same error (RFC 6750 §3, RFC 9449 §7.1).
   */
  async function expectRefused(response: Response, schemes: readonly ('Bearer' | 'DPoP')[], errors: readonly string[]): Promise<void> {
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error?: string };
    expect(errors).toContain(body.error);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(new RegExp(`(^|,\\s*)(${schemes.join('|')}) [^]*error="${body.error}"`));
  }

  const expectInvalidToken = (response: Response, scheme: 'Bearer' | 'DPoP') => expectRefused(response, [scheme], ['invalid_token']);
  /**
   * A DPoP-bound token presented as Bearer: RFC 9449 §7.2 lets the service challenge with either
   * scheme (or both); DESIGN.md's contract is the 401 `invalid_token`.
   */
  const expectBoundTokenRefusedAsBearer = (response: Response) => expectRefused(response, ['Bearer', 'DPoP'], ['invalid_token']);
  /** A proof that does not hold: RFC 9449 §7.1 lets the service call it either. */
  const expectBadProof = (response: Response) => expectRefused(response, ['DPoP'], ['invalid_token', 'invalid_dpop_proof']);

  async function expectWrongSite(response: Response): Promise<void> {
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'wrong_site' });
  }

  it('finds in discovery what it uses: PKCE S256, PAR, DPoP with ES256, revocation, the comments scope, no client secret', () => {
    const metadata = demo.serverMetadata();
    expect(metadata.issuer).toBe(issuer);
    expect(metadata.code_challenge_methods_supported).toContain('S256');
    expect(metadata.pushed_authorization_request_endpoint).toBe(`${issuer}/request`);
    expect(metadata.dpop_signing_alg_values_supported).toContain('ES256');
    expect(metadata.revocation_endpoint).toEqual(expect.stringMatching(new RegExp(`^${issuer}/`)));
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(SITE_SCOPE.split(' ')));
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(['none']);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
  });

  it("is never sent to another site's redirect URI: the gateway shows an error page", async () => {
    const authorization = await plainAuthorization(demo, otherCallback.url);
    const page = await new TestBrowser().get(authorization.url.href);
    expect(page.status).toBe(400);
    expect(page.hops.map((hop) => new URL(hop.url).origin)).toEqual([new URL(issuer).origin]);
  });

  describe('signed in with a plain authorization request and a DPoP-bound code exchange', () => {
    let token: string;
    let dpop: { handle: client.DPoPHandle; thumbprint: string };

    it('gets an ID token openid-client validated and a DPoP-bound access token for the comment service', async () => {
      dpop = await dpopKey(demo);
      const authorization = await plainAuthorization(demo, demoCallback.url);
      expect(Object.fromEntries(authorization.url.searchParams)).toMatchObject({
        client_id: 'demo-blog',
        response_type: 'code',
        code_challenge_method: 'S256',
        state: authorization.state,
        nonce: authorization.nonce,
      });

      const tokens = await signIn(demo, 'plain@example.com', authorization, dpop.handle);
      // openid-client has checked the ID token's signature (against the JWKS), iss, aud, exp, iat
      // and nonce before returning; claims() is what it validated.
      const idToken = tokens.claims()!;
      expect(idToken).toMatchObject({ iss: issuer, aud: 'demo-blog', nonce: authorization.nonce });
      expect(tokens.token_type.toLowerCase()).toBe('dpop');
      token = tokens.access_token;
      expect(decodeProtectedHeader(token).typ).toBe('at+jwt');
      const claims = decodeJwt(token);
      expect(claims).toMatchObject({ iss: issuer, aud: deployment.commentsUrl, client_id: 'demo-blog', sub: idToken.sub, idp: 'email', name: 'Ada Lovelace' });
      expect(String(claims['scope']).split(' ')).toContain('comments');
      expect(claims['cnf']).toEqual({ jkt: dpop.thumbprint });
    });

    it('would refuse an ID token whose signature does not verify against the JWKS (the check above is real)', async () => {
      // The same backend, with the token endpoint's answer altered on the way in: one byte of the
      // ID token's signature changed, everything else as the gateway sent it.
      const tampering = await discoverAsSite(issuer, 'demo-blog', demoCallback.url);
      tampering[client.customFetch] = async (url, init) => {
        const response = await fetch(url, init as RequestInit);
        if (url !== tampering.serverMetadata().token_endpoint || response.status !== 200) return response;
        const body = (await response.json()) as { id_token: string };
        const signature = body.id_token.slice(body.id_token.lastIndexOf('.') + 1);
        const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
        body.id_token = `${body.id_token.slice(0, body.id_token.lastIndexOf('.') + 1)}${flipped}`;
        return new Response(JSON.stringify(body), { status: 200, headers: response.headers });
      };
      const authorization = await plainAuthorization(tampering, demoCallback.url);
      await expect(signIn(tampering, 'tampered@example.com', authorization)).rejects.toMatchObject({
        code: 'OAUTH_INVALID_RESPONSE',
        cause: { message: 'JWT signature verification failed' },
      });
    });

    it('posts a comment with fetchProtectedResource: Authorization: DPoP and a proof, 201', async () => {
      const response = await postAs(demo, 'demo-blog', token, dpop.handle);
      expect(response.status).toBe(201);
      expect(await response.json()).toMatchObject({ comment: { author: { name: 'Ada Lovelace', idp: 'email' } } });
    });

    it('is let through by the verifier of another backend of the same site, with its proof', async () => {
      const response = await fetchAsBackend(demo, token, demoRoute.url, 'POST', {}, dpop.handle);
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual({ sub: decodeJwt(token).sub, siteId: 'demo-blog' });
    });

    it('is refused as a plain Bearer token, by the comment service and by the verifier: 401 invalid_token', async () => {
      await expectBoundTokenRefusedAsBearer(await postAs(demo, 'demo-blog', token));
      await expectBoundTokenRefusedAsBearer(await fetchAsBackend(demo, token, demoRoute.url, 'POST', {}));
    });

    it('is refused with a proof signed by another key (a token stolen from the page): 401', async () => {
      const thief = await dpopKey(demo);
      await expectBadProof(await postAs(demo, 'demo-blog', token, thief.handle));
      await expectBadProof(await fetchAsBackend(demo, token, demoRoute.url, 'POST', {}, thief.handle));
    });

    /** The headers of one request the backend sends with openid-client, recorded on the way out. */
    async function recordedRequest(url: string): Promise<{ response: Response; headers: Record<string, string> }> {
      const sent: RequestInit[] = [];
      const recording = await discoverAsSite(issuer, 'demo-blog', demoCallback.url);
      recording[client.customFetch] = (target, init) => {
        sent.push(init as RequestInit);
        return fetch(target, init as RequestInit);
      };
      const response = await fetchAsBackend(recording, token, url, 'POST', { body: 'once' }, dpop.handle);
      return { response, headers: sent[0]!.headers as Record<string, string> };
    }

    it('is refused when its proof is replayed: 401', async () => {
      const url = commentsUrl(deployment.commentsUrl, 'demo-blog', 'openid-client');
      const original = await recordedRequest(url);
      expect(original.response.status).toBe(201);
      await expectBadProof(await fetch(url, { method: 'POST', headers: original.headers, body: JSON.stringify({ body: 'twice' }) }));
    });

    it('is refused with a proof made for another service (relayed by a backend it was sent to): 401', async () => {
      const original = await recordedRequest(demoRoute.url);
      expect(original.response.status).toBe(201);
      const relayed = await fetch(commentsUrl(deployment.commentsUrl, 'demo-blog', 'openid-client'), {
        method: 'POST',
        headers: original.headers,
        body: JSON.stringify({ body: 'relayed' }),
      });
      await expectBadProof(relayed);
    });
  });

  describe('signed in with a pushed authorization request (PAR)', () => {
    it('completes PAR → sign-in → DPoP-bound code exchange → a comment posted, 201', async () => {
      const dpop = await dpopKey(demo);
      const authorization = await pushedAuthorization(demo, demoCallback.url, dpop.handle);
      // Only the request_uri travels through the reader's browser.
      expect([...authorization.url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
      const tokens = await signIn(demo, 'par@example.com', authorization, dpop.handle);
      expect(tokens.claims()).toMatchObject({ iss: issuer, aud: 'demo-blog', nonce: authorization.nonce });
      expect(decodeJwt(tokens.access_token)['cnf']).toEqual({ jkt: dpop.thumbprint });
      expect((await postAs(demo, 'demo-blog', tokens.access_token, dpop.handle)).status).toBe(201);
    });

    it('refuses to redeem a code pushed for one DPoP key with a proof of another (dpop_jkt, RFC 9449 §10)', async () => {
      const pushedFor = await dpopKey(demo);
      const authorization = await pushedAuthorization(demo, demoCallback.url, pushedFor.handle);
      // The same flow with the pushed key succeeds (the test above); oidc-provider does not say why
      // a grant is refused, so that control is what ties this refusal to the key.
      const someoneElse = await dpopKey(demo);
      await expect(signIn(demo, 'par-other-key@example.com', authorization, someoneElse.handle)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
    });

    it('refuses a request_uri used a second time: the reader sees an error page, no code', async () => {
      const authorization = await pushedAuthorization(demo, demoCallback.url);
      const browser = new TestBrowser();
      await readerSignsInByEmail(browser, issuer, authorization.url, 'par-twice@example.com', 'Ada Lovelace');
      const again = await browser.get(authorization.url.href);
      expect(again.url).not.toContain('/auth/callback');
      expect(again.status).toBe(400);
    });
  });

  describe("another site's token", () => {
    it('is refused with 403 wrong_site by the comment service and by a verifier configured for one site', async () => {
      const dpop = await dpopKey(other);
      const tokens = await signIn(other, 'elsewhere@example.com', await plainAuthorization(other, otherCallback.url), dpop.handle);
      const token = tokens.access_token;
      expect(decodeJwt(token)).toMatchObject({ client_id: 'other-blog', cnf: { jkt: dpop.thumbprint } });
      // The token is good where it belongs: the refusals below are about the site alone.
      expect((await postAs(other, 'other-blog', token, dpop.handle)).status).toBe(201);

      await expectWrongSite(await postAs(other, 'demo-blog', token, dpop.handle));
      await expectWrongSite(await fetchAsBackend(other, token, demoRoute.url, 'POST', {}, dpop.handle));
    });

    it('is refused with 403 wrong_site by createVerifier({ issuer, audience, clientId }) itself, unbound too', async () => {
      const tokens = await signIn(other, 'elsewhere-unbound@example.com', await plainAuthorization(other, otherCallback.url));
      expect(tokens.token_type.toLowerCase()).toBe('bearer');
      await expect(demoRoute.verifier.verify(tokens.access_token)).rejects.toMatchObject({
        code: 'ERR_TOKEN_SITE',
        status: 403,
        responseError: 'wrong_site',
      });
      await expectWrongSite(await postAs(other, 'demo-blog', tokens.access_token));
    });
  });

  describe('revoked with openid-client', () => {
    /** Signs in, posts once, revokes with tokenRevocation, then posts until refused (at most 5 s). */
    async function revokeAndExpectRefused(email: string, dpop?: client.DPoPHandle): Promise<void> {
      const tokens = await signIn(demo, email, await plainAuthorization(demo, demoCallback.url), dpop);
      const token = tokens.access_token;
      expect((await postAs(demo, 'demo-blog', token, dpop)).status).toBe(201);

      await client.tokenRevocation(demo, token, { token_type_hint: 'access_token' });
      const since = Date.now();
      for (;;) {
        const response = await postAs(demo, 'demo-blog', token, dpop);
        if (response.status === 401) return expectInvalidToken(response, dpop ? 'DPoP' : 'Bearer');
        // 429: the token was accepted and the commenter's rate limit counted the post.
        expect([201, 429]).toContain(response.status);
        expect(Date.now() - since).toBeLessThan(REVOCATION_DEADLINE_MS);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }

    it('refuses a DPoP-bound token within 5 seconds of tokenRevocation at the gateway', async () => {
      await revokeAndExpectRefused('revoked-bound@example.com', (await dpopKey(demo)).handle);
    });

    it('refuses an unbound (Bearer) token within 5 seconds of tokenRevocation at the gateway', async () => {
      await revokeAndExpectRefused('revoked-bearer@example.com');
    });
  });
});
