import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLocalJWKSet, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import {
  KEY_ACTIVATION_DELAY_SECONDS,
  keyRingVersion,
  loadKeyRing,
  RETIRED_KEY_PUBLISHED_SECONDS,
  rotateKeys,
  SIGNING_ALGORITHM,
  type KeyRing,
  type StoredKey,
} from '../../src/tokens/keys';

/** A fixed clock: every call that takes `now` gets it explicitly, nothing waits. */
const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);
const MINUTE_MS = 60 * 1000;
const RETIRED_KEY_PUBLISHED_MS = RETIRED_KEY_PUBLISHED_SECONDS * 1000;

let dataDir: string;

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-keys-'));
});

afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const keyDir = () => path.join(dataDir, 'keys');
const keyFiles = () => fs.readdirSync(keyDir()).sort();
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

async function firstRing(now = T0): Promise<KeyRing> {
  const ring = await loadKeyRing(dataDir, { createIfMissing: true, now });
  if (!ring) throw new Error('loadKeyRing made no key');
  return ring;
}

/** The public half of a stored key, as a JWKS publishes it. */
function publicJwk(key: StoredKey): JWK {
  const { kty, n, e, kid, alg, use } = key.jwk;
  return { kty, n, e, kid, alg, use };
}

async function signWith(key: StoredKey, nowMs: number): Promise<string> {
  const nowSeconds = Math.floor(nowMs / 1000);
  return new SignJWT({ scope: 'comments' })
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: 'at+jwt' })
    .setIssuer('https://login.blog.example')
    .setAudience('https://comments.blog.example')
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + 15 * 60)
    .sign(await importJWK(key.jwk, SIGNING_ALGORITHM));
}

function verifyAgainst(ring: KeyRing, token: string, nowMs: number) {
  return jwtVerify(token, createLocalJWKSet({ keys: ring.keys.map(publicJwk) }), {
    issuer: 'https://login.blog.example',
    audience: 'https://comments.blog.example',
    algorithms: [SIGNING_ALGORITHM],
    currentDate: new Date(nowMs),
  });
}

describe('loadKeyRing on an empty data directory', () => {
  it('creates one RS256 signing key marked as made automatically', async () => {
    const ring = await firstRing();
    expect(ring.keys).toHaveLength(1);
    expect(ring.current).toBe(ring.keys[0]);
    expect(ring.current).toMatchObject({ origin: 'auto', createdAt: T0 });
    expect(ring.current.retiredAt).toBeUndefined();
    expect(ring.current.jwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: ring.current.kid });
    expect(ring.current.jwk.d).toEqual(expect.any(String));
  });

  it('persists the key readable by the owner only (file 0600 in a 0700 directory)', async () => {
    const ring = await firstRing();
    expect(keyFiles()).toEqual([`${ring.current.kid}.json`]);
    expect(modeOf(keyDir())).toBe(0o700);
    expect(modeOf(path.join(keyDir(), `${ring.current.kid}.json`))).toBe(0o600);
  });

  it('returns undefined and writes nothing when told not to create a key', async () => {
    await expect(loadKeyRing(dataDir, { createIfMissing: false, now: T0 })).resolves.toBeUndefined();
    expect(fs.existsSync(keyDir())).toBe(false);
  });
});

describe('loadKeyRing after a restart', () => {
  it('returns the same key, so a restart never changes keys', async () => {
    const first = await firstRing();
    const second = await loadKeyRing(dataDir, { createIfMissing: true, now: T0 + 10 * MINUTE_MS });
    expect(second).toEqual(first);
    expect(keyFiles()).toHaveLength(1);
  });

  it('finds the key even when not allowed to create one', async () => {
    const first = await firstRing();
    const again = await loadKeyRing(dataDir, { createIfMissing: false, now: T0 + MINUTE_MS });
    expect(again?.current.kid).toBe(first.current.kid);
  });
});

/** Most tests look at a rotation once it has taken effect; the delay has its own tests below. */
const ACTIVATE_AT_ONCE = { activationDelaySeconds: 0 };

describe('rotateKeys', () => {
  it('makes a new operator key current and keeps the old one, retired, for verification', async () => {
    const before = await firstRing();
    const rotatedAt = T0 + 5 * MINUTE_MS;
    const after = await rotateKeys(dataDir, rotatedAt, ACTIVATE_AT_ONCE);

    expect(after.keys).toHaveLength(2);
    expect(after.current).toBe(after.keys[0]);
    expect(after.current.kid).not.toBe(before.current.kid);
    expect(after.current).toMatchObject({ origin: 'operator', createdAt: rotatedAt });
    expect(after.current.retiredAt).toBeUndefined();
    expect(after.keys[1]).toMatchObject({ kid: before.current.kid, origin: 'auto', retiredAt: rotatedAt });
  });

  it('is what the next loadKeyRing sees', async () => {
    await firstRing();
    const rotated = await rotateKeys(dataDir, T0 + MINUTE_MS, ACTIVATE_AT_ONCE);
    await expect(loadKeyRing(dataDir, { createIfMissing: false, now: T0 + 2 * MINUTE_MS })).resolves.toEqual(rotated);
  });

  it('writes the new key and the retired one with owner-only permissions', async () => {
    await firstRing();
    await rotateKeys(dataDir, T0 + MINUTE_MS, ACTIVATE_AT_ONCE);
    expect(keyFiles()).toHaveLength(2);
    for (const file of keyFiles()) expect(modeOf(path.join(keyDir(), file))).toBe(0o600);
  });

  it('creates a first operator key in an empty data directory', async () => {
    const ring = await rotateKeys(dataDir, T0, ACTIVATE_AT_ONCE);
    expect(ring.keys).toHaveLength(1);
    expect(ring.current).toMatchObject({ origin: 'operator', createdAt: T0 });
  });

  it('makes the new key current even when rotating in the same millisecond the old key was made', async () => {
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const ring = await rotateKeys(dataDir, T0, ACTIVATE_AT_ONCE);
      expect(ring.current.retiredAt).toBeUndefined();
      expect(ring.keys.filter((key) => key.retiredAt === undefined)).toEqual([ring.current]);
    }
  });

  it('makes the new key current even when the clock has gone backwards since the old key was made', async () => {
    await firstRing(T0);
    const ring = await rotateKeys(dataDir, T0 - MINUTE_MS, ACTIVATE_AT_ONCE);
    expect(ring.current).toMatchObject({ origin: 'operator', createdAt: T0 - MINUTE_MS });
    expect(ring.current.retiredAt).toBeUndefined();
  });

  it('changes keyRingVersion, so running gateways notice the rotation', async () => {
    expect(keyRingVersion(dataDir)).toBe('');
    await firstRing();
    const before = keyRingVersion(dataDir);
    expect(before).not.toBe('');
    expect(keyRingVersion(dataDir)).toBe(before);
    await rotateKeys(dataDir, T0 + MINUTE_MS, ACTIVATE_AT_ONCE);
    expect(keyRingVersion(dataDir)).not.toBe(before);
  });
});

describe('retired keys', () => {
  it('stay published until RETIRED_KEY_PUBLISHED_SECONDS after retirement, then are pruned from the ring and the disk', async () => {
    const old = (await firstRing()).current;
    const rotatedAt = T0 + MINUTE_MS;
    await rotateKeys(dataDir, rotatedAt, ACTIVATE_AT_ONCE);

    const justBefore = await loadKeyRing(dataDir, { createIfMissing: false, now: rotatedAt + RETIRED_KEY_PUBLISHED_MS - 1 });
    expect(justBefore?.keys.map((key) => key.kid)).toContain(old.kid);

    const after = await loadKeyRing(dataDir, { createIfMissing: false, now: rotatedAt + RETIRED_KEY_PUBLISHED_MS });
    expect(after?.keys).toHaveLength(1);
    expect(after?.keys.map((key) => key.kid)).not.toContain(old.kid);
    expect(keyFiles()).not.toContain(`${old.kid}.json`);
  });

  it('are pruned by the next rotation once expired', async () => {
    const first = (await firstRing()).current;
    const firstRotation = await rotateKeys(dataDir, T0 + MINUTE_MS, ACTIVATE_AT_ONCE);
    const second = await rotateKeys(dataDir, T0 + MINUTE_MS + RETIRED_KEY_PUBLISHED_MS, ACTIVATE_AT_ONCE);
    expect(second.keys.map((key) => key.kid)).toEqual([second.current.kid, firstRotation.current.kid]);
    expect(second.keys.map((key) => key.kid)).not.toContain(first.kid);
  });

  it('keep verifying tokens they signed before the rotation', async () => {
    const old = (await firstRing()).current;
    const signedAt = T0 + MINUTE_MS;
    const token = await signWith(old, signedAt);
    const ring = await rotateKeys(dataDir, signedAt + MINUTE_MS, ACTIVATE_AT_ONCE);

    const { payload, protectedHeader } = await verifyAgainst(ring, token, signedAt + 2 * MINUTE_MS);
    expect(protectedHeader.kid).toBe(old.kid);
    expect(payload.scope).toBe('comments');
  });

  it('stop verifying once pruned, while the current key verifies what it signs', async () => {
    const old = (await firstRing()).current;
    const oldToken = await signWith(old, T0);
    const rotatedAt = T0 + MINUTE_MS;
    await rotateKeys(dataDir, rotatedAt, ACTIVATE_AT_ONCE);
    const later = rotatedAt + RETIRED_KEY_PUBLISHED_MS;
    const ring = await loadKeyRing(dataDir, { createIfMissing: false, now: later });
    if (!ring) throw new Error('the ring vanished');

    await expect(verifyAgainst(ring, await signWith(ring.current, later), later)).resolves.toBeDefined();
    await expect(verifyAgainst(ring, oldToken, T0 + 2 * MINUTE_MS)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
  });
});

describe('a rotated-in key', () => {
  it('is published at once but signs only after KEY_ACTIVATION_DELAY_SECONDS, so verifiers can fetch it first', async () => {
    const before = (await loadKeyRing(dataDir, { createIfMissing: true, now: T0 }))!;
    const rotated = await rotateKeys(dataDir, T0 + MINUTE_MS);
    const fresh = rotated.keys.find((key) => key.kid !== before.current.kid)!;
    expect(rotated.current.kid).toBe(before.current.kid);
    expect(rotated.keys.map((key) => key.kid)).toEqual([before.current.kid, fresh.kid]);
    expect(fresh.activatesAt).toBe(T0 + MINUTE_MS + KEY_ACTIVATION_DELAY_SECONDS * 1000);

    const justBefore = await loadKeyRing(dataDir, { createIfMissing: false, now: fresh.activatesAt! - 1 });
    expect(justBefore!.current.kid).toBe(before.current.kid);
    const atActivation = await loadKeyRing(dataDir, { createIfMissing: false, now: fresh.activatesAt! });
    expect(atActivation!.current.kid).toBe(fresh.kid);
    expect(atActivation!.keys.map((key) => key.kid)).toEqual([fresh.kid, before.current.kid]);
  });

  it('changes the key ring version when its activation time comes, so a running gateway reloads', async () => {
    await loadKeyRing(dataDir, { createIfMissing: true, now: T0 });
    const rotated = await rotateKeys(dataDir, T0 + MINUTE_MS);
    const activatesAt = rotated.keys.find((key) => key !== rotated.current)!.activatesAt!;
    expect(keyRingVersion(dataDir, activatesAt - 1)).not.toBe(keyRingVersion(dataDir, activatesAt));
  });

  it('signs at once when there was no key before', async () => {
    const ring = await rotateKeys(dataDir, T0);
    expect(ring.keys).toHaveLength(1);
    expect(ring.current.activatesAt).toBe(T0);
  });
});
