import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { generateKeyPair, SignJWT } from 'jose';
import { runComments, type RunningCommentService as RunningCommand } from '../../src/commands/comments';
import { COMMENTS_DB_FILE } from '../../src/comments';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { expectError, getComments, GatewayTokens, postComment, request, serviceSettings, startCommentService } from './support';
import { logEntries } from '../helpers/log-entries';

describe('the comment service keeps its comments', () => {
  let gateway: RunningTestGateway;
  let tokens: GatewayTokens;

  beforeAll(async () => {
    gateway = await startTestGateway();
    tokens = await GatewayTokens.of(gateway);
  });
  afterAll(() => gateway.stop());

  it('serves every comment, reply, hide and ban after a restart on the same data directory', async () => {
    const first = await startCommentService(gateway.issuer);
    const ada = await tokens.mint({ sub: 'restart-ada', name: 'Ada' });
    const bob = await tokens.mint({ sub: 'restart-bob', name: 'Bob' });
    const top = (await postComment(first.url, 'demo-blog', 'restart-post', ada, { body: 'Before the restart' })).json.comment!;
    await postComment(first.url, 'demo-blog', 'restart-post', bob, { body: 'A reply', parentId: top.id });
    await postComment(first.url, 'demo-blog', 'restart-post', bob, { body: 'Hidden soon' });
    const hidden = (await getComments(first.url, 'demo-blog', 'restart-post')).json.comments![2]!;
    await runComments(first.settings, ['hide', 'demo-blog', hidden.id], { print: () => undefined });
    await runComments(first.settings, ['ban', 'demo-blog', 'restart-bob'], { print: () => undefined });
    await postComment(first.url, 'other-blog', 'restart-post', await tokens.mint({ sub: 'restart-ada', client_id: 'other-blog' }), { body: 'Elsewhere' });
    const before = {
      demo: (await getComments(first.url, 'demo-blog', 'restart-post')).json,
      other: (await getComments(first.url, 'other-blog', 'restart-post')).json,
    };
    await first.stop();

    const second = await startCommentService(gateway.issuer, { dataDir: first.dataDir });
    try {
      expect((await getComments(second.url, 'demo-blog', 'restart-post')).json).toEqual(before.demo);
      expect((await getComments(second.url, 'other-blog', 'restart-post')).json).toEqual(before.other);
      expect(before.demo.comments!.map((comment) => comment.body)).toEqual(['Before the restart', 'A reply']);
      expectError(await postComment(second.url, 'demo-blog', 'restart-post', bob, { body: 'Still banned?' }), 403, 'banned');
      const after = await postComment(second.url, 'demo-blog', 'restart-post', ada, { body: 'After the restart', parentId: top.id });
      expect(after.status).toBe(201);
    } finally {
      await second.stop();
    }
  });

  it('keeps its own database file under the data directory, readable by its owner only', async () => {
    const service = await startCommentService(gateway.issuer);
    await service.stop();
    const file = path.join(service.dataDir, COMMENTS_DB_FILE);
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
  });
});

describe('the comment service when its database fails', () => {
  it('answers 503 temporarily_unavailable with Retry-After, and recovers when the database does', async () => {
    const gateway = await startTestGateway();
    const tokens = await GatewayTokens.of(gateway);
    const logged: string[] = [];
    const service = await startCommentService(gateway.issuer, { serviceOptions: { log: (line) => logged.push(line) } });
    const token = await tokens.mint({ sub: 'unlucky' });
    const outside = new Database(path.join(service.dataDir, COMMENTS_DB_FILE));
    try {
      // Another process breaks the schema under the running service.
      outside.exec('alter table comments rename to comments_away');

      const read = await getComments(service.url, 'demo-blog', 'failing-post');
      expectError(read, 503, 'temporarily_unavailable');
      expect(Number(read.headers.get('retry-after'))).toBeGreaterThan(0);
      const write = await postComment(service.url, 'demo-blog', 'failing-post', token, { body: 'Into the void' });
      expectError(write, 503, 'temporarily_unavailable');
      expect(Number(write.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(logged.join('\n')).toMatch(/no such table: comments/);
      expect(write.text).not.toContain('no such table');

      outside.exec('alter table comments_away rename to comments');
      expect((await postComment(service.url, 'demo-blog', 'failing-post', token, { body: 'Into the void' })).status).toBe(201);
      expect((await getComments(service.url, 'demo-blog', 'failing-post')).json.comments).toHaveLength(1);
    } finally {
      outside.close();
      await service.stop();
      await gateway.stop();
    }
  });

  it('answers GET /health with 503 when the database is gone', async () => {
    const gateway = await startTestGateway();
    const service = await startCommentService(gateway.issuer);
    await service.service.close();
    try {
      const response = await request(`${service.url}/health`);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).not.toBeNull();
    } finally {
      await service.stop();
      await gateway.stop();
    }
  });
});

describe('the comment service when the gateway cannot be reached', () => {
  it('answers a POST with 503 temporarily_unavailable and Retry-After, not 401, and logs it', async () => {
    // Nothing listens on the discard port: the verifier cannot fetch the gateway's keys.
    const issuer = 'http://127.0.0.1:9';
    const logged: string[] = [];
    const service = await startCommentService(issuer, { serviceOptions: { log: (line) => logged.push(line) } });
    try {
      const { privateKey } = await generateKeyPair('RS256');
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ iss: issuer, sub: 's', aud: 'http://localhost:4100', client_id: 'demo-blog', scope: 'comments', iat: now, exp: now + 600, jti: 'j', name: 'N', idp: 'email' })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'k' })
        .sign(privateKey);
      const response = await postComment(service.url, 'demo-blog', 'offline', token, { body: 'Anyone there?' });
      expectError(response, 503, 'temporarily_unavailable');
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(logged.join('\n')).toMatch(/token check unavailable/);
      expect((await getComments(service.url, 'demo-blog', 'offline')).json).toEqual({ comments: [] });
    } finally {
      await service.stop();
    }
  });
});

describe('`parley comments` with no action', () => {
  it('serves the comment API on the configured port until closed', async () => {
    const gateway = await startTestGateway();
    const settings = { ...serviceSettings(gateway.issuer), comments: { port: 0, url: 'http://localhost:4100', backchannelUrl: 'http://localhost:4100' } };
    const logged: string[] = [];
    const running = (await runComments(settings, [], { serviceOptions: { log: (line) => logged.push(line) } })) as RunningCommand;
    try {
      expect(logEntries(logged)).toEqual([
        expect.objectContaining({
          level: 'info',
          service: 'comments',
          port: running.server.port,
          msg: `parley comments: listening on port ${running.server.port}, public URL http://localhost:4100, tokens from ${gateway.issuer}`,
        }),
      ]);
      const response = await getComments(`http://127.0.0.1:${running.server.port}`, 'demo-blog', 'served');
      expect(response.json).toEqual({ comments: [] });
    } finally {
      await running.close();
      await gateway.stop();
    }
  });
});
