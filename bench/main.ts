import { machine, type Row } from './lib/report';
import { verifySuite } from './suites/verify';
import { dpopSuite } from './suites/dpop';
import { signinSuite } from './suites/signin';
import { commentsSuite, threadSuite } from './suites/comments';
import { memorySuite } from './suites/memory';
import { importSuite } from './suites/import';
import { revocationCheckSuite } from './suites/revocation-check';
import { scaleCommentsSuite } from './suites/scale-comments';
import { scaleSigninSuite } from './suites/scale-signin';

const SUITES: Record<string, () => Promise<Row[]>> = {
  comments: commentsSuite,
  verify: verifySuite,
  dpop: dpopSuite,
  revocation: revocationCheckSuite,
  thread: threadSuite,
  signin: signinSuite,
  memory: memorySuite,
  import: importSuite,
};

/**
 * Run only when named: they need the machine's PostgreSQL and Redis (bench/lib/scale-stores.ts),
 * which `npm run bench` on its own never did.
 */
const NAMED_ONLY_SUITES: Record<string, () => Promise<Row[]>> = {
  'scale-comments': scaleCommentsSuite,
  'scale-signin': scaleSigninSuite,
};

/** Runs the named suites (all by default) and exits non-zero if any fails to run. */
export async function main(args: string[]): Promise<number> {
  const names = args.length ? args : Object.keys(SUITES);
  console.log(`# Parley benchmarks\n\nMachine: ${machine()}\nDate: ${new Date().toISOString()}`);
  const started = Date.now();
  for (const name of names) {
    const suite = SUITES[name] ?? NAMED_ONLY_SUITES[name];
    if (!suite) {
      console.error(`unknown suite "${name}" (known: ${[...Object.keys(SUITES), ...Object.keys(NAMED_ONLY_SUITES)].join(', ')})`);
      return 1;
    }
    await suite();
  }
  console.log(`\nAll suites ran in ${Math.round((Date.now() - started) / 1000)} s.`);
  return 0;
}
