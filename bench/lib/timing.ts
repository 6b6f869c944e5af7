/** Runs `call` and appends how long it took, in milliseconds, to `latencies`. */
export async function timed<T>(latencies: number[], call: () => Promise<T>): Promise<T> {
  const start = process.hrtime.bigint();
  const result = await call();
  latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
  return result;
}

/** The p-th percentile (nearest rank) of `values`; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
