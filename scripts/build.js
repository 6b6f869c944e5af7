#!/usr/bin/env node
/**
 * Builds what runs outside of tests: the `parley` command (one CommonJS bundle of our own code,
 * with every npm package left external so native modules and ESM-only packages load as published),
 * the token verifier for Node blog backends (dist/verify.js) and, when present, the browser widget.
 */
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

/** A CommonJS bundle of our own code for Node; npm packages stay external. */
function buildForNode(entry, outfile) {
  return esbuild.build({
    entryPoints: [path.join(root, entry)],
    outfile: path.join(root, outfile),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}

async function main() {
  await buildForNode('src/cli.ts', 'dist/cli.js');
  // The verifier, for blog backends written in Node, as require('parley/verify') inside this
  // repository. Blog owners install it as @parley/verify, which packages/verify builds itself
  // (npm pack ./packages/verify): the same source, bundled the same way.
  await buildForNode('packages/verify/src/index.ts', 'dist/verify.js');
  const widgetEntry = path.join(root, 'src/widget/index.ts');
  if (fs.existsSync(widgetEntry)) {
    await esbuild.build({
      entryPoints: [widgetEntry],
      outfile: path.join(root, 'dist/widget.js'),
      bundle: true,
      platform: 'browser',
      target: ['es2019', 'chrome80', 'firefox78', 'safari13'],
      format: 'iife',
      minify: true,
      sourcemap: true,
      logLevel: 'warning',
    });
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
