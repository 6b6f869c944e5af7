import { createVerifier, type Verifier } from '../../src/verify';
import { printTable, perSecond, type Row } from '../lib/report';
import { BENCH_REVOKED_SESSIONS, startBenchIssuer } from '../lib/tokens';

/** Tokens per round, and rounds per mode (interleaved, best round kept). */
const TOKENS_PER_ROUND = 3_000;
const ROUNDS = 12;
const REUSED_PER_ROUND = 200_000;

/**
 * Issue 11, item 3: the revocation check must not cost the verifier more than 5 %. In-process,
 * no HTTP: the same verifier code against an issuer that publishes no revocation feed (baseline:
 * no check) and against one whose feed holds BENCH_REVOKED_SESSIONS revocations, on fresh tokens
 * (signature verified each time) and on one reused token (cache hit), in interleaved rounds.
 * BENCH_AA=1 runs the same comparison with no feed on both sides: the noise floor (an A/A test).
 */
export async function revocationCheckSuite(): Promise<Row[]> {
  const audience = 'http://localhost:4100';
  const [withFeed, withoutFeed] = await Promise.all([startBenchIssuer(audience, { revocationFeed: process.env['BENCH_AA'] !== '1' }), startBenchIssuer(audience, { revocationFeed: false })]);
  try {
    const modes = [
      { name: 'no revocation feed (baseline)', issuer: withoutFeed },
      { name: `feed of ${BENCH_REVOKED_SESSIONS.toLocaleString('en-US')} revocations`, issuer: withFeed },
    ].map((mode) => ({ ...mode, verifier: createVerifier({ issuer: mode.issuer.issuer, audience, clientId: 'demo-blog' }) as Verifier, fresh: 0, reused: 0 }));
    for (const mode of modes) await mode.verifier.verify(mode.issuer.mint('warm-up'));
    for (let round = 0; round < ROUNDS; round += 1) {
      // Each round in the other order, so neither mode always runs on a warmer heap.
      for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
        const tokens = Array.from({ length: TOKENS_PER_ROUND }, (_, index) => mode.issuer.mint(`r${round}-${index}`));
        let started = performance.now();
        for (const token of tokens) await mode.verifier.verify(token);
        mode.fresh = Math.max(mode.fresh, TOKENS_PER_ROUND / ((performance.now() - started) / 1000));
        const reused = tokens[0]!;
        started = performance.now();
        for (let index = 0; index < REUSED_PER_ROUND; index += 1) await mode.verifier.verify(reused);
        mode.reused = Math.max(mode.reused, REUSED_PER_ROUND / ((performance.now() - started) / 1000));
      }
    }
    const [base, checked] = modes as [(typeof modes)[0], (typeof modes)[0]];
    const rows: Row[] = [
      { name: `fresh tokens, ${base.name}`, value: perSecond(base.fresh), ratio: 1 },
      { name: `fresh tokens, ${checked.name}`, value: perSecond(checked.fresh), ratio: checked.fresh / base.fresh, target: '≥ 0.95×', met: checked.fresh / base.fresh >= 0.95 },
      { name: `reused token, ${base.name}`, value: perSecond(base.reused), ratio: 1 },
      { name: `reused token, ${checked.name}`, value: perSecond(checked.reused), ratio: checked.reused / base.reused, target: '≥ 0.95×', met: checked.reused / base.reused >= 0.95 },
    ];
    printTable('Revocation check in the verifier (in-process, best of 12 interleaved rounds, alternating order)', rows);
    return rows;
  } finally {
    await withFeed.close();
    await withoutFeed.close();
  }
}
