/**
 * The issuers of the revocation-check suite (bench/suites/revocation-check.ts), in a process of
 * their own: a verifier polls a gateway in another process, so serving discovery, the JWKS and
 * the feed, and minting tokens (an RSA signature each, ~10 times the cost of verifying one), must
 * not run on the event loop or the heap of the process whose verification is timed.
 *
 * Three issuers, each with its own RS256 key: `no-feed` and `no-feed-2` publish no revocation
 * feed (baseline, and its A/A twin), `feed` publishes BENCH_REVOKED_SESSIONS revocations.
 * A message `{ mint, count, prefix }` is answered `{ tokens }`.
 */
import { startBenchIssuer, type BenchIssuer } from '../lib/tokens';

export const REVOCATION_ISSUERS = ['no-feed', 'no-feed-2', 'feed'] as const;
export type RevocationIssuerName = (typeof REVOCATION_ISSUERS)[number];

async function main(): Promise<void> {
  const audience = process.env['BENCH_AUDIENCE'] ?? 'http://localhost:4100';
  const issuers = new Map<string, BenchIssuer>();
  for (const name of REVOCATION_ISSUERS) {
    issuers.set(name, await startBenchIssuer(audience, { revocationFeed: name === 'feed' }));
  }
  process.on('message', (message: { mint?: string; count?: number; prefix?: string }) => {
    const issuer = issuers.get(message.mint ?? '');
    if (issuer === undefined) process.send!({ error: `no issuer ${message.mint}` });
    else process.send!({ tokens: Array.from({ length: message.count ?? 1 }, (_, index) => issuer.mint(`${message.prefix ?? ''}${index}`)) });
  });
  process.on('SIGTERM', () => {
    void Promise.all([...issuers.values()].map((issuer) => issuer.close())).then(() => process.exit(0));
  });
  process.send!({ ready: true, url: issuers.get('feed')!.issuer, issuers: Object.fromEntries([...issuers].map(([name, issuer]) => [name, issuer.issuer])), audience });
}

void main();
