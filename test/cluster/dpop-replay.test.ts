import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { discover, type Discovery } from '../helpers/oidc-client';
import { withClient } from '../helpers/postgres';
import { makeDataDir } from '../helpers/data-dir';
import { dpopKey } from '../../packages/verify/test/helpers/dpop';
import { expectError } from '../comments/support';
import { accessToken, DPOP_SITES, postProof, postWithProof, startDpopCommentService, type RunningDpopCommentService } from '../comments/dpop-support';

/**
 * The DPoP replay cache across instances: two comment services on one PostgreSQL database, as
 * behind a load balancer. A proof used at one is refused at the other (and at itself).
 */
describe('DPoP proofs across comment-service instances on PostgreSQL', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;
  let a: RunningDpopCommentService;
  let b: RunningDpopCommentService;

  beforeAll(async () => {
    gw = await startTestGateway({ sites: DPOP_SITES });
    discovery = await discover(gw.issuer);
    const dataDir = makeDataDir();
    [a, b] = await Promise.all([startDpopCommentService(gw.issuer, { dataDir }), startDpopCommentService(gw.issuer, { dataDir })]);
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    await gw.stop();
  });

  it('keeps used proofs in the shared database', async () => {
    expect(a.settings.databaseUrl).toMatch(/^postgres:\/\//);
    expect(b.settings.databaseUrl).toBe(a.settings.databaseUrl);
    const tables = await withClient(a.settings.databaseUrl!, async (client) =>
      (await client.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'parley_comments'")).rows.map((row) => row.table_name),
    );
    expect(tables).toContain('dpop_proofs');
  });

  it('refuses at instance B a proof already used at instance A', async () => {
    const key = dpopKey();
    const token = await accessToken(discovery, 'ada@example.com', 'strict-blog', key);
    const proof = postProof(key, token, 'strict-blog', 'cluster');
    expect((await postWithProof(a.url, 'strict-blog', 'cluster', token, proof, 'Once, at A.')).status).toBe(201);
    const replayed = await postWithProof(b.url, 'strict-blog', 'cluster', token, proof, 'Again, at B.');
    expectError(replayed, 401, 'invalid_dpop_proof');
    expect((await postWithProof(b.url, 'strict-blog', 'cluster', token, postProof(key, token, 'strict-blog', 'cluster'), 'Fresh, at B.')).status).toBe(201);
  });

  it('lets exactly one of two instances accept a proof sent to both at once', async () => {
    const key = dpopKey();
    const token = await accessToken(discovery, 'grace@example.com', 'strict-blog', key);
    const proof = postProof(key, token, 'strict-blog', 'race');
    const statuses = await Promise.all([
      postWithProof(a.url, 'strict-blog', 'race', token, proof, 'Race at A.'),
      postWithProof(b.url, 'strict-blog', 'race', token, proof, 'Race at B.'),
    ]).then((responses) => responses.map((response) => response.status).sort());
    expect(statuses).toEqual([201, 401]);
  });
});
