import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { run } from '../../src/cli';
import { runComments } from '../../src/commands/comments';
import type { ExportedComment } from '../../src/comments/comment-export';
import { makeDataDir } from '../helpers/data-dir';
import { getComments, postComment, rowCounts, startTestbed, type CommentsTestbed } from './support';

/**
 * `parley comments import` (issue 14, item 2): WordPress and Disqus exports written to look like
 * real ones, imported through the command, read back through the comment API and through
 * `parley comments export`; and the hostile files, each refused with nothing written.
 */

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'import');
const fixture = (name: string) => path.join(FIXTURES, name);

describe('parley comments import', () => {
  let bed: CommentsTestbed;
  let base: string;
  let scratch: string;

  beforeAll(async () => {
    bed = await startTestbed();
    base = bed.service.url;
    scratch = makeDataDir();
  });
  afterAll(() => bed.stop());

  /** Runs `parley comments <args>`; resolves to what it printed. */
  async function parley(...args: string[]): Promise<string[]> {
    const printed: string[] = [];
    await runComments(bed.service.settings, args, { print: (line) => printed.push(line), report: (line) => printed.push(line) });
    return printed;
  }

  async function exported(site: string): Promise<ExportedComment[]> {
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk));
    await runComments(bed.service.settings, ['export', site], { output, report: () => undefined });
    return Buffer.concat(chunks)
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as ExportedComment);
  }

  const thread = async (site: string, post: string) => {
    const response = await getComments(base, site, post);
    expect(response.status).toBe(200);
    return response.json.comments!.map((comment) => ({
      id: comment.id,
      parentId: comment.parentId,
      author: comment.author?.name,
      idp: comment.author?.idp,
      body: comment.body,
      createdAt: comment.createdAt,
    }));
  };

  /** Writes a file in the scratch folder and returns its path. */
  const scratchFile = (name: string, text: string) => {
    const file = path.join(scratch, name);
    fs.writeFileSync(file, text);
    return file;
  };

  const wxrItem = (postName: string, comments: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>\n<item><wp:post_id>1</wp:post_id><wp:post_name>${postName}</wp:post_name>\n${comments}</item>\n</channel></rss>\n`;
  const wxrComment = (id: number, content: string, parent = 0) =>
    `<wp:comment><wp:comment_id>${id}</wp:comment_id><wp:comment_author>A</wp:comment_author><wp:comment_date_gmt>2019-01-01 00:00:${String(id % 60).padStart(2, '0')}</wp:comment_date_gmt><wp:comment_content><![CDATA[${content}]]></wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>${parent}</wp:comment_parent></wp:comment>\n`;

  describe('a WordPress export', () => {
    let firstRun: string[];

    beforeAll(async () => {
      firstRun = await parley('import', 'demo-blog', fixture('wordpress.xml'));
    });

    it('says what it added and what it skipped', () => {
      expect(firstRun[0]).toMatch(/^imported .*wordpress\.xml \(WordPress export, [\d.]+ [KM]B\) into demo-blog: 8 new, 0 already there$/);
      expect(firstRun.slice(1)).toEqual([
        '  8 comments on 2 posts, 1 of them hidden (pending approval in the export; parley comments unhide shows one)',
        '  skipped: 1 spam, 1 trashed, 1 pingback or trackback',
        '  1 reply to skipped comments attached to the nearest kept comment above them',
      ]);
    });

    it('keeps threads, order, dates, names and text, read back through the comment API', async () => {
      const comments = await thread('demo-blog', 'hello-world');
      const byBody = (start: string) => comments.find((comment) => comment.body.startsWith(start))!;
      const jurgen = byBody('Great post');
      const taro = byBody('素晴らしい');
      const dami = byBody('Late to the party');
      expect(comments).toEqual([
        {
          id: jurgen.id,
          parentId: null,
          author: 'Jürgen Groß',
          idp: 'imported',
          body: 'Great post & welcome!\nSecond line with a link (https://example.org/more) — and emphasis.',
          createdAt: '2019-03-04T11:00:00.000Z',
        },
        { id: taro.id, parentId: null, author: '山田太郎', idp: 'imported', body: '素晴らしい記事です。\n\nSecond paragraph.', createdAt: '2019-03-04T12:00:00.000Z' },
        { id: dami.id, parentId: taro.id, author: 'Olúwadámilọ́lá', idp: 'imported', body: 'Late to the party.', createdAt: '2019-03-04T12:20:00.000Z' },
        // Dated before its parent (a skewed clock), still written after it.
        // WordPress stores names HTML-escaped ("O&#039;Neil &amp; Co").
        { id: expect.any(String), parentId: dami.id, author: "Ana O'Neil & Co", idp: 'imported', body: 'A reply whose clock ran early: still after its parent.', createdAt: '2019-03-04T11:15:00.000Z' },
        { id: expect.any(String), parentId: jurgen.id, author: 'Zoë', idp: 'imported', body: 'Danke, Jürgen! 😊', createdAt: '2019-03-04T12:30:00.000Z' },
        // Its parent was spam: it hangs under the spam's own parent.
        { id: expect.any(String), parentId: jurgen.id, author: 'Jürgen Groß', idp: 'imported', body: 'Replying to the spam by mistake.', createdAt: '2019-03-04T14:00:00.000Z' },
      ]);
      // Spam, trash, the pingback and the pending comment are not shown.
      expect(JSON.stringify(comments)).not.toMatch(/Buy now|Trashed|as Zoë says|Waiting for approval/);
      expect(await thread('demo-blog', 'on-sketching')).toEqual([expect.objectContaining({ author: 'Zoë', body: 'Another Zoë, not the author: a guest with another address.' })]);
      // A post without comments in the export has none here either.
      expect(await thread('demo-blog', 'about')).toEqual([]);
    });

    it('is in `parley comments export` with imported subjects: one per author, the pending comment hidden', async () => {
      const lines = (await exported('demo-blog')).filter((line) => line.post === 'hello-world' || line.post === 'on-sketching');
      expect(lines).toHaveLength(8);
      for (const line of lines) {
        expect(line.author.sub).toMatch(/^imported:wxr:[A-Za-z0-9_-]{22}$/);
        expect(line.author).toMatchObject({ idp: 'imported', picture: null });
      }
      const subOf = (start: string) => lines.find((line) => line.body.startsWith(start))!.author.sub;
      // The same guest (same address) twice is one author; the blog's user is one author whatever name.
      expect(subOf('Great post')).toBe(subOf('Replying to the spam'));
      // Two people both called Zoë: the registered author and a guest with another address.
      expect(subOf('Danke')).not.toBe(subOf('Another Zoë'));
      expect(lines.find((line) => line.body === 'Waiting for approval.')).toMatchObject({ state: 'hidden', hiddenAt: expect.stringMatching(/Z$/) });
      // The export's addresses are never stored, not even in the subjects.
      expect(JSON.stringify(lines)).not.toMatch(/mail\.example|192\.0\.2/);
    });

    it('adds nothing when run again', async () => {
      const before = await thread('demo-blog', 'hello-world');
      const again = await parley('import', 'demo-blog', fixture('wordpress.xml'));
      expect(again[0]).toMatch(/into demo-blog: 0 new, 8 already there$/);
      expect(await thread('demo-blog', 'hello-world')).toEqual(before);
      expect((await exported('demo-blog')).filter((line) => line.post === 'hello-world')).toHaveLength(7);
    });

    it("does not let a new commenter become an imported author by taking their name", async () => {
      const jurgen = (await thread('demo-blog', 'hello-world'))[0]!;
      const token = await bed.tokens.mint({ sub: 'real-jurgen-at-the-gateway', name: 'Jürgen Groß', idp: 'email' });
      const reply = await postComment(base, 'demo-blog', 'hello-world', token, { body: 'I am the real Jürgen', parentId: jurgen.id });
      expect(reply.status).toBe(201);
      expect(reply.json.comment).toMatchObject({ parentId: jurgen.id, author: { name: 'Jürgen Groß', idp: 'email' } });
      const lines = (await exported('demo-blog')).filter((line) => line.author.name === 'Jürgen Groß');
      const subjects = new Set(lines.map((line) => line.author.sub));
      expect(subjects).toEqual(new Set(['real-jurgen-at-the-gateway', lines.find((line) => line.author.idp === 'imported')!.author.sub]));
      // No token can carry an imported subject: the gateway's are 43 base64url characters, never ":".
      expect([...subjects].filter((sub) => sub.startsWith('imported:'))).toHaveLength(1);
    });
  });

  describe('a Disqus export', () => {
    let run: string[];

    beforeAll(async () => {
      run = await parley('import', 'demo-blog', fixture('disqus.xml'), '--format', 'disqus');
    });

    it('maps threads to post ids, keeps nesting, turns HTML into text and skips spam and deleted comments', async () => {
      expect(run).toEqual([
        expect.stringMatching(/^imported .*disqus\.xml \(Disqus export, [\d.]+ [KM]B\) into demo-blog: 5 new, 0 already there$/),
        '  5 comments on 2 posts',
        '  skipped: 1 spam, 1 deleted',
        '  1 reply to skipped comments attached to the nearest kept comment above them',
      ]);
      const comments = await thread('demo-blog', 'first-light');
      const [bjork, owner, minho, deep] = comments;
      expect(comments).toEqual([
        {
          id: bjork!.id,
          parentId: null,
          author: 'Björk Guðmundsdóttir',
          idp: 'imported',
          body: 'Lovely light in this one.\n\nWhich paper did you use?\nI use cold press (https://paper.example/cold-press).',
          createdAt: '2020-06-01T09:00:00.000Z',
        },
        { id: owner!.id, parentId: bjork!.id, author: 'Sketchbook', idp: 'imported', body: 'Arches, 300 g/m² — thanks for asking!', createdAt: '2020-06-01T10:30:00.000Z' },
        // Its parent was deleted on Disqus: it hangs under the deleted comment's parent.
        { id: minho!.id, parentId: owner!.id, author: '이민호', idp: 'imported', body: 'A reply to a deleted comment … still here.', createdAt: '2020-06-01T12:00:00.000Z' },
        // A link whose text is its address is the address once.
        { id: deep!.id, parentId: minho!.id, author: 'Björk G.', idp: 'imported', body: 'Deep reply: https://sketchbook.example/posts/first-light/', createdAt: '2020-06-02T08:00:00.000Z' },
      ]);
      // A thread with no <id> is named by the end of its link's path.
      expect(await thread('demo-blog', 'ink-and-wash.html')).toEqual([expect.objectContaining({ author: 'Renée', body: 'First on the ink post — nice washes.' })]);
      const lines = (await exported('demo-blog')).filter((line) => line.post === 'first-light');
      // One Disqus account under two names is one author.
      expect(lines[0]!.author.sub).toBe(lines[3]!.author.sub);
      expect(lines[0]!.author.sub).toMatch(/^imported:disqus:/);
    });

    it('dry run: says what would be added and writes nothing', async () => {
      const before = await rowCounts(bed.service.dataDir);
      const dry = await parley('import', 'other-blog', fixture('disqus.xml'), '--dry-run');
      expect(dry[0]).toMatch(/^dry run, nothing written: .*disqus\.xml \(Disqus export, [\d.]+ [KM]B\) would add 5 comments to other-blog; 0 already there$/);
      expect(await rowCounts(bed.service.dataDir)).toEqual(before);
      expect(await thread('other-blog', 'first-light')).toEqual([]);
      // On a site that has them, a dry run finds them all there.
      expect((await parley('import', 'demo-blog', fixture('disqus.xml'), '--dry-run'))[0]).toMatch(/would add 0 comments to demo-blog; 5 already there$/);
    });

    it('imports the same export into another site as other comments', async () => {
      expect((await parley('import', 'other-blog', fixture('disqus.xml')))[0]).toMatch(/into other-blog: 5 new, 0 already there$/);
      const here = await thread('demo-blog', 'first-light');
      const there = await thread('other-blog', 'first-light');
      expect(there.map((comment) => comment.body)).toEqual(here.map((comment) => comment.body));
      expect(there.map((comment) => comment.id)).not.toContain(here[0]!.id);
    });
  });

  describe('a file that is refused writes nothing and says why', () => {
    /** Runs the import, expects it refused, and checks that no table changed. */
    async function refused(args: string[]): Promise<string> {
      const before = await rowCounts(bed.service.dataDir);
      let message = '';
      await parley('import', ...args).then(
        () => {
          throw new Error(`imported ${args.join(' ')}`);
        },
        (error: Error) => {
          message = error.message;
        },
      );
      expect(await rowCounts(bed.service.dataDir)).toEqual(before);
      return message;
    }

    it('refuses a billion-laughs file at its DOCTYPE, expanding nothing', async () => {
      const message = await refused(['demo-blog', fixture('billion-laughs.xml')]);
      expect(message).toMatch(/line 2: .*declares a DOCTYPE/);
      expect(message).not.toMatch(/lol/);
    });

    it('refuses an external entity (XXE) without reading what it names', async () => {
      const message = await refused(['demo-blog', fixture('xxe.xml')]);
      expect(message).toMatch(/line 2: .*DOCTYPE/);
      expect(message).not.toMatch(/root:/);
      expect(await thread('demo-blog', 'stolen')).toEqual([]);
    });

    it('lists broken parents and other problems line by line, and imports none of the file', async () => {
      const message = await refused(['demo-blog', fixture('broken-parents.xml')]);
      expect(message.split('\n')).toEqual([
        `${fixture('broken-parents.xml')} was not imported (nothing was written):`,
        '  line 15: comment 302 replies to comment 999, which is not in the file',
        '  line 23: comment 303 has no date that can be read',
        '  line 31: comment 304 replies to comment 998, which is not in the file',
      ]);
      expect(await thread('demo-blog', 'broken-threads')).toEqual([]);
    });

    it('refuses a truncated file with the line where it ends', async () => {
      const lines = fs.readFileSync(fixture('truncated.xml'), 'utf8').split('\n').length;
      expect(await refused(['demo-blog', fixture('truncated.xml')])).toMatch(new RegExp(`line ${lines}: the file is not well-formed XML`));
    });

    it('refuses a file that is neither format, or not the format asked for', async () => {
      expect(await refused(['demo-blog', fixture('not-an-export.xml')])).toMatch(/root element is <feed>: it is neither a WordPress export .* nor a Disqus export/);
      expect(await refused(['demo-blog', fixture('wordpress.xml'), '--format=disqus'])).toMatch(/--format disqus was asked, but the file is a WordPress export/);
      expect(await refused(['demo-blog', scratchFile('plain.txt', 'just some text\n')])).toMatch(/not well-formed XML/);
      expect(await refused(['demo-blog', scratchFile('empty.xml', '')])).toMatch(/not well-formed XML|no XML element/);
    });

    it('reports a comment over the service’s length limit', async () => {
      const file = scratchFile('long.xml', wxrItem('long-post', wxrComment(1, 'ok') + wxrComment(2, `<p>${'x'.repeat(12_000)}</p>`)));
      expect(await refused(['demo-blog', file])).toMatch(/line 5: comment 2 has 12,000 characters; at most 10,000 are allowed/);
      const huge = scratchFile('huge.xml', wxrItem('long-post', wxrComment(3, 'y'.repeat(1_200_000))));
      expect(await refused(['demo-blog', huge])).toMatch(/line 4: comment 3 is far longer than 10,000 characters/);
      // Markup that would leave little text is still too much to read: 150,000 characters of tags.
      const markup = scratchFile('markup.xml', wxrItem('long-post', wxrComment(4, '<b>x</b>'.repeat(18_750))));
      expect(await refused(['demo-blog', markup])).toMatch(/line 4: comment 4 is far longer than 10,000 characters/);
    });

    it('refuses a 1 GB file before reading it, and a file over a lowered --max-size', async () => {
      // Sparse: it claims 1 GiB and takes no space.
      const big = path.join(scratch, 'big.xml');
      fs.writeFileSync(big, '<rss>');
      fs.truncateSync(big, 2 ** 30);
      expect(await refused(['demo-blog', big])).toMatch(/big\.xml is 1024 MB; imports read at most 512 MB \(--max-size raises the limit\)/);
      const two = scratchFile('two-megabytes.xml', wxrItem('sized', wxrComment(1, 'z'.repeat(9_000)).repeat(1).padEnd(2 * 2 ** 20, ' ')));
      expect(await refused(['demo-blog', two, '--max-size', '1MB'])).toMatch(/is 2 MB; imports read at most 1 MB/);
      await expect(parley('import', 'demo-blog', two, '--max-size', 'lots')).rejects.toThrow(/--max-size takes a size such as 800MB or 2GB/);
    });

    it('refuses what is not a regular file, and a file that is not there', async () => {
      expect(await refused(['demo-blog', '/dev/zero'])).toMatch(/\/dev\/zero is not a regular file/);
      expect(await refused(['demo-blog', path.join(scratch, 'missing.xml')])).toMatch(/cannot read .*missing\.xml: no such file/);
    });

    it('refuses elements nested without end, another encoding, and a comment id seen twice', async () => {
      expect(await refused(['demo-blog', scratchFile('deep.xml', `<rss>${'<a>'.repeat(10_000)}`)])).toMatch(/nested more than 64 deep/);
      expect(await refused(['demo-blog', scratchFile('latin1.xml', '<?xml version="1.0" encoding="ISO-8859-1"?>\n<rss/>')])).toMatch(/encoded in ISO-8859-1; only UTF-8/);
      const twice = scratchFile('twice.xml', wxrItem('twice', wxrComment(5, 'one') + wxrComment(5, 'two')));
      expect(await refused(['demo-blog', twice])).toMatch(/line 5: comment 5 appears again \(first at line 4\)/);
      const longId = scratchFile('long-id.xml', wxrItem('long-id', wxrComment(10, 'fine', 0).replace('<wp:comment_id>10<', `<wp:comment_id>${'9'.repeat(5_000)}<`)));
      const message = await refused(['demo-blog', longId]);
      expect(message).toMatch(/line 4: a comment's id, parent or thread has 5000 characters; an export's have at most 100/);
      expect(message.length).toBeLessThan(300);
      const circle = scratchFile('circle.xml', wxrItem('circle', wxrComment(6, 'a', 7) + wxrComment(7, 'b', 6)));
      expect(await refused(['demo-blog', circle])).toMatch(/go round in a circle/);
    });

    it('refuses a post id the widget could not name, and an undefined entity', async () => {
      const slug = scratchFile('slug.xml', wxrItem('%e6%97%a5%e6%9c%ac', wxrComment(8, 'hi')));
      expect(await refused(['demo-blog', slug])).toMatch(/line 3: the slug "%e6%97%a5%e6%9c%ac" is not a post id Parley accepts/);
      const entity = scratchFile('entity.xml', wxrItem('entity', '<wp:comment><wp:comment_id>9</wp:comment_id><wp:comment_content>&secret;</wp:comment_content></wp:comment>'));
      expect(await refused(['demo-blog', entity])).toMatch(/line 4: the file is not well-formed XML: .*undefined entity/i);
    });
  });

  describe('the parley command', () => {
    /** `parley <argv>` on the test service's settings: its exit code and what it wrote. */
    async function cli(...argv: string[]): Promise<{ code: number; err: string; out: string }> {
      const env = {
        PARLEY_DATA_DIR: bed.service.dataDir,
        PARLEY_ISSUER: bed.service.settings.gateway.issuer,
        PARLEY_COMMENTS_URL: bed.service.settings.comments.url,
        PARLEY_SITES_FILE: path.join(bed.service.dataDir, 'sites.json'),
      };
      const err: string[] = [];
      const out: string[] = [];
      const errorSpy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void err.push(args.join(' ')));
      const logSpy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
      try {
        return { code: await run(argv, env), err: err.join('\n'), out: out.join('\n') };
      } finally {
        errorSpy.mockRestore();
        logSpy.mockRestore();
      }
    }

    it('refuses a mistyped option before reading anything: a typo never imports for real', async () => {
      const before = await rowCounts(bed.service.dataDir);
      const typo = await cli('comments', 'import', 'other-blog', fixture('wordpress.xml'), '--dyr-run');
      expect(typo.code).toBe(1);
      expect(typo.err).toMatch(/^parley: unknown option "--dyr-run" for parley comments/);
      expect(await rowCounts(bed.service.dataDir)).toEqual(before);
    });

    it('prints the problems of a refused file on standard error and exits 1', async () => {
      const refused = await cli('comments', 'import', 'demo-blog', fixture('broken-parents.xml'));
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/^parley: .*broken-parents\.xml was not imported \(nothing was written\):\n {2}line 15: .*\n {2}line 23: .*\n {2}line 31: /);
    });

    it('runs a dry run and explains import in its help', async () => {
      const dry = await cli('comments', 'import', 'other-blog', fixture('wordpress.xml'), '--dry-run', '--format=wxr');
      expect({ code: dry.code, err: dry.err }).toEqual({ code: 0, err: '' });
      expect(dry.out).toMatch(/^dry run, nothing written: .* would add 8 comments to other-blog; 0 already there/);
      const help = await cli('comments', 'import', '--help');
      expect(help.out).toMatch(/import {2}<site> <file> .*\n.*\n +--format wxr\|disqus/);
    });
  });

  describe('the command line', () => {
    it('takes a site it knows, two arguments, and options only for import', async () => {
      await expect(parley('import', 'no-such-blog', fixture('wordpress.xml'))).rejects.toThrow(/unknown site "no-such-blog"/);
      await expect(parley('import', 'demo-blog')).rejects.toThrow(/comments import takes exactly two arguments/);
      await expect(parley('import', 'demo-blog', fixture('wordpress.xml'), '--format', 'blogger')).rejects.toThrow(/--format is wxr or disqus, not "blogger"/);
      await expect(parley('list', 'demo-blog', 'hello-world', '--dry-run')).rejects.toThrow(/only comments import takes options/);
      // Options may come first.
      expect((await parley('--dry-run', 'import', 'demo-blog', fixture('wordpress.xml')))[0]).toMatch(/^dry run, nothing written/);
    });
  });
});
