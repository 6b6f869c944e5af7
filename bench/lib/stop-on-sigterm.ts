import fs from 'node:fs';
import type { Server } from 'node:http';

/**
 * How a bench server ends (ChildServer.stop sends SIGTERM): stop serving, close the service and
 * its database, remove its temporary data directory, exit.
 */
export function stopOnSigterm(server: Server, service: { close(): Promise<void> }, dataDir: string): void {
  process.on('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    service.close().finally(() => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}
