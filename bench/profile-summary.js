#!/usr/bin/env node
/** Prints the functions and packages with the most self time in a .cpuprofile (node --cpu-prof). */
const fs = require('node:fs');

const file = process.argv[2];
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfTime = new Map();
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfTime.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map();
const byPackage = new Map();
for (const [id, time] of selfTime) {
  const { functionName, url, lineNumber } = nodes.get(id).callFrame;
  const where = (url || '').replace(/.*node_modules\//, '').replace(/.*\/(src|bench)\//, '$1/');
  const fn = `${functionName || '(anonymous)'} ${where}:${lineNumber}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + time);
  const pkg = url.includes('node_modules/') ? url.replace(/.*node_modules\//, '').split('/')[0] : url.startsWith('node:') ? url : url ? 'parley' : functionName;
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + time);
}
const show = (map, count) =>
  [...map].sort((a, b) => b[1] - a[1]).slice(0, count).forEach(([key, time]) => console.log(`${((time / total) * 100).toFixed(1).padStart(5)}%  ${key}`));
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled\n-- functions (self time)`);
show(byFunction, Number(process.argv[3] ?? 25));
console.log('-- packages');
show(byPackage, 15);
