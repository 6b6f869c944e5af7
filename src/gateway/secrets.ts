import fs from 'node:fs';
import path from 'node:path';
import { createHmac, randomBytes } from 'node:crypto';
import type { Settings } from '../config/settings';
import type { Db } from '../store/database';

export interface GatewaySecrets {
  /** Signs oidc-provider's cookies. */
  readonly cookieKeys: readonly string[];
  /** Signs express-session's cookie. */
  readonly sessionSecret: string;
  /** Keys the pairwise subjects: changing it changes every `sub` every site has seen. */
  readonly pairwiseSecret: string;
  /** Signs the one-click unsubscribe links of notification emails (they work without a session). */
  readonly unsubscribeSecret: string;
}

const SECRET_FILE = 'gateway-secret';

/**
 * The root secret is PARLEY_SESSION_SECRET when set (required in production), otherwise a random
 * one made on first start and kept under the data directory (owner-only), so restarts keep
 * sessions and subjects. Each use gets its own key derived from the root.
 */
export function loadGatewaySecrets(dataDir: string, configured: string | undefined): GatewaySecrets {
  return deriveSecrets(configured ?? readOrCreateSecret(dataDir));
}

/**
 * The same, for instances sharing a database (DATABASE_URL): without PARLEY_SESSION_SECRET the
 * root secret is made once and kept in the database, so every instance derives the same keys.
 */
export async function loadSharedGatewaySecrets(db: Db, configured: string | undefined): Promise<GatewaySecrets> {
  if (configured !== undefined) return deriveSecrets(configured);
  await db
    .insertInto('gateway_secret')
    .values({ id: 1, value: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const { value } = await db.selectFrom('gateway_secret').select('value').where('id', '=', 1).executeTakeFirstOrThrow();
  return deriveSecrets(value);
}

/** The secrets for these settings: shared through the database with DATABASE_URL, else as above. */
export function gatewaySecretsFor(settings: Pick<Settings, 'dataDir' | 'databaseUrl' | 'sessionSecret'>, db: Db): Promise<GatewaySecrets> {
  return settings.databaseUrl === undefined
    ? Promise.resolve(loadGatewaySecrets(settings.dataDir, settings.sessionSecret))
    : loadSharedGatewaySecrets(db, settings.sessionSecret);
}

function deriveSecrets(root: string): GatewaySecrets {
  const derive = (purpose: string) => createHmac('sha256', root).update(`parley:${purpose}`).digest('base64url');
  return { cookieKeys: [derive('cookies')], sessionSecret: derive('session'), pairwiseSecret: derive('pairwise-subject'), unsubscribeSecret: derive('unsubscribe-links') };
}

function readOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, SECRET_FILE);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  return secret;
}
