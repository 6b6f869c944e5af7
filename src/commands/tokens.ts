import type { Settings } from '../config/settings';
import { openDatabase } from '../store/database';
import { RevocationStore } from '../store/revocations';
import { loadKeyRing } from '../tokens/keys';
import { describeKeyStore, GATEWAY_DB_FILE, keyStoreFor } from '../tokens/open-key-store';
import { gatewaySecretsFor } from '../gateway/secrets';
import { TokenRevocations } from '../gateway/token-revocations';
import { UsageError } from './usage-error';
import { TOKENS_USAGE } from './usage';

const SUBJECT_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * `parley tokens revoke <site> <sub>`: an operator's revocation, written into the gateway's
 * revocation feed (the gateway's database under PARLEY_DATA_DIR; a running gateway serves it at once).
 */
export async function runTokens(settings: Settings, args: readonly string[], print: (line: string) => void = console.log): Promise<void> {
  const [action, siteId, subject, ...rest] = args;
  if (action !== 'revoke' || siteId === undefined || subject === undefined || rest.length > 0) throw new UsageError(TOKENS_USAGE);
  if (!settings.sites.some((site) => site.id === siteId)) throw new UsageError(`unknown site "${siteId}" (not in the sites file)`);
  if (!SUBJECT_PATTERN.test(subject)) throw new UsageError(`"${subject}" is not a subject (the sub the comment service shows)`);
  const db = await openDatabase({ dataDir: settings.dataDir, fileName: GATEWAY_DB_FILE, databaseUrl: settings.databaseUrl, databasePoolMax: 1 });
  try {
    const keyRing = await loadKeyRing(keyStoreFor(settings, db), { createIfMissing: false });
    if (!keyRing) throw new UsageError(`no signing key in ${describeKeyStore(settings)}: revocations are signed with the gateway's key`);
    const revocations = new TokenRevocations({
      store: new RevocationStore(db),
      keyRing: () => keyRing,
      issuer: settings.gateway.issuer,
      pairwiseSecret: (await gatewaySecretsFor(settings, db)).pairwiseSecret,
      sites: settings.sites,
    });
    await revocations.revokeSubject(siteId, subject);
    print(`parley: revoked every token of ${subject} at ${siteId}; comment services refuse them within seconds.`);
  } finally {
    await db.destroy();
  }
}
