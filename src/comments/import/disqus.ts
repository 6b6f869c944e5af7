import { POST_ID_PATTERN } from '../validation';
import { childText, type SourceRecord, type SourceState } from './source-records';
import type { RecordSelection, XmlElement } from './xml-reader';

/**
 * Disqus's XML export (Admin → Moderation → Export): under `<disqus>`, every `<thread>` (a page
 * that had comments), then every `<post>` (a comment), not grouped by thread:
 *
 *   <thread dsq:id="5001">
 *     <id>hello-world</id>                        the identifier the blog gave the embed; may be empty
 *     <link>https://blog.example/hello-world/</link>
 *   </thread>
 *   <post dsq:id="9001">
 *     <message><![CDATA[<p>Nice post</p>]]></message>
 *     <createdAt>2019-03-04T12:00:00Z</createdAt>
 *     <isDeleted>false</isDeleted> <isSpam>false</isSpam>
 *     <author><name>Zoë</name><email>…</email><username>zoe</username><isAnonymous>false</isAnonymous></author>
 *     <thread dsq:id="5001"/>
 *     <parent dsq:id="9000"/>                     only on replies
 *   </post>
 *
 * The post id is the thread's `<id>` when it is one Parley accepts (the blog chose it, as it
 * chooses `data-parley-post`), else the last segment of the thread's `<link>` path (the slug).
 */

export const DISQUS_ROOT = 'disqus';

export const DISQUS_RECORDS: RecordSelection = {
  isRecord: (path, name) => path.length === 1 && (name === 'thread' || name === 'post'),
};

const DSQ_ID = 'dsq:id';

export function* mapDisqusRecord(element: XmlElement): Generator<SourceRecord> {
  const key = element.attributes[DSQ_ID] ?? '';
  if (key === '') {
    yield { kind: 'problem', line: element.line, message: `a <${element.name}> has no dsq:id` };
    return;
  }
  if (element.name === 'thread') {
    yield { kind: 'thread', key, postId: postIdOf(element), line: element.line };
    return;
  }
  const thread = referenced(element, 'thread');
  if (thread === undefined) {
    yield { kind: 'problem', line: element.line, message: `post ${key} names no thread (<thread dsq:id>)` };
    return;
  }
  const author = element.children.find((child) => child.name === 'author');
  const name = author === undefined ? '' : childText(author, 'name');
  const username = author === undefined ? '' : childText(author, 'username');
  const email = author === undefined ? '' : childText(author, 'email').toLowerCase();
  const anonymous = author !== undefined && childText(author, 'isAnonymous') === 'true';
  const message = element.children.find((child) => child.name === 'message');
  const createdAt = Date.parse(childText(element, 'createdAt'));
  yield {
    kind: 'comment',
    sourceId: key,
    threadKey: thread,
    parentSourceId: referenced(element, 'parent') ?? null,
    authorName: name,
    // A Disqus account is the same person under any name; a guest is told by address, else name.
    authorKey: !anonymous && username !== '' ? `user:${username}` : email !== '' ? `email:${email}` : `name:${name}`,
    createdAt: Number.isNaN(createdAt) ? undefined : createdAt,
    html: message?.text ?? '',
    oversized: message?.oversized ?? false,
    state: stateOf(element),
    line: element.line,
  };
}

function referenced(element: XmlElement, name: string): string | undefined {
  const value = element.children.find((child) => child.name === name)?.attributes[DSQ_ID];
  return value === undefined || value === '' ? undefined : value;
}

function stateOf(post: XmlElement): SourceState {
  if (childText(post, 'isSpam') === 'true') return 'spam';
  if (childText(post, 'isDeleted') === 'true') return 'deleted';
  return 'approved';
}

function postIdOf(thread: XmlElement): { ok: true; value: string } | { ok: false; problem: string } {
  const identifier = childText(thread, 'id');
  if (POST_ID_PATTERN.test(identifier)) return { ok: true, value: identifier };
  const link = childText(thread, 'link');
  const slug = lastPathSegment(link);
  if (slug !== undefined && POST_ID_PATTERN.test(slug)) return { ok: true, value: slug };
  const shown = (value: string) => JSON.stringify(value.slice(0, 80));
  return {
    ok: false,
    problem: `thread ${thread.attributes[DSQ_ID]}: neither its <id> ${shown(identifier)} nor the end of its <link> ${shown(link)} is a post id Parley accepts (letters, digits, . _ ~ -, at most 200)`,
  };
}

function lastPathSegment(link: string): string | undefined {
  try {
    return new URL(link).pathname.split('/').filter((segment) => segment !== '').at(-1);
  } catch {
    return undefined;
  }
}
