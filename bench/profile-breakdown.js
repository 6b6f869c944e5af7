#!/usr/bin/env node
/**
 * Where a server's busy time went, by kind of work, from a .cpuprofile (node --cpu-prof):
 *   node bench/profile-breakdown.js file.cpuprofile [more.cpuprofile ...]
 * Shares are of the samples that were not idle, so a profile of a whole benchmark run (servers
 * wait while the other modes are measured) reads the same as one of a busy minute. Several files
 * (the two instances of one mode) are added up. profile-summary.js lists single functions.
 */
const fs = require('node:fs');

/** First match wins: [kind, test on the frame's url and function name]. */
const KINDS = [
  ['PostgreSQL client (pg, pg-protocol, pg-pool, Kysely\'s postgres driver)', (url) => /node_modules\/(pg|pg-protocol|pg-pool|pg-types|pgpass|postgres-[a-z]+)\//.test(url) || /kysely\/dist\/cjs\/dialect\/postgres/.test(url)],
  ['SQLite (better-sqlite3, Kysely\'s sqlite driver)', (url) => /node_modules\/better-sqlite3\//.test(url) || /kysely\/dist\/cjs\/dialect\/sqlite/.test(url)],
  ['Kysely (building and compiling queries)', (url) => /node_modules\/kysely\//.test(url)],
  ['Redis client (ioredis)', (url) => /node_modules\/(ioredis|redis-parser|redis-errors|denque|cluster-key-slot|standard-as-callback)\//.test(url)],
  ['socket and stream I/O (writev, writeBuffer, reads, net)', (url, fn) => ['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String'].includes(fn) || /^node:(net|internal\/stream_base_commons|internal\/streams|stream)/.test(url)],
  ['HTTP (node:http, express, router, body-parser, helmet...)', (url) => /^node:_http|^node:http/.test(url) || /node_modules\/(express|router|body-parser|raw-body|on-finished|finalhandler|send|serve-static|helmet|cookie|cookie-parser|content-type|type-is|accepts|negotiator|mime-types|qs|statuses|http-errors|depd|iconv-lite|vary|etag|fresh|parseurl|path-to-regexp|destroy|ee-first|unpipe|encodeurl|escape-html|merge-descriptors|methods|proxy-addr|range-parser|utils-merge)\//.test(url)],
  ['sessions and login (express-session, passport)', (url) => /node_modules\/(express-session|passport[\w-]*|uid-safe|random-bytes|on-headers|crc)\//.test(url)],
  ['oidc-provider and Koa', (url) => /node_modules\/(oidc-provider|koa[\w-]*|@koa\/[\w-]+|jose|quick-lru|nanoid|eta|got|oidc-token-hash|paseto)\//.test(url)],
  ['crypto (node:crypto)', (url, fn) => /^node:internal\/crypto|^node:crypto/.test(url) || fn === 'randomFillSync'],
  ['JSON (parse, stringify)', (url, fn) => url === '' && ['parse', 'stringify', 'JSONParse', 'JSONStringify'].includes(fn)],
  ['garbage collector', (_url, fn) => fn === '(garbage collector)'],
  ['promises and timers (microtasks, process.nextTick, setTimeout)', (url, fn) => fn === 'runMicrotasks' || /^node:internal\/(process\/task_queues|timers)/.test(url)],
  ['Parley and the bench server (bundled src/)', (url) => /\.bench-out[^/]*\/servers\//.test(url)],
  ['other npm packages', (url) => url.includes('node_modules/')],
  ['Node start-up and module loading', (url) => /^node:internal\/(modules|bootstrap)/.test(url)],
  ['other Node internals', (url) => url.startsWith('node:')],
  ['other (program, native)', () => true],
];

const busy = new Map();
const byFunction = new Map();
let busyTotal = 0;
for (const file of process.argv.slice(2)) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = nodes.get(id);
    if (functionName === '(idle)') return;
    const time = profile.timeDeltas[i] ?? 0;
    const kind = KINDS.find(([, test]) => test(url || '', functionName))[0];
    busy.set(kind, (busy.get(kind) ?? 0) + time);
    const where = (url || '').replace(/.*node_modules\//, '').replace(/.*\/servers\//, 'servers/');
    const fn = `${functionName || '(anonymous)'} ${where}:${lineNumber}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + time);
    busyTotal += time;
  });
}
const show = (map, count) =>
  [...map].sort((a, b) => b[1] - a[1]).slice(0, count).forEach(([key, time]) => console.log(`${((time / busyTotal) * 100).toFixed(1).padStart(5)}%  ${key}`));
console.log(`${process.argv.slice(2).join(', ')}: ${(busyTotal / 1e6).toFixed(1)} s busy\n-- kinds of work (share of busy time)`);
show(busy, KINDS.length);
console.log('-- functions (self time, share of busy time)');
show(byFunction, Number(process.env['TOP'] ?? 15));
