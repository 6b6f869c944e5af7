/**
 * A fixed verification workload, run under valgrind by bench/lib/instruction-count.ts so that its
 * cost can be counted in instructions, which a busy shared machine does not change. Not a server:
 * it lives in bench/servers/ because run.js compiles every file there into a script of its own.
 *
 * BENCH_WORKLOAD (JSON) says what to do:
 * - `issuer`, `audience`: where the verifier finds its keys and feed (an issuer in another process);
 * - `tokensFile`: a JSON array of fresh tokens of that issuer;
 * - `verifierModule`: optional path of another build of the verifier (bench/lib/verifier-before-revocation.ts);
 * - `warmUp`: fresh tokens verified, then 100 times as many uses of cached ones, before anything counted;
 * - `fresh`, `reused`, `polls`: then that many fresh tokens, uses of cached tokens, and polls of
 *   the revocation feed;
 * - `cached`: how many of the first tokens the uses of cached tokens go round. What one use costs
 *   depends a little on where its token landed in the cache's Map (a bucket shared with other
 *   tokens is compared through), ±4 % from one token to another, which a round of many evens out.
 *
 * The verifier's clock stands still (the `clock` option), so a workload slowed down 50 times by
 * valgrind polls exactly as often as the numbers say: once at the first token (which reads the whole
 * feed, before anything is counted) and then once for each of `polls`, forced by moving the clock past
 * the age at which a request waits for a fresh list.
 * The instructions of one part are the difference between two runs that differ only in that part.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createVerifier as currentVerifier, type Verifier, type VerifierOptions } from '../../packages/verify/src';
import { VERIFIER_DEFAULTS } from '../../packages/verify/src/options';
import { BENCH_SITE_ID } from '../lib/tokens';

export interface WorkloadPlan {
  readonly issuer: string;
  readonly audience: string;
  readonly tokensFile: string;
  readonly verifierModule?: string;
  readonly warmUp: number;
  readonly fresh: number;
  readonly reused: number;
  readonly polls: number;
  readonly cached: number;
}

/** How far the clock moves to force one poll: past twice the poll interval, where a request waits for one. */
const FORCE_POLL_MS = 2 * VERIFIER_DEFAULTS.revocationPollIntervalMs + 1;

async function main(): Promise<void> {
  const plan = JSON.parse(process.env['BENCH_WORKLOAD'] ?? '{}') as WorkloadPlan;
  const tokens = JSON.parse(readFileSync(plan.tokensFile, 'utf8')) as string[];
  if (tokens.length < plan.warmUp + plan.fresh) throw new Error(`workload needs ${plan.warmUp + plan.fresh} tokens, has ${tokens.length}`);
  const createVerifier = plan.verifierModule
    ? (createRequire(__filename)(plan.verifierModule) as { createVerifier: (options: VerifierOptions) => Verifier }).createVerifier
    : currentVerifier;
  let now = Date.now();
  // Under valgrind a fetch takes seconds: the longest timeout allowed, or the first key fetch could fail.
  // Apart from the call: `clientId` is not an option of every build of the verifier.
  const options = { issuer: plan.issuer, audience: plan.audience, clientId: BENCH_SITE_ID, clock: () => now, fetchTimeoutMs: 60_000 };
  const verifier = createVerifier(options);
  const cached = tokens.slice(0, Math.max(1, Math.min(plan.cached, plan.warmUp)));
  for (const token of tokens.slice(0, plan.warmUp)) await verifier.verify(token);
  for (let index = 0; index < plan.warmUp * 100; index += 1) await verifier.verify(cached[index % cached.length]!);

  for (const token of tokens.slice(plan.warmUp, plan.warmUp + plan.fresh)) await verifier.verify(token);
  for (let index = 0; index < plan.reused; index += 1) await verifier.verify(cached[index % cached.length]!);
  for (let index = 0; index < plan.polls; index += 1) {
    now += FORCE_POLL_MS;
    await verifier.verify(cached[0]!);
  }
  // Keep-alive sockets to the issuer would hold the process open for seconds of valgrind time.
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
