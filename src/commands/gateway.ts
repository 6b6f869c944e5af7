import type { Settings } from '../config/settings';
import { createGateway, type Gateway } from '../gateway/app';
import { listen, type RunningServer } from '../http/listen';
import { loadKeyRing } from '../tokens/keys';
import { describeKeyStore, withKeyStore } from '../tokens/open-key-store';
import { ConfigError } from '../config/errors';

export interface RunningGateway {
  readonly gateway: Gateway;
  readonly server: RunningServer;
  close(): Promise<void>;
}

/** In production the signing key must have been provisioned on purpose, not made up at start. */
async function assertProductionKeys(settings: Settings): Promise<void> {
  if (!settings.production) return;
  const setting = settings.databaseUrl === undefined ? 'PARLEY_DATA_DIR' : 'DATABASE_URL';
  const where = describeKeyStore(settings);
  const ring = await withKeyStore(settings, (store) => loadKeyRing(store, { createIfMissing: false }));
  if (!ring) throw new ConfigError(setting, `no signing key in ${where}; run \`parley keys rotate\` once to create one`);
  if (ring.current.origin === 'auto') {
    throw new ConfigError(setting, `the signing key in ${where} is a development key made automatically; run \`parley keys rotate\``);
  }
}

/** `parley gateway`: the OpenID Connect provider and sign-in pages on PARLEY_GATEWAY_PORT. */
export async function runGateway(settings: Settings, options: { host?: string; printDevMail?: boolean } = {}): Promise<RunningGateway> {
  await assertProductionKeys(settings);
  const gateway = await createGateway(settings, { printDevMail: options.printDevMail ?? !settings.production });
  const server = await listen(gateway.app, settings.gateway.port, options.host ?? (settings.production ? '0.0.0.0' : '127.0.0.1'));
  return {
    gateway,
    server,
    async close() {
      await server.close();
      await gateway.close();
    },
  };
}
