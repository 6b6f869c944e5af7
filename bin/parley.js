#!/usr/bin/env node
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  console.error('parley: dist/cli.js is missing; run `npm run build` first.');
  process.exit(1);
}
const { run } = require(cli);
process.on('unhandledRejection', (reason) => {
  console.error(`parley: unhandled rejection: ${(reason && reason.message) || String(reason)}`);
});
run(process.argv.slice(2)).then((code) => {
  if (code !== 0) process.exit(code);
});
