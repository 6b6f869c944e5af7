/**
 * The scale-out settings a bench server was started with (bench/lib/scale-stores.ts), as Parley
 * reads them. They come under BENCH_ names so that a DATABASE_URL in the shell of whoever runs
 * the benchmarks never turns an embedded (SQLite) baseline into something else.
 */
export function benchStoreSettings(): Record<string, string> {
  const env = process.env;
  return {
    ...(env['BENCH_DATABASE_URL'] ? { DATABASE_URL: env['BENCH_DATABASE_URL'] } : {}),
    ...(env['BENCH_DATABASE_POOL_MAX'] ? { PARLEY_DATABASE_POOL_MAX: env['BENCH_DATABASE_POOL_MAX'] } : {}),
    ...(env['BENCH_REDIS_URL'] ? { REDIS_URL: env['BENCH_REDIS_URL'], PARLEY_REDIS_PREFIX: env['BENCH_REDIS_PREFIX'] ?? 'parley:' } : {}),
  };
}
