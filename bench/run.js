#!/usr/bin/env node
/**
 * `npm run bench`: compiles the TypeScript benchmarks with esbuild (npm packages stay external)
 * and runs them. Every number printed is a ratio against a baseline measured in the same run, on
 * the same machine, because absolute times on a shared machine mean little.
 *
 *   node bench/run.js            all suites
 *   node bench/run.js verify     only the named suites (comments, verify, thread, signin, memory)
 *   node bench/run.js scale-comments scale-signin   the scale-out suites (PostgreSQL and Redis
 *                                needed; only run when named)
 */
const esbuild = require('esbuild');
const path = require('node:path');
const fs = require('node:fs');

const root = path.join(__dirname, '..');
// BENCH_OUT=dir compiles into another folder, so two benchmark runs at once do not clobber each other.
const out = path.resolve(root, process.env.BENCH_OUT || '.bench-out');

async function main() {
  fs.rmSync(out, { recursive: true, force: true });
  const entries = [
    path.join(__dirname, 'main.ts'),
    ...fs.readdirSync(path.join(__dirname, 'servers')).map((name) => path.join(__dirname, 'servers', name)),
  ];
  await esbuild.build({
    entryPoints: entries,
    outdir: out,
    outbase: __dirname,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
  });
  require(path.join(out, 'main.js'))
    .main(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}

main();
