import path from 'node:path';
import Database from 'better-sqlite3';
import { COMMENTS_DB_FILE, openCommentsDatabase } from '../../src/comments';
import { DatabaseDpopReplayStore } from '../../src/comments/dpop-replay-store';
import { makeDataDir } from '../helpers/data-dir';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { dpopKey } from '../../packages/verify/test/helpers/dpop';
import { expectError, GatewayTokens } from './support';
import { postProof, postWithProof, startDpopCommentService, type RunningDpopCommentService } from './dpop-support';

describe('DatabaseDpopReplayStore on a real comments.sqlite', () => {
  it('says a proof is fresh once and a replay after, and sweeps only expired proofs', async () => {
    const db = await openCommentsDatabase({ dataDir: makeDataDir(), databaseUrl: undefined });
    try {
      const store = new DatabaseDpopReplayStore(db);
      expect(await store.remember('jkt.a', 1_000)).toBe(true);
      expect(await store.remember('jkt.a', 1_000)).toBe(false);
      expect(await store.remember('jkt.b', 5_000)).toBe(true);

      await store.sweep(1_000);
      const left = await db.selectFrom('dpop_proofs').select(['key', 'expires_at']).execute();
      expect(left).toEqual([{ key: 'jkt.b', expires_at: 5_000 }]);
    } finally {
      await db.destroy();
    }
  });
});

describe('the comment service when its DPoP replay store fails', () => {
  let gateway: RunningTestGateway;
  let service: RunningDpopCommentService;
  const logged: string[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway();
    service = await startDpopCommentService(gateway.issuer, { serviceOptions: { log: (line) => logged.push(line) } });
  });
  afterAll(async () => {
    await service.stop();
    await gateway.stop();
  });

  it('answers 503 temporarily_unavailable with Retry-After, never a 500 or an unchecked proof, and recovers', async () => {
    const key = dpopKey();
    const token = await (await GatewayTokens.of(gateway)).mint({ sub: 'unlucky', cnf: { jkt: key.thumbprint } });
    const outside = new Database(path.join(service.dataDir, COMMENTS_DB_FILE));
    try {
      outside.exec('alter table dpop_proofs rename to dpop_proofs_away');
      const proof = postProof(key, token, 'demo-blog', 'replay-store');
      const refused = await postWithProof(service.url, 'demo-blog', 'replay-store', token, proof);
      expectError(refused, 503, 'temporarily_unavailable');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.headers.get('www-authenticate')).toBeNull();
      expect(logged.join('\n')).toMatch(/ERR_DPOP_REPLAY_UNAVAILABLE/);

      outside.exec('alter table dpop_proofs_away rename to dpop_proofs');
      expect((await postWithProof(service.url, 'demo-blog', 'replay-store', token, proof)).status).toBe(201);
      expectError(await postWithProof(service.url, 'demo-blog', 'replay-store', token, proof), 401, 'invalid_dpop_proof');
    } finally {
      outside.close();
    }
  });
});
