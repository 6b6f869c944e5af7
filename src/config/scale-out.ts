import { ConfigError } from './errors';
import type { Settings } from './settings';

/**
 * The scale-out stores (DESIGN.md): DATABASE_URL (PostgreSQL, all data) and REDIS_URL (Redis,
 * sessions and rate limits). Settings check each URL's form; a process that opens its stores
 * refuses one this version cannot use yet (`unsupported`), rather than running on SQLite while
 * its operator believes it shares state with the other instances.
 */
const SCALE_OUT_STORES: Record<string, { key: 'databaseUrl' | 'redisUrl'; schemes: readonly string[]; unsupported?: string }> = {
  DATABASE_URL: {
    key: 'databaseUrl',
    schemes: ['postgres', 'postgresql'],
  },
  REDIS_URL: {
    key: 'redisUrl',
    schemes: ['redis', 'rediss'],
    unsupported: 'Redis is not supported by this version yet; unset it to keep sessions and rate limits in SQLite under PARLEY_DATA_DIR',
  },
};

export type ScaleOutSetting = 'DATABASE_URL' | 'REDIS_URL';

/** The URLs of the scale-out stores, as the settings hold them. */
export type ScaleOutUrls = Pick<Settings, 'databaseUrl' | 'redisUrl'>;

/** Checks the form of a store's URL (its scheme, then something); undefined stays undefined. */
export function scaleOutUrl(setting: ScaleOutSetting, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const { schemes } = SCALE_OUT_STORES[setting]!;
  if (!schemes.some((scheme) => value.startsWith(`${scheme}://`) && /^\S+$/.test(value.slice(scheme.length + 3)))) {
    throw new ConfigError(setting, `must be a ${schemes.map((scheme) => `${scheme}://`).join(' or ')} URL`);
  }
  return value;
}

/** Stops start-up, naming the setting, when a store this version cannot use is set. */
export function refuseUnsupportedStores(urls: ScaleOutUrls): void {
  for (const [setting, store] of Object.entries(SCALE_OUT_STORES)) {
    if (store.unsupported !== undefined && urls[store.key] !== undefined) throw new ConfigError(setting, store.unsupported);
  }
}
