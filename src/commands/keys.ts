import type { Settings } from '../config/settings';
import type { KeyStore } from '../tokens/key-store';
import { UsageError } from './usage-error';
import { KEYS_USAGE } from './usage';

export { UsageError };
import { loadKeyRing, rotateKeys, RETIRED_KEY_PUBLISHED_SECONDS } from '../tokens/keys';
import { withKeyStore } from '../tokens/open-key-store';

/**
 * `parley keys rotate`: a new key signs from now on, in the key store of the settings (files, or
 * the database with DATABASE_URL). Running gateways notice within seconds;
 * the old key stays published for verification until everything it signed has expired.
 */
export function runKeys(settings: Settings, args: readonly string[]): Promise<void> {
  return withKeyStore(settings, (store) => keysCommand(store, args));
}

async function keysCommand(store: KeyStore, args: readonly string[]): Promise<void> {
  const [action] = args;
  if (action === 'rotate') {
    const ring = await rotateKeys(store);
    const fresh = ring.keys.reduce((newest, key) => (key.createdAt > newest.createdAt ? key : newest));
    const when = fresh === ring.current ? 'from now on' : `from ${new Date(fresh.activatesAt!).toISOString()} (it is published now, so verifiers can fetch it first)`;
    console.log(`parley: new signing key ${fresh.kid} signs ${when}; the key it replaces stays published for ${RETIRED_KEY_PUBLISHED_SECONDS / 60} minutes after that.`);
    return;
  }
  if (action === 'list' || action === undefined) {
    const ring = await loadKeyRing(store, { createIfMissing: false });
    if (!ring) return void console.log('parley: no keys yet (the gateway creates one at first start, or run `parley keys rotate`).');
    for (const key of ring.keys) {
      const state =
        key === ring.current
          ? 'signing'
          : (key.activatesAt ?? key.createdAt) > Date.now()
            ? `signs from ${new Date(key.activatesAt!).toISOString()}`
            : `retired ${new Date(key.retiredAt ?? 0).toISOString()}`;
      console.log(`${key.kid}  ${key.jwk.alg}  created ${new Date(key.createdAt).toISOString()}  ${state}${key.origin === 'auto' ? '  (development)' : ''}`);
    }
    return;
  }
  throw new UsageError(`unknown keys action "${action}"\n\n${KEYS_USAGE}`);
}
