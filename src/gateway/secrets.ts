import fs from 'node:fs';
import path from 'node:path';
import { createHmac, randomBytes } from 'node:crypto';

export interface GatewaySecrets {
  /** Signs oidc-provider's cookies. */
  readonly cookieKeys: readonly string[];
  /** Signs express-session's cookie. */
  readonly sessionSecret: string;
  /** Keys the pairwise subjects: changing it changes every `sub` every site has seen. */
  readonly pairwiseSecret: string;
}

const SECRET_FILE = 'gateway-secret';

/**
 * The root secret is PARLEY_SESSION_SECRET when set (required in production), otherwise a random
 * one made on first start and kept under the data directory (owner-only), so restarts keep
 * sessions and subjects. Each use gets its own key derived from the root.
 */
export function loadGatewaySecrets(dataDir: string, configured: string | undefined): GatewaySecrets {
  const root = configured ?? readOrCreateSecret(dataDir);
  const derive = (purpose: string) => createHmac('sha256', root).update(`parley:${purpose}`).digest('base64url');
  return { cookieKeys: [derive('cookies')], sessionSecret: derive('session'), pairwiseSecret: derive('pairwise-subject') };
}

function readOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, SECRET_FILE);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  return secret;
}
