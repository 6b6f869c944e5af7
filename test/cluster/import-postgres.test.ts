import path from 'node:path';
import { runComments } from '../../src/commands/comments';
import { makeDataDir } from '../helpers/data-dir';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { getComments, rowCounts, startCommentService, type RunningCommentService } from '../comments/support';

/**
 * `parley comments import` on PostgreSQL (issue 14, item 2), with two service instances on the
 * database as behind a load balancer: the import is one transaction there too, and both
 * instances show it on their next request, even one that had the thread cached.
 */
describe('import into PostgreSQL', () => {
  let gateway: RunningTestGateway;
  let a: RunningCommentService;
  let b: RunningCommentService;

  beforeAll(async () => {
    gateway = await startTestGateway();
    const dataDir = makeDataDir();
    a = await startCommentService(gateway.issuer, { dataDir });
    b = await startCommentService(gateway.issuer, { dataDir });
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    await gateway.stop();
  });

  const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', 'import', name);
  const parley = async (...args: string[]) => {
    const printed: string[] = [];
    await runComments(a.settings, args, { print: (line) => printed.push(line) });
    return printed;
  };
  const bodies = async (service: RunningCommentService, post: string) => (await getComments(service.url, 'demo-blog', post)).json.comments!.map((comment) => comment.body);

  it('imports a WordPress export once, nests it, and shows it on every instance at once', async () => {
    expect(a.settings.databaseUrl).toMatch(/^postgres:\/\//);
    // B caches the (empty) thread before the import.
    expect(await bodies(b, 'hello-world')).toEqual([]);
    expect((await parley('import', 'demo-blog', fixture('wordpress.xml')))[0]).toMatch(/into demo-blog: 8 new, 0 already there$/);
    const expected = [
      'Great post & welcome!\nSecond line with a link (https://example.org/more) — and emphasis.',
      '素晴らしい記事です。\n\nSecond paragraph.',
      'Late to the party.',
      'A reply whose clock ran early: still after its parent.',
      'Danke, Jürgen! 😊',
      'Replying to the spam by mistake.',
    ];
    expect(await bodies(b, 'hello-world')).toEqual(expected);
    expect(await bodies(a, 'hello-world')).toEqual(expected);
    const thread = (await getComments(a.url, 'demo-blog', 'hello-world')).json.comments!;
    expect(thread.map((comment) => (comment.parentId === null ? null : thread.findIndex((parent) => parent.id === comment.parentId)))).toEqual([null, null, 1, 2, 0, 0]);
  });

  it('adds nothing the second time, and a dry run or a refused file writes nothing', async () => {
    const before = await rowCounts(a.dataDir);
    expect((await parley('import', 'demo-blog', fixture('wordpress.xml')))[0]).toMatch(/0 new, 8 already there$/);
    expect((await parley('import', 'demo-blog', fixture('disqus.xml'), '--dry-run'))[0]).toMatch(/^dry run, nothing written: .* would add 5 comments/);
    await expect(parley('import', 'demo-blog', fixture('broken-parents.xml'))).rejects.toThrow(/line 15: comment 302 replies to comment 999, which is not in the file/);
    await expect(parley('import', 'demo-blog', fixture('xxe.xml'))).rejects.toThrow(/DOCTYPE/);
    expect(await rowCounts(a.dataDir)).toEqual(before);
  });
});
