import { parseEmailAddress } from '../mail/address';
import { CommentApiError } from './errors';
import { codePointLength } from './text';
import { isPlainObject, parseNewComment, type NewComment } from './validation';

/**
 * A guest's POST body (guest-comments.ts): the signed-in `{ body, parentId? }`, checked by the
 * very same rules, plus `guest: { name, email, website? }`. Each guest field is refused with its
 * own 422 code, so the widget can put the message beside the right box:
 *
 * - `name`: 1–80 characters after trimming, no control characters at all (CR/LF, tab, NUL, C1)
 *   nor the invisible ones that reorder or split a line (bidi overrides, line separators): a name
 *   sits in one line of other people's pages, logs and emails.
 * - `email`: one plain address, as the email sign-in accepts it (at most 254 characters).
 * - `website`: absent, null or "" for none; else an absolute http or https URL of at most 200
 *   characters, without credentials or spaces. `javascript:`, `data:` and every other scheme are
 *   refused, not rewritten: the API never stores a link it would not serve.
 */

export const MAX_GUEST_NAME_CODE_POINTS = 80;
export const MAX_GUEST_WEBSITE_LENGTH = 200;
const MAX_GUEST_EMAIL_LENGTH = 254;
const GUEST_FIELDS: ReadonlySet<string> = new Set(['name', 'email', 'website']);
/** C0, DEL, C1, bidi embeddings/overrides/isolates, line and paragraph separators, BOM. */
const INVISIBLE_CONTROL = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069\uFEFF]/;
/** The URL parser silently drops tabs and newlines and trims spaces; we refuse them instead. */
const URL_FORBIDDEN = /[\u0000-\u0020\u007F-\u009F\u00A0\u2028\u2029]/;

export interface GuestDetails {
  readonly name: string;
  /** The normalised address (lowercase domain, ASCII form); never stored as it is. */
  readonly email: string;
  /** A normalised http(s) URL, or null. */
  readonly website: string | null;
}

export interface GuestComment {
  readonly comment: NewComment;
  readonly guest: GuestDetails;
}

function parseName(value: unknown): string {
  if (typeof value !== 'string') throw new CommentApiError('invalid_guest_name', 'Enter your name.');
  if (INVISIBLE_CONTROL.test(value)) throw new CommentApiError('invalid_guest_name', 'Your name cannot contain line breaks or invisible control characters.');
  const name = value.normalize('NFC').trim();
  if (name.length === 0) throw new CommentApiError('invalid_guest_name', 'Enter your name.');
  if (codePointLength(name) > MAX_GUEST_NAME_CODE_POINTS) {
    throw new CommentApiError('invalid_guest_name', `Your name can be at most ${MAX_GUEST_NAME_CODE_POINTS} characters.`);
  }
  return name;
}

function parseEmail(value: unknown): string {
  if (typeof value === 'string' && value.length > MAX_GUEST_EMAIL_LENGTH) throw new CommentApiError('invalid_guest_email', 'That address is too long.');
  const parsed = parseEmailAddress(value);
  if (!parsed.ok) throw new CommentApiError('invalid_guest_email', parsed.reason);
  return parsed.address;
}

function parseWebsite(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  const refuse = (message: string): never => {
    throw new CommentApiError('invalid_guest_website', message);
  };
  if (typeof value !== 'string') return refuse('The website must be a web address, like https://example.com.');
  if (value.length > MAX_GUEST_WEBSITE_LENGTH) return refuse(`The website address can be at most ${MAX_GUEST_WEBSITE_LENGTH} characters.`);
  if (URL_FORBIDDEN.test(value)) return refuse('The website address cannot contain spaces, line breaks or control characters.');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refuse('The website must be a full web address, like https://example.com.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return refuse('The website must start with https:// or http://.');
  if (url.username !== '' || url.password !== '') return refuse('The website address cannot contain a user name or password.');
  if (url.href.length > MAX_GUEST_WEBSITE_LENGTH) return refuse(`The website address can be at most ${MAX_GUEST_WEBSITE_LENGTH} characters.`);
  return url.href;
}

/** Validates a guest's parsed POST body; the caller knows it has a `guest` field. */
export function parseGuestComment(payload: Record<string, unknown>): GuestComment {
  const { guest, ...rest } = payload;
  // The comment's own fields go through the signed-in rules (which also refuse `__proto__`...).
  const comment = parseNewComment(rest);
  if (!isPlainObject(guest)) throw new CommentApiError('invalid_field_type', 'The field "guest" must be an object { name, email, website? }.');
  const unknown = Object.keys(guest).find((field) => !GUEST_FIELDS.has(field));
  if (unknown !== undefined) {
    throw new CommentApiError('unknown_field', `Unknown field ${JSON.stringify(unknown.slice(0, 40))} in "guest"; send only name, email and website.`);
  }
  return { comment, guest: { name: parseName(guest.name), email: parseEmail(guest.email), website: parseWebsite(guest.website) } };
}
