import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/paths';
import { startTestbed, type CommentsTestbed } from '../comments/support';
import { freePort } from '../helpers/free-port';

/**
 * deploy/healthcheck.js, the image's one HEALTHCHECK for both services, run as Docker runs it: a
 * separate `node` process whose exit code says healthy (0) or not (1).
 */
const SCRIPT = path.join(PROJECT_ROOT, 'deploy', 'healthcheck.js');

async function healthcheck(args: string[], ports: { gateway: number; comments: number }): Promise<{ code: number; output: string }> {
  const env = { ...process.env, PARLEY_GATEWAY_PORT: String(ports.gateway), PARLEY_COMMENTS_PORT: String(ports.comments) };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [SCRIPT, ...args], { env });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('deploy/healthcheck.js', () => {
  let testbed: CommentsTestbed;
  let nothing: number;
  let notReady: http.Server;
  let notReadyPort: number;

  beforeAll(async () => {
    testbed = await startTestbed();
    nothing = await freePort();
    // What a service answers while its database cannot take a write.
    notReady = http.createServer((_req, res) => res.writeHead(503, { 'retry-after': '5' }).end('{"status":"unavailable"}'));
    await new Promise<void>((resolve) => notReady.listen(0, '127.0.0.1', resolve));
    notReadyPort = (notReady.address() as { port: number }).port;
  });

  afterAll(async () => {
    await testbed.stop();
    await new Promise((resolve) => notReady.close(resolve));
  });

  const servicePorts = () => ({ gateway: testbed.gateway.port, comments: Number(new URL(testbed.service.url).port) });

  it('is healthy when the named service answers /readyz with 200', async () => {
    await expect(healthcheck(['gateway'], servicePorts())).resolves.toMatchObject({ code: 0, output: expect.stringContaining('gateway on port') });
    await expect(healthcheck(['comments'], servicePorts())).resolves.toMatchObject({ code: 0, output: expect.stringContaining('comments on port') });
  });

  it('without a name, asks the comment service port when nothing listens on the gateway port', async () => {
    await expect(healthcheck([], servicePorts())).resolves.toMatchObject({ code: 0, output: expect.stringContaining('gateway on port') });
    await expect(healthcheck([], { gateway: nothing, comments: servicePorts().comments })).resolves.toMatchObject({ code: 0, output: expect.stringContaining('comments on port') });
  });

  it('is unhealthy when the service is not ready, without asking the other port', async () => {
    const result = await healthcheck([], { gateway: notReadyPort, comments: servicePorts().comments });
    expect(result).toEqual({ code: 1, output: `healthcheck: not ready: gateway on port ${notReadyPort}: GET /readyz answered 503\n` });
  });

  it('is unhealthy when nothing listens, and for a service it does not know', async () => {
    await expect(healthcheck([], { gateway: nothing, comments: nothing })).resolves.toMatchObject({ code: 1, output: expect.stringContaining('ECONNREFUSED') });
    await expect(healthcheck(['gateway'], { gateway: nothing, comments: servicePorts().comments })).resolves.toMatchObject({ code: 1 });
    await expect(healthcheck(['widget'], servicePorts())).resolves.toMatchObject({ code: 1, output: expect.stringContaining('unknown service "widget"') });
  });
});
