#!/usr/bin/env node
/**
 * Builds @parley/verify into dist/: what `npm pack` ships (package.json `files`), run by `prepack`.
 *
 * - dist/index.js: the verifier as one CommonJS bundle (esbuild). It needs only `node:*` modules.
 * - dist/index.mjs: the ES module entry. It re-exports the CommonJS bundle by name instead of being
 *   a second bundle, so an application that both imports and requires the package (directly or
 *   through a dependency) still has one verifier module: one key cache, and `instanceof VerifyError`
 *   true for every error whichever entry threw it.
 * - dist/*.d.ts (tsc --emitDeclarationOnly) and dist/index.d.mts, the same declarations for the
 *   `import` condition, so TypeScript sees an ES module there under node16/nodenext resolution.
 */
const { spawnSync } = require('node:child_process');
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const packageDir = path.join(__dirname, '..');
const dist = path.join(packageDir, 'dist');

/** Identifiers only: each name becomes an `export const` binding in index.mjs. */
const EXPORT_NAME = /^[A-Za-z_$][\w$]*$/;

function buildCommonJs() {
  return esbuild.build({
    entryPoints: [path.join(packageDir, 'src/index.ts')],
    outfile: path.join(dist, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Anything not `node:*` would be a runtime dependency, and the package promises none.
    external: ['node:*'],
    logLevel: 'warning',
  });
}

function writeEsmEntry() {
  const names = Object.keys(require(path.join(dist, 'index.js'))).sort();
  const odd = names.filter((name) => !EXPORT_NAME.test(name) || name === 'default');
  if (odd.length > 0) throw new Error(`cannot re-export ${odd.join(', ')} from an ES module by name`);
  const source = [
    '// The ES module entry of @parley/verify: the CommonJS bundle, re-exported (see scripts/build.js).',
    "import verify from './index.js';",
    '',
    `export const { ${names.join(', ')} } = verify;`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dist, 'index.mjs'), source);
}

function writeDeclarations() {
  const tsc = require.resolve('typescript/bin/tsc');
  // tsc reports on stdout; send it to stderr so that `npm pack --json` prints only the JSON.
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(packageDir, 'tsconfig.json')], { stdio: [0, 2, 2] });
  if (result.status !== 0) throw new Error(`tsc failed (exit ${result.status})`);
  fs.writeFileSync(path.join(dist, 'index.d.mts'), "export * from './index.js';\n");
}

async function main() {
  fs.rmSync(dist, { recursive: true, force: true });
  await buildCommonJs();
  writeEsmEntry();
  writeDeclarations();
}

main().catch((error) => {
  console.error(`@parley/verify build: ${error.message}`);
  process.exit(1);
});
