#!/usr/bin/env node
/**
 * `node bench/dpop-bearer-ab.js [revision]`: did DPoP make Bearer tokens dearer? Builds the
 * verifier (packages/verify/src) as it is now and as it was at `revision` (default 72de38a, the
 * last commit before DPoP) with esbuild, and times `verify(token)` in this one process for both,
 * in interleaved rounds (alternating which goes first), best round kept: a reused token (the
 * cache hit every POST after the first pays) and fresh tokens (a signature check each). The HTTP
 * suites cannot resolve a few per cent on the shared machine; this can.
 */
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const revision = process.argv[2] ?? '72de38a';
const ROUNDS = 8;
const REUSED_CALLS = 200_000;
const FRESH_CALLS = 4_000;

async function build(sourceDir, outFile) {
  await esbuild.build({ entryPoints: [path.join(sourceDir, 'index.ts')], outfile: outFile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
  return require(outFile);
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-dpop-ab-'));
  const before = path.join(work, 'before-src');
  fs.mkdirSync(before);
  const files = execFileSync('git', ['ls-tree', '--name-only', revision, 'packages/verify/src/'], { cwd: root, encoding: 'utf8' }).trim().split('\n');
  for (const file of files) fs.writeFileSync(path.join(before, path.basename(file)), execFileSync('git', ['show', `${revision}:${file}`], { cwd: root }));
  const modules = {
    before: await build(before, path.join(work, 'before.js')),
    now: await build(path.join(root, 'packages/verify/src'), path.join(work, 'now.js')),
  };

  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'ab', alg: 'RS256', use: 'sig' };
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    else res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = b64({ alg: 'RS256', typ: 'at+jwt', kid: 'ab' });
  const mint = (sub) => {
    const now = Math.floor(Date.now() / 1000);
    const payload = b64({ iss: issuer, sub, aud: 'http://localhost:4100', client_id: 'demo-blog', scope: 'comments', iat: now, exp: now + 900, jti: crypto.randomUUID(), name: 'Bench', idp: 'email' });
    return `${header}.${payload}.${crypto.sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url')}`;
  };
  const reused = mint('reused');
  const fresh = Array.from({ length: FRESH_CALLS * ROUNDS * 2 }, (_, i) => mint(`fresh-${i}`));
  let nextFresh = 0;

  const verifiers = Object.fromEntries(
    Object.entries(modules).map(([name, module]) => [name, module.createVerifier({ issuer, audience: 'http://localhost:4100', clientId: 'demo-blog', tokenCacheMaxEntries: 1_000 })]),
  );
  for (const verifier of Object.values(verifiers)) await verifier.verify(reused);
  const time = async (verifier, tokens) => {
    const start = process.hrtime.bigint();
    for (const token of tokens) await verifier.verify(token);
    return Number(process.hrtime.bigint() - start) / 1e3 / tokens.length;
  };
  const best = { before: { reused: Infinity, fresh: Infinity }, now: { reused: Infinity, fresh: Infinity } };
  const reusedTokens = new Array(REUSED_CALLS).fill(reused);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['before', 'now'] : ['now', 'before'];
    for (const name of order) {
      best[name].reused = Math.min(best[name].reused, await time(verifiers[name], reusedTokens));
      best[name].fresh = Math.min(best[name].fresh, await time(verifiers[name], fresh.slice(nextFresh, (nextFresh += FRESH_CALLS))));
    }
  }
  server.close();
  console.log(`verify(token), in process, best of ${ROUNDS} interleaved rounds; before = ${revision}`);
  console.log('| case | before | now | now ÷ before |');
  console.log('|---|---|---|---|');
  for (const mode of ['reused', 'fresh']) {
    console.log(`| ${mode} token${mode === 'fresh' ? 's' : ''} | ${best.before[mode].toFixed(2)} µs | ${best.now[mode].toFixed(2)} µs | ${(best.now[mode] / best.before[mode]).toFixed(2)}× |`);
  }
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
