import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NO_OUTBOX_RECHECK_MS } from '../../src/gateway/notifications/outbox-poller';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';

/**
 * A gateway whose PARLEY_COMMENTS_URL is not a Parley comment service (a blog backend that uses
 * only the verifier package) has no reply outbox to read: a 404. The gateway says so once and
 * asks again every 10 minutes, not every 5 seconds; once the outbox is there, it reads it again.
 */
describe('reply notifications when the comment service has no reply outbox', () => {
  let gw: RunningTestGateway;
  let server: http.Server;
  let answer: 'missing' | 'empty page' = 'missing';
  let asked = 0;
  let clockOffsetMs = 0;
  const logs: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (!req.url?.startsWith('/backchannel/replies')) return void res.writeHead(404).end();
      asked += 1;
      if (answer === 'missing') return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ replies: [], cursor: '0', moreAvailable: false }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    gw = await startTestGateway({
      env: { PARLEY_COMMENTS_INTERNAL_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
      gatewayOptions: { log: (line) => logs.push(line), notifications: { pollIntervalMs: 20, clock: () => Date.now() + clockOffsetMs } },
    });
  });
  afterAll(async () => {
    await gw.stop();
    await new Promise((resolve) => server.close(resolve));
  });

  async function until(what: string, check: () => boolean): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('asks once, says so once, and asks again only after ten minutes; then reads the outbox once it is there', async () => {
    await until('the first read', () => asked >= 1);
    // Twenty-five poll intervals later: no second read, no warning of an outage, one line saying why.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(asked).toBe(1);
    expect(logs.filter((line) => line.includes('has no reply outbox'))).toHaveLength(1);
    expect(logs.filter((line) => line.includes('"level":"warn"'))).toEqual([]);

    clockOffsetMs += NO_OUTBOX_RECHECK_MS;
    await until('the read ten minutes later', () => asked === 2);
    expect(logs.filter((line) => line.includes('has no reply outbox'))).toHaveLength(1);

    answer = 'empty page';
    clockOffsetMs += NO_OUTBOX_RECHECK_MS;
    await until('the outbox read as usual', () => asked >= 4);
    expect(logs.some((line) => line.includes('has a reply outbox now'))).toBe(true);
  });
});
