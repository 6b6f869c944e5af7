import { createHash } from 'node:crypto';

/**
 * The back-channel between the gateway and a comment service (docs/backchannel.md).
 *
 * The gateway knows who a commenter is (their verified email address, every site's pairwise
 * `sub`); a comment service knows only (site, `sub`). Work that needs both crosses here, and
 * always in one direction of connection: **the gateway calls the comment service**, signing each
 * request with its token key, and the comment service checks the signature against the keys it
 * already trusts (the issuer's JWKS). No shared secret to configure, and a comment service never
 * has to reach, or be trusted by, the gateway:
 *
 * - reply notifications: the comment service keeps an outbox of "someone replied to (site, sub),
 *   who opted in"; the gateway polls it (`GET /backchannel/replies`), looks the subject up, and
 *   mails the address only it knows;
 * - a commenter's export and erasure: the gateway sends every site's `sub` of the account
 *   (`POST /backchannel/export`, `POST /backchannel/erase`).
 *
 * Each request carries `Authorization: Bearer <jwt>` with header `typ: backchannel+jwt` (so no
 * access token, ID token or revocation event can stand in for one) and claims `iss` (the issuer),
 * `aud` (the comment service's PARLEY_COMMENTS_URL), `iat`, `exp` (at most 60 s later), a `jti`
 * used once, `htm` (the method) and `htp` (the path under the service root) and `bh`, the
 * SHA-256 of the query string (GET) or body (POST): a captured request cannot be replayed, sent
 * elsewhere or altered.
 */
export const BACKCHANNEL_TOKEN_TYPE = 'backchannel+jwt';
/** A request token's lifetime; the comment service allows this much clock skew too. */
export const BACKCHANNEL_TOKEN_LIFETIME_SECONDS = 60;
/** Largest request or answer body either side reads. */
export const BACKCHANNEL_MAX_BODY_BYTES = 4 * 1024 * 1024;

export const BACKCHANNEL_PATHS = Object.freeze({
  replies: '/backchannel/replies',
  export: '/backchannel/export',
  erase: '/backchannel/erase',
});

/** The claims of a back-channel request token. */
export interface BackchannelClaims {
  readonly iss: string;
  readonly aud: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  /** HTTP method, upper case. */
  readonly htm: string;
  /** Path under the service's root, e.g. `/backchannel/replies`. */
  readonly htp: string;
  /** base64url SHA-256 of the raw query string (without `?`, GET) or raw body (POST). */
  readonly bh: string;
}

/** `bh`: what a request token says the query string or body was. */
export function contentDigest(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('base64url');
}

/** One commenter at one site: the only way a comment service knows anyone. */
export interface SiteSubject {
  readonly site: string;
  readonly sub: string;
}

/**
 * `GET /backchannel/replies?after=<cursor>`: replies that someone who asked to hear about them
 * should hear about, oldest first. Cursors are opaque strings; without `after`, from the start.
 */
export interface RepliesPage {
  readonly replies: readonly ReplyNotice[];
  /** Pass as `after` next time; the same as `after` when nothing is new. */
  readonly cursor: string;
  /** True when more replies wait beyond this page: ask again at once. */
  readonly moreAvailable: boolean;
}

/**
 * A reply to a comment whose author ticked "Notify me of replies by email". The comment service
 * writes one when a reply becomes visible (posted on an unmoderated site, or approved), never for
 * a reply to oneself, and leaves out, when read, replies or comments since hidden or deleted and
 * replies by commenters since banned.
 */
export interface ReplyNotice {
  /** Unique per comment service: the gateway keeps each once. */
  readonly id: string;
  /** Whom to tell: the replied-to comment's author. */
  readonly recipient: SiteSubject;
  readonly postId: string;
  /** The replied-to comment. */
  readonly parent: { readonly id: string; readonly createdAt: number; readonly excerpt: string };
  /** The reply, as the thread shows it. */
  readonly reply: { readonly id: string; readonly authorName: string; readonly body: string; readonly createdAt: number };
  /**
   * The blog page the thread is on, with `#parley-comment-<reply id>`: the page the replied-to
   * comment was posted from (checked against the site's origins when posted), or null when
   * unknown (comments imported or posted before pages were recorded).
   */
  readonly threadUrl: string | null;
}

/**
 * `POST /backchannel/export` body: every site's `sub` of one account, and for every page after
 * the first the `cursor` of the page before.
 */
export interface ExportRequest {
  readonly subjects: readonly SiteSubject[];
  readonly after?: string;
}

/**
 * Its answer, a page of everything this comment service holds about those subjects: by site,
 * then as written. While `moreAvailable`, ask again with `after: cursor` for the rest.
 */
export interface ExportAnswer {
  readonly comments: readonly ExportedComment[];
  readonly cursor: string | null;
  readonly moreAvailable: boolean;
}

/** The most comments' bytes the comment service puts in one export page, well under what the gateway reads. */
export const EXPORT_PAGE_MAX_BYTES = 1024 * 1024;

export interface ExportedComment {
  readonly site: string;
  readonly postId: string;
  readonly id: string;
  readonly parentId: string | null;
  readonly body: string;
  readonly createdAt: number;
  readonly editedAt: number | null;
  /** visible, pending (awaiting a moderator), hidden or deleted. */
  readonly state: 'visible' | 'pending' | 'hidden' | 'deleted';
  readonly authorName: string;
  /** Whether its author asked to hear about replies to it. */
  readonly notifyReplies: boolean;
  /** The blog page it was posted from, with its anchor; null when unknown. */
  readonly url: string | null;
}

/**
 * `POST /backchannel/erase` body: anonymise everything of these subjects. Idempotent: the gateway
 * retries until it gets a 200, and a second request finds nothing more to do.
 */
export interface EraseRequest {
  readonly subjects: readonly SiteSubject[];
}

export interface EraseAnswer {
  /** Comments changed by this request (0 on a repeat). */
  readonly anonymisedComments: number;
}

/**
 * The address of one comment: the blog page it was posted from and the anchor the widget gives
 * each comment (src/widget/comment-links.ts); null when the page is unknown.
 */
export function commentUrl(pageUrl: string | null, commentId: string): string | null {
  return pageUrl === null ? null : `${pageUrl}#parley-comment-${commentId}`;
}

/** The name an erased commenter's comments show. */
export const FORMER_COMMENTER_NAME = 'a former commenter';
