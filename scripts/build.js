#!/usr/bin/env node
/**
 * Builds what runs outside of tests: the `parley` command (one CommonJS bundle of our own code,
 * with every npm package left external so native modules and ESM-only packages load as published),
 * the token verifier for Node blog backends (dist/verify.js), the browser widget when present, and
 * the moderation page's script.
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
  if (fs.existsSync(widgetEntry)) await buildForBrowser(widgetEntry, 'dist/widget.js');
  // The moderation page's script (served as /moderation.js): the widget's sign-in modules and the
  // page's own, in a bundle of its own so the widget every reader loads does not grow.
  await buildForBrowser(path.join(root, 'src/comments/moderation-page/client/index.ts'), 'dist/moderation.js');
}

/** A minified script for the browsers the widget supports. */
function buildForBrowser(entry, outfile) {
  return esbuild.build({
    entryPoints: [entry],
    outfile: path.join(root, outfile),
    bundle: true,
    platform: 'browser',
    target: ['es2019', 'chrome80', 'firefox78', 'safari13'],
    format: 'iife',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
