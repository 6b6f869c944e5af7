import { ConfigError } from './errors';

/**
 * The scale-out stores (DESIGN.md): DATABASE_URL (PostgreSQL, all durable data) and REDIS_URL
 * (Redis, short-lived shared state). Settings check each URL's form here; the stores are opened
 * by each service (store/database.ts, store/redis.ts), which stop start-up in one line naming the
 * setting when the server cannot be used.
 */
const SCHEMES = {
  DATABASE_URL: ['postgres', 'postgresql'],
  REDIS_URL: ['redis', 'rediss'],
} as const;

export type ScaleOutSetting = keyof typeof SCHEMES;

/** Checks the form of a store's URL (its scheme, then something); undefined stays undefined. */
export function scaleOutUrl(setting: ScaleOutSetting, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const schemes = SCHEMES[setting];
  if (!schemes.some((scheme) => value.startsWith(`${scheme}://`) && /^\S+$/.test(value.slice(scheme.length + 3)))) {
    throw new ConfigError(setting, `must be a ${schemes.map((scheme) => `${scheme}://`).join(' or ')} URL`);
  }
  return value;
}
