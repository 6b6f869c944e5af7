import { createHash, createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { Page } from 'playwright-core';

/**
 * DPoP (RFC 9449) as the browser tests see it from outside the widget: the claims of a token or
 * proof, proofs signed in the page with the widget's own key (as script on the blog could, while
 * the page is open), and proofs signed in Node with a key of the test's own (an attacker's).
 *
 * node:crypto is imported by name, never as `crypto`: the functions run in the page use the
 * page's global `crypto`, which the compiler would otherwise rename to the Node module.
 */

/** Where the widget keeps its keys (src/widget/proof-key-store.ts). */
const DATABASE_NAME = 'parley-dpop';
const STORE_NAME = 'keys';

export interface ProofClaims {
  readonly jti: string;
  readonly htm: string;
  readonly htu: string;
  readonly iat: number;
  readonly ath?: string;
}

export interface ProofHeader {
  readonly typ: string;
  readonly alg: string;
  readonly jwk: Record<string, string>;
}

function part<T>(jwt: string, index: 0 | 1): T {
  return JSON.parse(Buffer.from(jwt.split('.')[index]!, 'base64url').toString('utf8')) as T;
}

export function proofHeaderOf(proof: string): ProofHeader {
  return part<ProofHeader>(proof, 0);
}

export function proofClaimsOf(proof: string): ProofClaims {
  return part<ProofClaims>(proof, 1);
}

/** The key a token is bound to (`cnf.jkt`), or undefined for a Bearer token. */
export function boundKeyOf(token: string): string | undefined {
  return part<{ cnf?: { jkt?: string } }>(token, 1).cnf?.jkt;
}

/** RFC 7638 thumbprint of a public EC JWK. */
export function thumbprintOf(jwk: Record<string, string>): string {
  const canonical = JSON.stringify({ crv: jwk['crv'], kty: jwk['kty'], x: jwk['x'], y: jwk['y'] });
  return createHash('sha256').update(canonical).digest('base64url');
}

/** The proof's `ath` for a token: base64url(SHA-256(token)). */
export function accessTokenHashOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** What a proof is for; `iat` defaults to now. */
export interface ProofFor {
  readonly method: string;
  readonly url: string;
  readonly token?: string;
  readonly iat?: number;
}

/** A P-256 key of the test's own: what an attacker with a stolen token would sign with. */
export function attackerKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

/** A well-formed proof, signed in Node with `key`. */
export function proofSignedWith(key: KeyObject, request: ProofFor): string {
  const full = createPublicKey(key).export({ format: 'jwk' });
  const jwk = { kty: full.kty!, crv: full.crv!, x: full.x!, y: full.y! };
  const claims: Record<string, string | number> = {
    jti: randomUUID(),
    htm: request.method,
    htu: request.url,
    iat: request.iat ?? Math.floor(Date.now() / 1000),
  };
  if (request.token !== undefined) claims['ath'] = accessTokenHashOf(request.token);
  const input = `${Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/**
 * Keeps the page's key for `thumbprint` in a variable of the page, as script on the blog could:
 * proofs from `proofFromPage` then still work after the widget has deleted the key (Log Out), so
 * a test can tell "refused because revoked" from "refused because the key is gone".
 */
export async function holdPageKey(page: Page, thumbprint: string): Promise<void> {
  const held = await page.evaluate(
    async ({ database, store, id }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(database);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const record = await new Promise<{ privateKey: CryptoKey; publicJwk: JsonWebKey } | undefined>((resolve, reject) => {
        const get = db.transaction(store, 'readonly').objectStore(store).get(id);
        get.onsuccess = () => resolve(get.result as { privateKey: CryptoKey; publicJwk: JsonWebKey } | undefined);
        get.onerror = () => reject(get.error);
      });
      db.close();
      if (!record) return false;
      const keys = ((window as unknown as { heldProofKeys?: Record<string, unknown> }).heldProofKeys ??= {});
      keys[id] = record;
      return true;
    },
    { database: DATABASE_NAME, store: STORE_NAME, id: thumbprint },
  );
  if (!held) throw new Error(`the page keeps no proof key ${thumbprint}`);
}

/** Whether the page's IndexedDB still holds the key with this thumbprint. */
export async function pageKeepsKey(page: Page, thumbprint: string): Promise<boolean> {
  return page.evaluate(
    async ({ database, store, id }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(database);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      if (!db.objectStoreNames.contains(store)) return false;
      const found = await new Promise<boolean>((resolve, reject) => {
        const count = db.transaction(store, 'readonly').objectStore(store).count(id);
        count.onsuccess = () => resolve(count.result > 0);
        count.onerror = () => reject(count.error);
      });
      db.close();
      return found;
    },
    { database: DATABASE_NAME, store: STORE_NAME, id: thumbprint },
  );
}

/** Deletes the key from the page's IndexedDB behind the widget's back (storage cleared). */
export async function deletePageKey(page: Page, thumbprint: string): Promise<void> {
  await page.evaluate(
    async ({ database, store, id }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(database);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      await new Promise<void>((resolve, reject) => {
        const remove = db.transaction(store, 'readwrite').objectStore(store).delete(id);
        remove.onsuccess = () => resolve();
        remove.onerror = () => reject(remove.error);
      });
      db.close();
    },
    { database: DATABASE_NAME, store: STORE_NAME, id: thumbprint },
  );
}

/**
 * What `crypto.subtle.exportKey` says, in the page, about the stored private key in each format:
 * the error's name, or 'exported' if it gave the key away.
 */
export async function exportAttempts(page: Page, thumbprint: string): Promise<Record<string, string>> {
  return page.evaluate(
    async ({ database, store, id }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(database);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const record = await new Promise<{ privateKey: CryptoKey }>((resolve, reject) => {
        const get = db.transaction(store, 'readonly').objectStore(store).get(id);
        get.onsuccess = () => resolve(get.result as { privateKey: CryptoKey });
        get.onerror = () => reject(get.error);
      });
      db.close();
      const outcome: Record<string, string> = { extractable: String(record.privateKey.extractable) };
      const outcomeOf = (attempt: Promise<unknown>) =>
        attempt.then(
          () => 'exported',
          (error: Error) => error.name,
        );
      outcome['jwk'] = await outcomeOf(crypto.subtle.exportKey('jwk', record.privateKey));
      outcome['pkcs8'] = await outcomeOf(crypto.subtle.exportKey('pkcs8', record.privateKey));
      return outcome;
    },
    { database: DATABASE_NAME, store: STORE_NAME, id: thumbprint },
  );
}

/**
 * A proof signed in the page with the widget's key for `thumbprint` (held by `holdPageKey`, or
 * else read from IndexedDB): what the widget itself sends, made the same way.
 */
export async function proofFromPage(page: Page, thumbprint: string, request: ProofFor): Promise<string> {
  return page.evaluate(
    async ({ database, store, id, method, url, token, iat }) => {
      const encode = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      const text = (value: string) => encode(new TextEncoder().encode(value));
      type Stored = { privateKey: CryptoKey; publicJwk: JsonWebKey };
      let record = (window as unknown as { heldProofKeys?: Record<string, Stored> }).heldProofKeys?.[id];
      if (!record) {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open(database);
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        record = await new Promise<Stored>((resolve, reject) => {
          const get = db.transaction(store, 'readonly').objectStore(store).get(id);
          get.onsuccess = () => resolve(get.result as Stored);
          get.onerror = () => reject(get.error);
        });
        db.close();
      }
      if (!record) throw new Error(`no proof key ${id} in the page`);
      const claims: Record<string, string | number> = { jti: crypto.randomUUID(), htm: method, htu: url, iat: iat ?? Math.floor(Date.now() / 1000) };
      if (token !== undefined) claims['ath'] = encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))));
      const input = `${text(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: record.publicJwk }))}.${text(JSON.stringify(claims))}`;
      const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, record.privateKey, new TextEncoder().encode(input));
      return `${input}.${encode(new Uint8Array(signature))}`;
    },
    { database: DATABASE_NAME, store: STORE_NAME, id: thumbprint, method: request.method, url: request.url, token: request.token, iat: request.iat },
  );
}

/**
 * The Authorization (and DPoP) headers another client of the Comment API would send with the
 * token: Bearer for an unbound token; for a bound one, DPoP with a fresh proof from the page's key.
 */
export async function authorizationFor(page: Page, token: string, method: string, url: string): Promise<Record<string, string>> {
  const thumbprint = boundKeyOf(token);
  if (thumbprint === undefined) return { authorization: `Bearer ${token}` };
  return { authorization: `DPoP ${token}`, dpop: await proofFromPage(page, thumbprint, { method, url, token }) };
}

/** Waits until `condition` holds (a few seconds at most). */
export async function until(condition: () => Promise<boolean>, what: string, deadlineMs = 5_000): Promise<void> {
  const startedAt = Date.now();
  while (!(await condition())) {
    if (Date.now() - startedAt > deadlineMs) throw new Error(`not within ${deadlineMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * From the next page load on, the browser cannot make ECDSA keys, as an old one could not: the
 * widget then asks for plain Bearer tokens.
 */
export async function withoutEcdsaKeys(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const generateKey = crypto.subtle.generateKey.bind(crypto.subtle) as (...args: unknown[]) => Promise<unknown>;
    (crypto.subtle as unknown as { generateKey: (...args: unknown[]) => Promise<unknown> }).generateKey = (algorithm: unknown, ...rest: unknown[]) =>
      (algorithm as { name?: string }).name === 'ECDSA' ? Promise.reject(new DOMException('ECDSA is not supported', 'NotSupportedError')) : generateKey(algorithm, ...rest);
  });
}

/** From the next page load on, IndexedDB cannot be opened (disabled, or a private mode). */
export async function withoutIndexedDb(page: Page): Promise<void> {
  await page.addInitScript(() => {
    indexedDB.open = () => {
      throw new DOMException('IndexedDB is disabled', 'InvalidStateError');
    };
  });
}
