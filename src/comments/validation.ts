import { CommentApiError, formatNumber } from './errors';
import { codePointLength, MAX_COMMENT_CODE_POINTS, sanitiseCommentText } from './text';

/**
 * Turns what a client sent into values the rest of the service can trust, or a CommentApiError
 * saying exactly what was wrong. Nothing here touches the database.
 *
 * - Post ids are opaque to us (the blog chooses them) but must be URL-safe and bounded.
 * - The POST body is a JSON object with `body` (string) and optionally `parentId` (string or
 *   null), `notifyReplies` (boolean: "Notify me of replies by email") and `pageUrl` (string: the
 *   blog page the widget runs on, for the link in a reply notification), the PATCH body (an edit)
 *   `body` alone, and nothing else: an unknown field is more likely a client bug than something to
 *   ignore silently, and `__proto__`, `constructor` and `prototype` are refused by name.
 * - `pageUrl` is kept only when it is a page of the site (pageUrlOfSite); any other string is
 *   dropped rather than refused: a widget on a page the sites file does not list, or behind a
 *   very long address, is no fault of the commenter's.
 */

export const POST_ID_PATTERN = /^[A-Za-z0-9._~-]{1,200}$/;
/** Comment ids are ours (see storage.ts); anything else cannot name one. */
export const COMMENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Visible ASCII, like Stripe's and the IETF draft's keys; long enough for a UUID or a hash. */
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7E]{1,255}$/;

const ALLOWED_FIELDS: ReadonlySet<string> = new Set(['body', 'parentId', 'notifyReplies', 'pageUrl']);
/** Longest `pageUrl` kept; a longer one is dropped (browsers allow far more, links in mail should not). */
export const MAX_PAGE_URL_LENGTH = 2048;
/** An edit changes the text only: a comment never moves to another parent. */
const EDIT_FIELDS: ReadonlySet<string> = new Set(['body']);
const FORBIDDEN_FIELDS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
/** How much of a client-chosen field name goes back into a message. */
const MAX_ECHOED_FIELD_LENGTH = 40;

export interface NewComment {
  /** Sanitised text, as it will be stored. */
  readonly text: string;
  readonly parentId: string | null;
  /** `body` exactly as sent: what an Idempotency-Key retry must repeat. */
  readonly rawBody: string;
  /** The commenter asked to hear about replies by email (ignored for guests). */
  readonly notifyReplies: boolean;
  /** `pageUrl` as sent when it is a string of at most MAX_PAGE_URL_LENGTH, else null; see pageUrlOfSite. */
  readonly pageUrl: string | null;
}

export function parsePostId(value: unknown): string {
  if (typeof value !== 'string' || !POST_ID_PATTERN.test(value)) throw new CommentApiError('invalid_post_id');
  return value;
}

/** A JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function quoteField(name: string): string {
  const shown = name.length > MAX_ECHOED_FIELD_LENGTH ? `${name.slice(0, MAX_ECHOED_FIELD_LENGTH)}…` : name;
  return JSON.stringify(shown);
}

export interface CommentEdit {
  /** Sanitised text, as it will be stored. */
  readonly text: string;
  /** `body` exactly as sent: what an Idempotency-Key retry must repeat. */
  readonly rawBody: string;
}

/** "a", "a and b", "a, b and c". */
function listOf(names: readonly string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}`;
}

/** Refuses what is not a plain object of known fields; the fields themselves are checked after. */
function checkFields(payload: unknown, allowed: ReadonlySet<string>): Record<string, unknown> {
  if (!isPlainObject(payload)) throw new CommentApiError('invalid_body');
  // JSON.parse makes "__proto__" an own property (it does not set the prototype), so keys show it.
  const fields = Object.keys(payload);
  const forbidden = fields.find((field) => FORBIDDEN_FIELDS.has(field));
  if (forbidden !== undefined) {
    throw new CommentApiError('forbidden_field', `The field ${quoteField(forbidden)} is not allowed.`);
  }
  const unknown = fields.find((field) => !allowed.has(field));
  if (unknown !== undefined) {
    throw new CommentApiError('unknown_field', `Unknown field ${quoteField(unknown)}; send only ${listOf([...allowed])}.`);
  }
  return payload;
}

/** `body` as sent: required, and a string. */
function requireRawBody(payload: Record<string, unknown>): string {
  const rawBody = payload.body;
  if (rawBody === undefined) throw new CommentApiError('missing_field', 'The field "body" is required.');
  if (typeof rawBody !== 'string') throw new CommentApiError('invalid_field_type', 'The field "body" must be a string.');
  return rawBody;
}

/** The text as stored: not empty once sanitised, and within the limit. */
function checkedText(rawBody: string): CommentEdit {
  const text = sanitiseCommentText(rawBody);
  if (text.length === 0) throw new CommentApiError('comment_empty', 'The comment is empty (after trimming spaces).');
  const length = codePointLength(text);
  if (length > MAX_COMMENT_CODE_POINTS) {
    throw new CommentApiError(
      'comment_too_long',
      `The comment has ${formatNumber(length)} characters; at most ${formatNumber(MAX_COMMENT_CODE_POINTS)} are allowed.`,
    );
  }
  return { text, rawBody };
}

/** Validates a parsed POST body. */
export function parseNewComment(payload: unknown): NewComment {
  const fields = checkFields(payload, ALLOWED_FIELDS);
  const rawBody = requireRawBody(fields);
  const rawParent = fields.parentId;
  if (rawParent !== undefined && rawParent !== null && typeof rawParent !== 'string') {
    throw new CommentApiError('invalid_field_type', 'The field "parentId" must be a string or null.');
  }
  const parentId = rawParent ?? null;
  if (parentId !== null && !COMMENT_ID_PATTERN.test(parentId)) {
    throw new CommentApiError('parent_not_found', 'parentId does not name any comment on this site.');
  }
  const notifyReplies = fields.notifyReplies === undefined ? false : fields.notifyReplies;
  if (typeof notifyReplies !== 'boolean') throw new CommentApiError('invalid_field_type', 'The field "notifyReplies" must be true or false.');
  const rawPageUrl = fields.pageUrl ?? null;
  if (rawPageUrl !== null && typeof rawPageUrl !== 'string') throw new CommentApiError('invalid_field_type', 'The field "pageUrl" must be a string or null.');
  const pageUrl = rawPageUrl !== null && rawPageUrl.length <= MAX_PAGE_URL_LENGTH ? rawPageUrl : null;
  return { ...checkedText(rawBody), parentId, notifyReplies, pageUrl };
}

/**
 * The page a comment was posted from, as stored: an http(s) URL on one of the site's origins,
 * without its fragment (the notification adds its own `#parley-comment-…`) and without
 * credentials; null for anything else.
 */
export function pageUrlOfSite(pageUrl: string | null, origins: readonly string[]): string | null {
  if (pageUrl === null) return null;
  let url: URL;
  try {
    url = new URL(pageUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username !== '' || url.password !== '' || !origins.includes(url.origin)) return null;
  url.hash = '';
  return url.href.length <= MAX_PAGE_URL_LENGTH ? url.href : null;
}

/** Validates a parsed PATCH body: `{ body }`, with the same rules as a new comment's text. */
export function parseCommentEdit(payload: unknown): CommentEdit {
  return checkedText(requireRawBody(checkFields(payload, EDIT_FIELDS)));
}

/** The Idempotency-Key header, if any (Node joins repeated headers with ", ", which fails here). */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!IDEMPOTENCY_KEY_PATTERN.test(header)) throw new CommentApiError('invalid_idempotency_key');
  return header;
}
