#!/usr/bin/env node
'use strict';
/**
 * The container health check of the Parley image, for either service: `node deploy/healthcheck.js
 * [gateway|comments]`. Exit 0 when the service answers GET /readyz with 200 (it serves and every
 * dependency it needs is reachable), 1 otherwise, with one line saying why (`docker inspect`
 * shows it).
 *
 * The image runs `parley gateway` or `parley comments`, chosen by the container's command, so one
 * HEALTHCHECK line must serve both. Named, it probes that service's port (PARLEY_GATEWAY_PORT,
 * PARLEY_COMMENTS_PORT, as the service itself reads them); unnamed, it probes the gateway's port and,
 * when nothing listens there, the comment service's: a container runs one service, so the one
 * port that listens is the one to ask.
 *
 * /readyz, not /healthz: a container whose database or Redis cannot be reached must leave the
 * balancer's rotation (Compose's depends_on, an orchestrator's readiness), not just be alive.
 */
const http = require('node:http');

const SERVICES = {
  gateway: { setting: 'PARLEY_GATEWAY_PORT', defaultPort: '4000' },
  comments: { setting: 'PARLEY_COMMENTS_PORT', defaultPort: '4100' },
};
/** Below Docker's usual 5 s health check timeout, so this says why instead of being killed. */
const TIMEOUT_MS = 4000;

function portOf(service) {
  const { setting, defaultPort } = SERVICES[service];
  const value = (process.env[setting] || '').trim();
  return value === '' ? defaultPort : value;
}

/** Resolves to { ready, listening, detail } for GET /readyz on 127.0.0.1:port. */
function probe(port) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/readyz', timeout: TIMEOUT_MS, headers: { accept: 'application/json' } }, (response) => {
      response.resume();
      const ready = response.statusCode === 200;
      resolve({ ready, listening: true, detail: `GET /readyz answered ${response.statusCode}` });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    request.on('error', (error) => {
      resolve({ ready: false, listening: error.code !== 'ECONNREFUSED', detail: error.message });
    });
  });
}

async function main(argv) {
  const named = argv[0];
  if (named !== undefined && !Object.hasOwn(SERVICES, named)) {
    console.error(`healthcheck: unknown service "${named}" (use gateway or comments)`);
    return 1;
  }
  const candidates = named === undefined ? Object.keys(SERVICES) : [named];
  let last;
  for (const service of candidates) {
    const port = portOf(service);
    const result = await probe(port);
    last = `${service} on port ${port}: ${result.detail}`;
    if (result.ready) {
      console.log(`healthcheck: ${last}`);
      return 0;
    }
    // Something listens there but is not ready: that is the answer, do not try the next port.
    if (result.listening) break;
  }
  console.error(`healthcheck: not ready: ${last}`);
  return 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
