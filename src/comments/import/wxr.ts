import { POST_ID_PATTERN } from '../validation';
import { decodeEntities } from './html-text';
import { childText, type SourceRecord, type SourceState } from './source-records';
import type { RecordSelection, XmlElement } from './xml-reader';

/**
 * WordPress's export (WXR, "WordPress eXtended RSS", what Tools → Export writes on WordPress.com
 * and self-hosted WordPress): `<rss><channel>` holding one `<item>` per post, page or attachment,
 * each with its `<wp:comment>`s:
 *
 *   <item>
 *     <link>https://blog.example/2019/03/hello-world/</link>
 *     <wp:post_id>12</wp:post_id>
 *     <wp:post_name><![CDATA[hello-world]]></wp:post_name>
 *     <wp:comment>
 *       <wp:comment_id>7</wp:comment_id>
 *       <wp:comment_author><![CDATA[Zoë]]></wp:comment_author>
 *       <wp:comment_author_email>…</wp:comment_author_email>
 *       <wp:comment_date_gmt>2019-03-04 12:00:00</wp:comment_date_gmt>
 *       <wp:comment_content><![CDATA[Nice <em>post</em>]]></wp:comment_content>
 *       <wp:comment_approved>1</wp:comment_approved>   (1, 0 pending, spam, trash, post-trashed)
 *       <wp:comment_type>comment</wp:comment_type>      ('' or comment; pingback, trackback…)
 *       <wp:comment_parent>0</wp:comment_parent>        (0: top level)
 *       <wp:comment_user_id>0</wp:comment_user_id>
 *     </wp:comment>
 *
 * The post id is the post's slug (`wp:post_name`), the last part of its permalink in WordPress's
 * usual URL settings: what a theme would put in `data-parley-post`. Names are matched with the
 * `wp:` prefix WordPress always writes.
 */

export const WXR_ROOT = 'rss';

export const WXR_RECORDS: RecordSelection = {
  isRecord: (path, name) => name === 'item' && path.length === 2 && path[1] === 'channel',
  // The post's own text and excerpt can be long and are not imported.
  dropText: new Set(['content:encoded', 'excerpt:encoded', 'description']),
};

/** WordPress's `comment_type`s that are readers' comments; pingbacks and trackbacks are not. */
const COMMENT_TYPES = new Set(['', 'comment']);
const LINKBACK_TYPES = new Set(['pingback', 'trackback']);
/** `comment_date_gmt` as WordPress writes it: "2019-03-04 12:00:00". */
const WP_DATE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
/** What WordPress writes for a date it never set (drafts, some old imports). */
const ZERO_DATE = '0000-00-00 00:00:00';

export function* mapWxrRecord(item: XmlElement): Generator<SourceRecord> {
  const comments = item.children.filter((child) => child.name === 'wp:comment');
  if (comments.length === 0) return;
  const postKey = childText(item, 'wp:post_id');
  if (postKey === '') {
    yield { kind: 'problem', line: item.line, message: 'an <item> with comments has no <wp:post_id>' };
    return;
  }
  yield { kind: 'thread', key: postKey, postId: postIdOf(item), line: item.line };
  for (const comment of comments) yield mapComment(comment, postKey);
}

function postIdOf(item: XmlElement): { ok: true; value: string } | { ok: false; problem: string } {
  const slug = childText(item, 'wp:post_name');
  if (slug === '') return { ok: false, problem: `post ${childText(item, 'wp:post_id')} has no slug (<wp:post_name>), so no post id to import its comments to` };
  if (!POST_ID_PATTERN.test(slug)) {
    return { ok: false, problem: `the slug ${JSON.stringify(slug.slice(0, 80))} is not a post id Parley accepts (letters, digits, . _ ~ -, at most 200)` };
  }
  return { ok: true, value: slug };
}

function mapComment(comment: XmlElement, threadKey: string): SourceRecord {
  const sourceId = childText(comment, 'wp:comment_id');
  if (sourceId === '') return { kind: 'problem', line: comment.line, message: 'a <wp:comment> has no <wp:comment_id>' };
  const state = stateOf(childText(comment, 'wp:comment_approved'), childText(comment, 'wp:comment_type'));
  if (state === undefined) {
    return { kind: 'problem', line: comment.line, message: `comment ${sourceId}: unknown <wp:comment_approved> ${JSON.stringify(childText(comment, 'wp:comment_approved').slice(0, 40))}` };
  }
  const parent = childText(comment, 'wp:comment_parent');
  const userId = childText(comment, 'wp:comment_user_id');
  const email = childText(comment, 'wp:comment_author_email').toLowerCase();
  // WordPress stores names HTML-escaped (its _wp_specialchars filter): "O&#039;Neil &amp; Co".
  const name = decodeEntities(childText(comment, 'wp:comment_author'));
  const content = comment.children.find((child) => child.name === 'wp:comment_content');
  return {
    kind: 'comment',
    sourceId,
    threadKey,
    parentSourceId: parent === '' || parent === '0' ? null : parent,
    authorName: name,
    // A registered user is the same person under any name; otherwise their address, else their name.
    authorKey: userId !== '' && userId !== '0' ? `user:${userId}` : email !== '' ? `email:${email}` : `name:${name}`,
    createdAt: dateOf(comment),
    html: content?.text ?? '',
    oversized: content?.oversized ?? false,
    state,
    line: comment.line,
  };
}

function stateOf(approved: string, type: string): SourceState | undefined {
  if (LINKBACK_TYPES.has(type)) return 'pingback';
  if (!COMMENT_TYPES.has(type)) return 'other-type';
  switch (approved) {
    case '1':
    case 'approve':
      return 'approved';
    case '0':
    case 'hold':
      return 'pending';
    case 'spam':
      return 'spam';
    case 'trash':
    case 'post-trashed':
      return 'trash';
    default:
      return undefined;
  }
}

/** The GMT date; a never-set one falls back to the local date, read as UTC (hours off at worst). */
function dateOf(comment: XmlElement): number | undefined {
  const gmt = childText(comment, 'wp:comment_date_gmt');
  return parseWpDate(gmt !== '' && gmt !== ZERO_DATE ? gmt : childText(comment, 'wp:comment_date'));
}

function parseWpDate(value: string): number | undefined {
  const match = WP_DATE.exec(value);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 2019-02-31 over to March: a date that does not exist is not read.
  return new Date(ms).getUTCDate() === day && year > 0 ? ms : undefined;
}
