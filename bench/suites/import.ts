import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportComments } from '../../src/comments/comment-export';
import { openCommentsDatabase } from '../../src/comments/database';
import { importComments } from '../../src/comments/import/import-comments';
import { mapWxrRecord, WXR_RECORDS } from '../../src/comments/import/wxr';
import { readXmlRecords } from '../../src/comments/import/xml-reader';
import { mebibytes, perSecond, printTable, type Row } from '../lib/report';

/**
 * Issue 14, item 2: `parley comments import` of a 100,000-comment WordPress export (generated:
 * 1,000 posts of 100 comments, a third of them replies, some HTML, pending, spam and pingbacks),
 * into SQLite. Each step runs in a fresh process of its own, so its peak resident memory (maxRSS)
 * is its own; every step is compared with steps measured in the same run:
 *
 * - holding the file in memory (reading it whole into a string): what a non-streaming import
 *   would start from, before building anything from it;
 * - reading it as the import does (saxes and the WXR mapping), writing nothing: the parsing part;
 * - the import (two passes over the file and the writes, in one transaction);
 * - the same import again (adds nothing: the second run's cost);
 * - exporting the 100,000 comments again (`parley comments export`).
 */

const POSTS = 1_000;
const COMMENTS_PER_POST = 100;
const STEPS = ['hold-whole-file', 'parse', 'import', 'import-again', 'export'] as const;
type Step = (typeof STEPS)[number];

/** What a step's process reports. */
interface StepResult {
  readonly seconds: number;
  readonly maxRssBytes: number;
  readonly detail: string;
}

const STEP_ENV = 'BENCH_IMPORT_STEP';

export async function importSuite(): Promise<Row[]> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-import-'));
  try {
    const file = path.join(folder, 'export.xml');
    const generated = await writeWxr(file);
    const dataDir = path.join(folder, 'data');
    fs.mkdirSync(dataDir);
    const results = new Map<Step, StepResult>();
    for (const step of STEPS) results.set(step, await runStep(step, file, dataDir));
    const bytes = fs.statSync(file).size;
    const parse = results.get('parse')!;
    const row = (step: Step, name: string): Row => {
      const result = results.get(step)!;
      return {
        name: `${name}: ${result.detail}`,
        value: `${result.seconds.toFixed(1)} s, ${perSecond(generated / result.seconds)} comments, peak RSS ${mebibytes(result.maxRssBytes)}`,
        ratio: result.seconds / parse.seconds,
      };
    };
    const rows: Row[] = [
      { name: 'the export', value: `${generated.toLocaleString('en-US')} comments on ${POSTS.toLocaleString('en-US')} posts, ${mebibytes(bytes)}` },
      row('hold-whole-file', 'reading the file whole into a string (memory reference)'),
      row('parse', 'reading it as the import does, writing nothing (time baseline: 1.00×)'),
      row('import', 'parley comments import'),
      row('import-again', 'the same import again'),
      row('export', 'parley comments export of the imported comments'),
    ];
    printTable('Import of a 100,000-comment WordPress export (SQLite; ratio = time ÷ parsing only)', rows);
    return rows;
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** Runs one step in a fresh process: this bundle again, told which step by the environment. */
function runStep(step: Step, file: string, dataDir: string): Promise<StepResult> {
  const child = fork(__filename, [], { env: { ...process.env, [STEP_ENV]: JSON.stringify({ step, file, dataDir }) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (message: StepResult) => resolve(message));
    child.once('exit', (code) => reject(new Error(`import bench step ${step} exited with ${code} before reporting`)));
  });
}

async function runStepHere(step: Step, file: string, dataDir: string): Promise<StepResult> {
  const started = process.hrtime.bigint();
  const detail = await STEP_WORK[step](file, dataDir);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // maxRSS is in kibibytes.
  return { seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024, detail };
}

const STEP_WORK: Record<Step, (file: string, dataDir: string) => Promise<string>> = {
  async 'hold-whole-file'(file) {
    const text = await fs.promises.readFile(file, 'utf8');
    return `${text.length.toLocaleString('en-US')} characters held`;
  },
  async parse(file) {
    let comments = 0;
    for await (const event of readXmlRecords(fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 }), WXR_RECORDS)) {
      if (event.kind === 'record') for (const record of mapWxrRecord(event.element)) if (record.kind === 'comment') comments += 1;
    }
    return `${comments.toLocaleString('en-US')} comments read`;
  },
  async import(file, dataDir) {
    return importOnce(file, dataDir);
  },
  async 'import-again'(file, dataDir) {
    return importOnce(file, dataDir);
  },
  async export(_file, dataDir) {
    const db = await openCommentsDatabase({ dataDir, databaseUrl: undefined });
    try {
      let bytes = 0;
      const count = await exportComments(db, 'bench-blog', (line) => {
        bytes += line.length;
      });
      return `${count.toLocaleString('en-US')} comments, ${mebibytes(bytes)} of JSON Lines`;
    } finally {
      await db.destroy();
    }
  },
};

async function importOnce(file: string, dataDir: string): Promise<string> {
  const db = await openCommentsDatabase({ dataDir, databaseUrl: undefined });
  try {
    const result = await importComments(db, { siteId: 'bench-blog', file });
    return `${result.added.toLocaleString('en-US')} new, ${result.alreadyThere.toLocaleString('en-US')} already there`;
  } finally {
    await db.destroy();
  }
}

// In a step's process (see runStep), run the step, report, and leave.
const stepRequest = process.env[STEP_ENV];
if (stepRequest !== undefined && process.send !== undefined) {
  const { step, file, dataDir } = JSON.parse(stepRequest) as { step: Step; file: string; dataDir: string };
  runStepHere(step, file, dataDir).then(
    (result) => process.send!(result, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/** Writes the generated export as a stream; returns how many comments it holds. */
async function writeWxr(file: string): Promise<number> {
  const out = fs.createWriteStream(file);
  const write = (text: string) => (out.write(text) ? undefined : new Promise<void>((resolve) => out.once('drain', () => resolve())));
  await write('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n<title>Bench</title>\n');
  let id = 0;
  const start = Date.UTC(2015, 0, 1);
  for (let post = 1; post <= POSTS; post += 1) {
    let item = `<item><title>Post ${post}</title><content:encoded><![CDATA[<p>${'The post itself, not imported. '.repeat(40)}</p>]]></content:encoded><wp:post_id>${post}</wp:post_id><wp:post_name><![CDATA[post-${post}]]></wp:post_name><wp:post_type>post</wp:post_type>\n`;
    const first = id + 1;
    for (let index = 0; index < COMMENTS_PER_POST; index += 1) {
      id += 1;
      // A third are replies to an earlier comment of the same post.
      const parent = index > 0 && id % 3 === 0 ? first + ((id * 7919) % index) : 0;
      const approved = id % 50 === 0 ? 'spam' : id % 40 === 0 ? '0' : '1';
      const type = id % 97 === 0 ? 'pingback' : 'comment';
      const date = new Date(start + id * 60_000).toISOString().replace('T', ' ').slice(0, 19);
      const author = id % 5_000;
      item += `<wp:comment><wp:comment_id>${id}</wp:comment_id><wp:comment_author><![CDATA[Reader ${author} Ünïcode]]></wp:comment_author><wp:comment_author_email>reader${author}@mail.example</wp:comment_author_email><wp:comment_author_url>https://reader${author}.example</wp:comment_author_url><wp:comment_author_IP>192.0.2.${author % 250}</wp:comment_author_IP><wp:comment_date>${date}</wp:comment_date><wp:comment_date_gmt>${date}</wp:comment_date_gmt><wp:comment_content><![CDATA[Comment ${id}: ${'Thoughtful words about the post &amp; its <em>subject</em>, '.repeat(4)}see <a href="https://example.org/${id}">this</a>.\nA second line.]]></wp:comment_content><wp:comment_approved>${approved}</wp:comment_approved><wp:comment_type>${type}</wp:comment_type><wp:comment_parent>${parent}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>\n`;
    }
    await write(`${item}</item>\n`);
  }
  await write('</channel>\n</rss>\n');
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return id;
}
