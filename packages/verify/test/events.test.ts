import { createVerifier, VerifierConfigError, type VerifierEvent, type VerifierOptions } from '../src';
import { AUDIENCE, SITE, FakeClock, FIXED_NOW_MS, fixtureKey, mintToken, startFixtureIssuer, type FixtureIssuer, type FixtureKey } from './helpers/issuer';

/** The verifier's `onEvent` option: one call per JWKS fetch and per revocation feed poll, with its outcome. */

let key: FixtureKey;
let gateway: FixtureIssuer;
let clock: FakeClock;

beforeAll(async () => {
  key = await fixtureKey('RS256', 'key-a');
});

beforeEach(async () => {
  gateway = await startFixtureIssuer([key]);
  clock = new FakeClock(FIXED_NOW_MS);
});

afterEach(() => gateway.close());

function verifierTelling(events: VerifierEvent[], options: Partial<VerifierOptions> = {}) {
  return createVerifier({ issuer: gateway.issuer, audience: AUDIENCE, clientId: SITE, clock: clock.now, fetchTimeoutMs: 500, onEvent: (event) => events.push(event), ...options });
}

describe('onEvent', () => {
  it('hears of one successful JWKS fetch for the first token, and none for the tokens after it', async () => {
    const events: VerifierEvent[] = [];
    const verifier = verifierTelling(events);
    for (let index = 0; index < 3; index += 1) await verifier.verify(await mintToken(key, gateway.issuer, clock.nowSeconds, { claims: { jti: `t-${index}` } }));
    expect(events.filter((event) => event.type === 'jwks_fetch')).toEqual([{ type: 'jwks_fetch', outcome: 'ok' }]);
    expect(gateway.requests.jwks).toBe(1);
  });

  it('hears of a failed JWKS fetch when the issuer answers 500', async () => {
    gateway.mode = 'error500';
    const events: VerifierEvent[] = [];
    const verifier = verifierTelling(events);
    await expect(verifier.verify(await mintToken(key, gateway.issuer, clock.nowSeconds))).rejects.toMatchObject({ status: 503 });
    expect(events).toContainEqual({ type: 'jwks_fetch', outcome: 'failed' });
    expect(events).not.toContainEqual({ type: 'jwks_fetch', outcome: 'ok' });
  });

  it('a listener that throws changes nothing: the token is still accepted', async () => {
    const verifier = createVerifier({
      issuer: gateway.issuer,
      audience: AUDIENCE,
      clientId: SITE,
      clock: clock.now,
      onEvent: () => {
        throw new Error('metrics are down');
      },
    });
    await expect(verifier.verify(await mintToken(key, gateway.issuer, clock.nowSeconds))).resolves.toMatchObject({ siteId: SITE });
  });

  it('must be a function', () => {
    expect(() => createVerifier({ issuer: gateway.issuer, audience: AUDIENCE, clientId: SITE, onEvent: 'yes' as unknown as () => void })).toThrow(VerifierConfigError);
  });
});
