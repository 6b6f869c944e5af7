import { createVerifier, type VerifiableRequest } from '../../packages/verify/src';
import { startChild } from '../lib/child';
import { dpopClientKey, dpopProof, startDpopBenchIssuer, type DpopClientKey } from '../lib/dpop-client';
import { load, type LoadResult } from '../lib/load';
import { perSecond, printTable, type Row } from '../lib/report';

const AUDIENCE = 'http://localhost:4100';
const PATH = '/parley';
const HTU = `${AUDIENCE}${PATH}`;
const SECONDS = 4;
/** Larger than the verifier's 10,000-entry token cache: cycling through it, every token is new. */
const FRESH_POOL = 12_000;
/** Calls per in-process measurement. */
const IN_PROCESS_CALLS = 20_000;

/**
 * Issue 13, item 3: what DPoP costs a POST at Parley's verifier. The same route, the same
 * verifier, tokens from the same issuer: Bearer (unbound tokens) against DPoP (bound tokens, a
 * new proof with every request), once with a token used again and again (a commenter's normal
 * case) and once with a new token, and a new key, for every request (the worst case: nothing
 * cached). Proofs are made before each run, so the load generator does no signing; each is used
 * once (a second use would be refused as a replay, and the run fails on any refusal).
 *
 * Then the same two cases in process, without HTTP: the time one verifyRequest takes.
 */
export async function dpopSuite(): Promise<Row[]> {
  const issuer = await startDpopBenchIssuer(AUDIENCE);
  const server = await startChild('dpop-server', { BENCH_ISSUER: issuer.issuer, BENCH_AUDIENCE: AUDIENCE });
  try {
    const body = JSON.stringify({ body: 'A comment of ordinary length, long enough to be realistic.' });
    const base = { url: `${server.url}${PATH}`, method: 'POST' as const, body, headers: { 'content-type': 'application/json' }, seconds: SECONDS };

    const key = dpopClientKey();
    const reusedBearer = issuer.mint('reused-bearer');
    const reusedBound = issuer.mint('reused-dpop', key);
    const freshBearer = Array.from({ length: FRESH_POOL }, (_, i) => issuer.mint(`bearer-${i}`));
    const freshBound = Array.from({ length: FRESH_POOL }, (_, i) => {
      const own = dpopClientKey();
      return { key: own, token: issuer.mint(`dpop-${i}`, own) };
    });

    /** Every harness builds a header set per request, so they all cost the load generator the same. */
    const cycle = (headers: readonly Record<string, string>[]) => {
      let next = 0;
      return () => ({ headers: headers[next++ % headers.length]! });
    };
    /** One proof per request for `tokens[i % n]`, made now; enough for the fastest run seen. */
    const proofs = (tokens: readonly { key: DpopClientKey; token: string }[], count: number) =>
      Array.from({ length: count }, (_, i) => {
        const { key: own, token } = tokens[i % tokens.length]!;
        return { authorization: `DPoP ${token}`, dpop: dpopProof(own, HTU, token) };
      });
    let fastest = 0;
    const run = async (name: string, perRequestHeaders: () => readonly Record<string, string>[], path = PATH): Promise<LoadResult> => {
      console.error(`dpop suite: ${name}`);
      let best: LoadResult | undefined;
      for (let attempt = 0; attempt < 2; attempt++) {
        const result = await load({ ...base, url: `${server.url}${path}`, perRequest: cycle(perRequestHeaders()) });
        if (result.non2xx || result.errors) throw new Error(`${name}: ${result.non2xx} refused, ${result.errors} failed`);
        if (!best || result.requestsPerSecond > best.requestsPerSecond) best = result;
      }
      fastest = Math.max(fastest, best!.requestsPerSecond);
      return best!;
    };
    const enough = () => Math.ceil(Math.max(fastest, 1_000) * SECONDS * 1.5);

    // Warm up (JIT, key fetch) on both paths.
    await load({ ...base, seconds: 1, perRequest: cycle([{ authorization: `Bearer ${reusedBearer}` }]) });
    await load({ ...base, seconds: 1, perRequest: cycle(proofs([{ key, token: reusedBound }], 6_000)) });

    const baseline = await run('baseline', () => [{ authorization: 'none' }], '/none');
    const bearerReused = await run('Bearer, reused token', () => [{ authorization: `Bearer ${reusedBearer}` }]);
    const dpopReused = await run('DPoP, reused token', () => proofs([{ key, token: reusedBound }], enough()));
    const bearerFresh = await run('Bearer, fresh tokens', () => freshBearer.map((token) => ({ authorization: `Bearer ${token}` })));
    // Each fresh bound token is used once per run at most (the pool outnumbers a run's requests).
    const dpopFresh = await run('DPoP, fresh tokens', () => proofs(freshBound, Math.min(FRESH_POOL, enough())));

    console.error('dpop suite: in process');
    const inProcess = await measureInProcess(issuer.issuer, reusedBearer, reusedBound, key);

    const rows: Row[] = [
      { name: 'no verification (baseline)', value: perSecond(baseline.requestsPerSecond), ratio: 1 },
      { name: 'Bearer, reused token', value: perSecond(bearerReused.requestsPerSecond), ratio: bearerReused.requestsPerSecond / baseline.requestsPerSecond },
      { name: 'DPoP, reused token, a new proof per request', value: perSecond(dpopReused.requestsPerSecond), ratio: dpopReused.requestsPerSecond / baseline.requestsPerSecond },
      { name: 'Bearer, fresh tokens', value: perSecond(bearerFresh.requestsPerSecond), ratio: bearerFresh.requestsPerSecond / baseline.requestsPerSecond },
      { name: 'DPoP, fresh tokens and keys, a new proof per request', value: perSecond(dpopFresh.requestsPerSecond), ratio: dpopFresh.requestsPerSecond / baseline.requestsPerSecond },
      { name: 'DPoP ÷ Bearer throughput, reused token', value: '', ratio: dpopReused.requestsPerSecond / bearerReused.requestsPerSecond },
      { name: 'DPoP ÷ Bearer throughput, fresh tokens', value: '', ratio: dpopFresh.requestsPerSecond / bearerFresh.requestsPerSecond },
      { name: 'in process: verifyRequest, Bearer, reused token', value: `${inProcess.bearerMicros.toFixed(1)} µs`, ratio: 1 },
      { name: 'in process: verifyRequest, DPoP, reused token, a new proof', value: `${inProcess.dpopMicros.toFixed(1)} µs`, ratio: inProcess.dpopMicros / inProcess.bearerMicros },
      { name: 'in process: extra per DPoP request', value: `${(inProcess.dpopMicros - inProcess.bearerMicros).toFixed(1)} µs`, ratio: (inProcess.dpopMicros - inProcess.bearerMicros) / inProcess.bearerMicros },
    ];
    printTable('DPoP at the verifier: Bearer against DPoP-bound tokens with a proof per request (POST, 16 connections)', rows);
    return rows;
  } finally {
    await server.stop();
    await issuer.close();
  }
}

/** The best of three timings of IN_PROCESS_CALLS verifyRequest calls, per call, in microseconds. */
async function measureInProcess(issuer: string, bearer: string, bound: string, key: DpopClientKey): Promise<{ bearerMicros: number; dpopMicros: number }> {
  const verifier = createVerifier({ issuer, audience: AUDIENCE, clientId: 'demo-blog', dpopReplayCacheMaxEntries: 1_000_000 });
  const time = async (requests: readonly VerifiableRequest[]) => {
    const start = process.hrtime.bigint();
    for (const request of requests) await verifier.verifyRequest(request);
    return Number(process.hrtime.bigint() - start) / 1e3 / requests.length;
  };
  const bearerRequests = Array.from({ length: IN_PROCESS_CALLS }, (): VerifiableRequest => ({ authorization: `Bearer ${bearer}`, dpop: undefined, method: 'POST', url: PATH }));
  const dpopRequests = () =>
    Array.from({ length: IN_PROCESS_CALLS }, (): VerifiableRequest => ({ authorization: `DPoP ${bound}`, dpop: dpopProof(key, HTU, bound), method: 'POST', url: PATH }));
  let bearerMicros = Infinity;
  let dpopMicros = Infinity;
  for (let round = 0; round < 3; round++) {
    bearerMicros = Math.min(bearerMicros, await time(bearerRequests));
    dpopMicros = Math.min(dpopMicros, await time(dpopRequests()));
  }
  return { bearerMicros, dpopMicros };
}
