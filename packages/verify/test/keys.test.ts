import { createVerifier, VerifierUnavailableError, type Verifier } from '../src';
import { KEYS_MAX_AGE_MS } from '../src/keys';
import { discoveryUrl } from '../src/issuer-documents';
import {
  AUDIENCE,
  SITE,
  FakeClock,
  FIXED_NOW_MS,
  fixtureKey,
  mintToken,
  startFixtureIssuer,
  type FixtureIssuer,
  type FixtureKey,
  type IssuerMode,
} from './helpers/issuer';

/** The verifier's default least time between two key fetches. */
const REFETCH_INTERVAL_SECONDS = 5;

let keyA: FixtureKey;
let keyB: FixtureKey;
let gateway: FixtureIssuer;
let clock: FakeClock;
let verifier: Verifier;

beforeAll(async () => {
  [keyA, keyB] = await Promise.all([fixtureKey('RS256', 'key-a'), fixtureKey('ES256', 'key-b')]);
});

beforeEach(async () => {
  gateway = await startFixtureIssuer([keyA]);
  clock = new FakeClock(FIXED_NOW_MS);
  verifier = createVerifier({ issuer: gateway.issuer, audience: AUDIENCE, clientId: SITE, clock: clock.now, fetchTimeoutMs: 500 });
});

afterEach(() => gateway.close());

const mint = (key: FixtureKey, kid: string = key.kid) =>
  mintToken(key, gateway.issuer, clock.nowSeconds, { header: { kid } });

function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('the token was accepted');
    },
    (error: unknown) => error,
  );
}

describe('the key store finds keys through discovery', () => {
  it('builds the discovery URL from the issuer with or without a trailing slash', () => {
    expect(discoveryUrl('https://id.example/')).toBe('https://id.example/.well-known/openid-configuration');
    expect(discoveryUrl('https://id.example/tenant')).toBe(
      'https://id.example/tenant/.well-known/openid-configuration',
    );
  });

  it('fetches discovery and the JWKS once, then verifies from memory', async () => {
    for (let i = 0; i < 5; i += 1) {
      clock.advanceSeconds(REFETCH_INTERVAL_SECONDS);
      await verifier.verify(await mintToken(keyA, gateway.issuer, clock.nowSeconds, { claims: { jti: `t${i}` } }));
    }
    expect(gateway.requests).toEqual({ discovery: 1, jwks: 1 });
  });

  it('shares one discovery and one JWKS request among concurrent first calls', async () => {
    const tokens = await Promise.all(Array.from({ length: 20 }, () => mint(keyA)));
    await Promise.all(tokens.map((token) => verifier.verify(token)));
    expect(gateway.requests).toEqual({ discovery: 1, jwks: 1 });
  });

  it('refuses a discovery document that names another issuer, as a 503 ERR_ISSUER_MISMATCH naming both', async () => {
    gateway.discoveryIssuer = 'http://impostor.test';
    const error = await failureOf(verifier.verify(await mint(keyA)));
    expect(error).toBeInstanceOf(VerifierUnavailableError);
    expect(error).toMatchObject({ code: 'ERR_ISSUER_MISMATCH', status: 503, isTokenFault: false });
    expect((error as Error).message).toContain(`configured with issuer '${gateway.issuer}'`);
    expect((error as Error).message).toContain("names issuer 'http://impostor.test'");
    expect(gateway.requests.jwks).toBe(0);
  });

  it.each([
    ['a trailing slash the gateway does not have', (issuer: string) => ({ configured: `${issuer}/`, discovered: issuer })],
    ['http where the gateway says https', (issuer: string) => ({ configured: issuer, discovered: issuer.replace('http:', 'https:') })],
  ])('names both issuers on the first verify when the configuration has %s', async (_label, setup) => {
    const { configured, discovered } = setup(gateway.issuer);
    gateway.discoveryIssuer = discovered;
    const misconfigured = createVerifier({ issuer: configured, audience: AUDIENCE, clientId: SITE, clock: clock.now });

    const error = await failureOf(misconfigured.verify(await mintToken(keyA, configured, clock.nowSeconds)));

    expect(error).toMatchObject({ code: 'ERR_ISSUER_MISMATCH', status: 503 });
    expect((error as Error).message).toBe(
      `the verifier is configured with issuer '${configured}' but ${gateway.issuer}/.well-known/openid-configuration ` +
        `names issuer '${discovered}'; set the issuer option to exactly the discovery document's value`,
    );
    expect((error as VerifierUnavailableError).publicMessage).toBe('token keys are temporarily unavailable');
  });

  describe('trusts keys only from the issuer\'s own origin', () => {
    let attacker: FixtureIssuer;
    beforeEach(async () => {
      attacker = await startFixtureIssuer([keyB]);
    });
    afterEach(() => attacker.close());

    it('refuses a jwks_uri on another host, as a 503, without fetching it', async () => {
      gateway.jwksUri = `${attacker.issuer}/jwks`;
      const token = await mintToken(keyB, gateway.issuer, clock.nowSeconds);
      const error = await failureOf(verifier.verify(token));
      expect(error).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
      expect((error as Error).message).toMatch(/jwks_uri is not on the issuer's origin/);
      expect(attacker.requests.jwks).toBe(0);
    });

    it('refuses a jwks_uri on the issuer\'s host name but another port or scheme', async () => {
      const { port } = new URL(gateway.issuer);
      for (const jwksUri of [`http://127.0.0.1:${Number(port) + 1}/jwks`, `https://127.0.0.1:${port}/jwks`, `http://localhost:${port}/jwks`]) {
        gateway.jwksUri = jwksUri;
        clock.advanceSeconds(REFETCH_INTERVAL_SECONDS);
        const error = await failureOf(verifier.verify(await mint(keyA)));
        expect(error).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
        expect((error as Error).message).toMatch(/not on the issuer's origin/);
      }
    });

    it('does not follow a redirect from the JWKS to another host', async () => {
      gateway.mode = 'redirect';
      gateway.redirectTo = `${attacker.issuer}/jwks`;
      const token = await mintToken(keyB, gateway.issuer, clock.nowSeconds);
      const error = await failureOf(verifier.verify(token));
      expect(error).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
      expect((error as Error).message).toMatch(/HTTP 302/);
      expect(attacker.requests.jwks).toBe(0);
    });

    it('does not follow a redirect from discovery to another issuer\'s document', async () => {
      gateway.discoveryMode = 'redirect';
      gateway.redirectTo = `${attacker.issuer}/.well-known/openid-configuration`;
      const error = await failureOf(verifier.verify(await mint(keyA)));
      expect(error).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
      expect(attacker.requests.discovery).toBe(0);
    });
  });
});

describe('the key store follows key rotation', () => {
  it('verifies tokens of the old and the new key after a new kid appears, without a new verifier', async () => {
    await verifier.verify(await mint(keyA));
    gateway.publish([keyA, keyB]);
    clock.advanceSeconds(REFETCH_INTERVAL_SECONDS);

    await expect(verifier.verify(await mint(keyB))).resolves.toMatchObject({ sub: 'pairwise-7f3a' });
    await expect(verifier.verify(await mint(keyA))).resolves.toMatchObject({ sub: 'pairwise-7f3a' });
    expect(gateway.requests.jwks).toBe(2);
  });

  it('refuses a new kid without asking the gateway again within the refetch interval', async () => {
    await verifier.verify(await mint(keyA));
    gateway.publish([keyA, keyB]);
    clock.advanceSeconds(REFETCH_INTERVAL_SECONDS - 1);

    await expect(failureOf(verifier.verify(await mint(keyB)))).resolves.toMatchObject({
      code: 'ERR_TOKEN_KEY_UNKNOWN',
    });
    expect(gateway.requests.jwks).toBe(1);

    clock.advanceSeconds(1);
    await expect(verifier.verify(await mint(keyB))).resolves.toBeDefined();
    expect(gateway.requests.jwks).toBe(2);
  });

  it('stops accepting a withdrawn key once the keys are older than their maximum age', async () => {
    gateway.publish([keyA, keyB]);
    await verifier.verify(await mint(keyA));
    gateway.publish([keyB]);
    clock.advanceSeconds(KEYS_MAX_AGE_MS / 1000);

    await expect(failureOf(verifier.verify(await mint(keyA)))).resolves.toMatchObject({
      code: 'ERR_TOKEN_KEY_UNKNOWN',
    });
    await expect(verifier.verify(await mint(keyB))).resolves.toBeDefined();
    expect(gateway.requests.jwks).toBe(2);
  });
});

describe('the key store withstands a flood of made-up kids', () => {
  const randomKid = () => `kid-${Math.random().toString(36).slice(2)}`;

  it('makes one JWKS request for 200 concurrent tokens with unknown kids', async () => {
    await verifier.verify(await mint(keyA));
    clock.advanceSeconds(REFETCH_INTERVAL_SECONDS);
    const tokens = await Promise.all(Array.from({ length: 200 }, () => mint(keyA, randomKid())));

    const errors = await Promise.all(tokens.map((token) => failureOf(verifier.verify(token))));

    expect(errors.every((error) => (error as { code?: string }).code === 'ERR_TOKEN_KEY_UNKNOWN')).toBe(true);
    expect(gateway.requests).toEqual({ discovery: 1, jwks: 2 });
  });

  it('makes at most one JWKS request per refetch interval for a steady stream of unknown kids', async () => {
    await verifier.verify(await mint(keyA));
    for (let i = 0; i < 200; i += 1) {
      clock.advanceSeconds(0.25);
      await failureOf(verifier.verify(await mint(keyA, randomKid())));
    }
    // 200 tokens over 50 seconds: the first fetch plus one per 5 seconds.
    expect(gateway.requests.jwks).toBe(1 + 50 / REFETCH_INTERVAL_SECONDS);
  });

  it('makes one discovery and one JWKS request when the flood arrives before any key is loaded', async () => {
    const tokens = await Promise.all(Array.from({ length: 200 }, () => mint(keyA, randomKid())));
    await Promise.all(tokens.map((token) => failureOf(verifier.verify(token))));
    expect(gateway.requests).toEqual({ discovery: 1, jwks: 1 });
  });
});

describe('the key store reports an unreachable issuer as our fault', () => {
  it.each<[string, IssuerMode]>([
    ['answers 500', 'error500'],
    ['answers something that is not JSON', 'garbage'],
    ['resets the connection', 'reset'],
    ['does not answer before the timeout', 'hang'],
  ])('fails with ERR_KEYS_UNAVAILABLE (503) when the JWKS endpoint %s', async (_label, mode) => {
    gateway.mode = mode;
    const error = await failureOf(verifier.verify(await mint(keyA)));
    expect(error).toBeInstanceOf(VerifierUnavailableError);
    expect(error).toMatchObject({
      code: 'ERR_KEYS_UNAVAILABLE',
      status: 503,
      retryAfterSeconds: REFETCH_INTERVAL_SECONDS,
    });
  });

  it('fails with ERR_KEYS_UNAVAILABLE when the discovery endpoint answers 500', async () => {
    gateway.discoveryMode = 'error500';
    await expect(failureOf(verifier.verify(await mint(keyA)))).resolves.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
  });

  it('fails with ERR_KEYS_UNAVAILABLE when nothing listens at the issuer', async () => {
    const token = await mint(keyA);
    await gateway.close();
    const error = await failureOf(verifier.verify(token));
    expect(error).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('fails with ERR_KEYS_UNAVAILABLE when the JWKS has no usable key', async () => {
    gateway.publish([{ kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' }]);
    const error = await failureOf(verifier.verify(await mint(keyA)));
    expect(error).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    expect((error as Error).message).toMatch(/no key usable/);
  });

  it('waits out the refetch interval after a failure, then recovers', async () => {
    gateway.mode = 'error500';
    await failureOf(verifier.verify(await mint(keyA)));
    gateway.mode = 'ok';
    clock.advanceSeconds(2);

    const error = await failureOf(verifier.verify(await mint(keyA)));
    expect(error).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', retryAfterSeconds: REFETCH_INTERVAL_SECONDS - 2 });
    expect(gateway.requests.jwks).toBe(1);

    clock.advanceSeconds(REFETCH_INTERVAL_SECONDS - 2);
    await expect(verifier.verify(await mint(keyA))).resolves.toBeDefined();
  });

  it('keeps verifying with the cached keys when a refetch fails', async () => {
    await verifier.verify(await mint(keyA));
    gateway.mode = 'error500';
    clock.advanceSeconds(REFETCH_INTERVAL_SECONDS);

    const unknown = await failureOf(verifier.verify(await mint(keyA, 'rotated-in')));
    expect(unknown).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    expect(gateway.requests.jwks).toBe(2);
    await expect(verifier.verify(await mint(keyA))).resolves.toMatchObject({ idp: 'twitter' });
  });

  it('keeps verifying with keys past their maximum age while the issuer is down', async () => {
    await verifier.verify(await mint(keyA));
    gateway.mode = 'reset';
    clock.advanceSeconds(KEYS_MAX_AGE_MS / 1000);

    await expect(verifier.verify(await mint(keyA))).resolves.toMatchObject({ idp: 'twitter' });
    expect(gateway.requests.jwks).toBe(2);
  });
});
