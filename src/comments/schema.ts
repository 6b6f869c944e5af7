import type { Generated } from 'kysely';
import type { RateLimitsTable } from '../store/schema';

/**
 * The comment service's own database (comments.sqlite under the data directory): separate from
 * the gateway's so the two never contend for a lock. Times are epoch milliseconds. Kept
 * dialect-neutral so the same queries run on SQLite and, later, PostgreSQL.
 */
export interface CommentsSchema {
  comments: CommentsTable;
  bans: BansTable;
  idempotency_keys: IdempotencyKeysTable;
  rate_limits: RateLimitsTable;
  dpop_proofs: DpopProofsTable;
  moderation_actions: ModerationActionsTable;
  reply_notices: ReplyNoticesTable;
}

export interface CommentsTable {
  /** Insertion order: the API lists comments by it, so ties in created_at never reorder a thread. */
  seq: Generated<number>;
  /** The public id (random, URL-safe). */
  id: string;
  site_id: string;
  post_id: string;
  parent_id: string | null;
  /** The commenter's pairwise subject; with site_id it identifies the commenter. Never served. */
  author_sub: string;
  /** Copied from the token at posting time; erased when the comment is deleted. */
  author_name: string;
  author_picture: string | null;
  author_idp: string;
  /** The text as written (sanitised: see text.ts); erased when the comment is deleted. */
  body: string;
  created_at: number;
  /** Set by `parley comments hide`; cleared by unhide. */
  hidden_at: number | null;
  /** Set by `parley comments delete`; final. */
  deleted_at: number | null;
  /** Set when the site pre-moderates (sites file `moderation: "pre"`); cleared by approval. */
  pending_at: number | null;
  /** When its author last edited the text (own-comments.ts); null when never. */
  edited_at: number | null;
  /** A guest's website (an http(s) URL), shown as a link; null for everyone else. */
  author_website: string | null;
  /** SHA-256 of a guest's site and normalised email address; never served (guest-comments.ts). */
  author_email_hash: string | null;
  /** 1 when the token named the commenter one of the site's authors ("bypostauthor"), else 0. */
  by_author: Generated<number>;
  /** 1 when its author ticked "Notify me of replies by email" (reply-notices.ts), else 0. */
  notify_replies: Generated<number>;
  /** The blog page it was posted from (an origin of its site), for links to it; null when unknown. */
  page_url: string | null;
}

/** A commenter who may no longer post on a site. */
export interface BansTable {
  site_id: string;
  sub: string;
  created_at: number;
}

/** The first answer to a POST that carried an Idempotency-Key, replayed to its retries. */
export interface IdempotencyKeysTable {
  site_id: string;
  sub: string;
  key: string;
  /** SHA-256 of what was asked (post, body, parentId): the same key for another request is refused. */
  request_hash: string;
  status: number;
  /** The JSON response body as first sent. */
  response: string;
  created_at: number;
}

/**
 * DPoP proofs already used (dpop-replay-store.ts): shared by every instance, so a proof used at
 * one cannot be replayed to another. Rows are useless once expired and swept.
 */
export interface DpopProofsTable {
  /** The token's key thumbprint (cnf.jkt) and the proof's jti. */
  key: string;
  /** Until when the proof's iat would be accepted, epoch milliseconds. */
  expires_at: number;
}

/** Every action taken on the moderation page: who, what, on what, when (moderation-page/audit-log.ts). */
export interface ModerationActionsTable {
  seq: Generated<number>;
  site_id: string;
  /** The moderator's pairwise subject and name as their token said when they acted. */
  moderator_sub: string;
  moderator_name: string;
  /** hide, unhide, delete, approve, ban, unban. */
  action: string;
  /** A comment id, or for ban and unban the commenter's subject. */
  target: string;
  created_at: number;
}

/**
 * The outbox of reply notifications (backchannel/reply-notices.ts): one row per reply that
 * became visible under a comment whose author asked to hear about replies; the gateway reads them
 * in `seq` order over the back-channel and mails the author.
 */
export interface ReplyNoticesTable {
  seq: Generated<number>;
  site_id: string;
  /** The replied-to comment's author. */
  recipient_sub: string;
  parent_id: string;
  /** Unique: a reply is announced once, however often it is approved or edited. */
  reply_id: string;
  created_at: number;
}
