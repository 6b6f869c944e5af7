import { correctClockFrom, createDpopProof } from './dpop-proof';
import type { ProofKey } from './proof-key';
import type { IdentityProvider } from './token';

/** A comment as the Comment API returns it (DESIGN.md, Comment API). */
export interface Comment {
  readonly id: string;
  readonly parentId: string | null;
  readonly author: {
    readonly name: string;
    readonly picture: string | undefined;
    readonly idp: IdentityProvider | undefined;
    /** Posted as a guest (no sign-in), with `website` when they gave one (an http(s) URL). */
    readonly guest?: true;
    readonly website?: string;
  };
  readonly body: string;
  readonly createdAt: string;
  /** A moderated comment kept as a placeholder because replies hang under it. */
  readonly removed?: 'hidden' | 'deleted' | undefined;
  /** Held for a moderator's approval (a pre-moderated site): shown only to its author. */
  readonly pending?: boolean;
  /** Written by one of the blog's authors (the sites file's `authors`). */
  readonly byAuthor?: boolean;
  /** Who wrote it, as the service keys commenters per site (own-comments.ts): the reader's own when equal to theirs. */
  readonly authorKey?: string;
  /** When its author last edited it (ISO 8601). */
  readonly editedAt?: string;
}

/** A signed-in commenter's new comment or reply. */
export interface NewComment {
  readonly body: string;
  readonly parentId: string | null;
  readonly notifyReplies: boolean;
  /** The blog page without its fragment; undefined when it is not an http(s) page. */
  readonly pageUrl: string | undefined;
}

/** What a guest types instead of signing in; `website` may be "". */
export interface GuestDetails {
  readonly name: string;
  readonly email: string;
  readonly website: string;
}

/**
 * What a request is sent with: the access token and, for a token bound to a key (`cnf.jkt`), that
 * key, to sign a DPoP proof for each request (RFC 9449 §7). Without a key, a Bearer token.
 */
export interface Credential {
  readonly accessToken: string;
  readonly proofKey: ProofKey | undefined;
}

/**
 * What went wrong, in the categories the commenter is told about. `dpop_required`: the site
 * accepts only DPoP-bound tokens and this browser could only get a Bearer one.
 */
export type ApiErrorKind = 'unauthorized' | 'dpop_required' | 'forbidden' | 'invalid' | 'too_large' | 'rate_limited' | 'server' | 'offline';

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    readonly status: number,
    /** The service's own `message`, when it sent one. */
    readonly detail: string | undefined,
    readonly retryAfterSeconds?: number,
    /** The service's `error` code, when it sent one (a guest's form points at the field it names). */
    readonly code?: string,
  ) {
    super(`${kind} (${status})${detail ? `: ${detail}` : ''}`);
  }
}

const MAX_DETAIL_LENGTH = 200;

function kindOf(status: number): ApiErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 413) return 'too_large';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  return 'invalid';
}

/** Retry-After is delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** A 401 whose challenges name only DPoP (RFC 9449 §7.1): a Bearer token is not taken here. */
function requiresDpop(response: Response): boolean {
  const challenge = response.headers.get('www-authenticate') ?? '';
  return response.status === 401 && /(^|,)\s*DPoP\b/i.test(challenge) && !/(^|,)\s*Bearer\b/i.test(challenge);
}

/**
 * A 401 that refuses the proof rather than the token (RFC 9449 §7.1 `invalid_dpop_proof`, §8
 * `use_dpop_nonce`): a fresh proof may pass where the token would not.
 */
function refusesProof(response: Response): boolean {
  return response.status === 401 && /\berror="?(invalid_dpop_proof|use_dpop_nonce)\b/.test(response.headers.get('www-authenticate') ?? '');
}

async function failure(response: Response, sentBearer = false): Promise<ApiError> {
  if (sentBearer && requiresDpop(response)) return new ApiError('dpop_required', response.status, undefined);
  let detail: string | undefined;
  let code: string | undefined;
  try {
    const body = (await response.json()) as { message?: unknown; error?: unknown };
    if (typeof body.message === 'string' && body.message.trim() !== '') detail = body.message.trim().slice(0, MAX_DETAIL_LENGTH);
    if (typeof body.error === 'string') code = body.error.slice(0, MAX_DETAIL_LENGTH);
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  return new ApiError(kindOf(response.status), response.status, detail, parseRetryAfter(response.headers.get('retry-after'), Date.now()), code);
}

/** A guest's website, only as an http(s) URL: anything else (`javascript:`...) is never made a link. */
function websiteOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** Accepts a comment only in the documented shape; anything else is dropped, never shown raw. */
export function toComment(value: unknown): Comment | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const raw = value as Record<string, unknown>;
  const author = (typeof raw['author'] === 'object' && raw['author'] !== null ? raw['author'] : {}) as Record<string, unknown>;
  const id = text(raw['id']);
  const body = text(raw['body']);
  if (id === undefined || body === undefined) return undefined;
  const removed = raw['state'] === 'hidden' || raw['state'] === 'deleted' ? raw['state'] : undefined;
  const picture = typeof author['picture'] === 'string' && author['picture'].startsWith('https://') ? author['picture'] : undefined;
  const idp = author['idp'];
  const website = idp === 'guest' ? websiteOf(author['website']) : undefined;
  return {
    id,
    parentId: text(raw['parentId']) ?? null,
    author: {
      name: text(author['name'])?.trim() || 'Anonymous',
      picture,
      idp: idp === 'email' || idp === 'twitter' || idp === 'facebook' ? idp : undefined,
      ...(idp === 'guest' ? { guest: true as const } : {}),
      ...(website !== undefined ? { website } : {}),
    },
    body: removed ? '' : body,
    createdAt: text(raw['createdAt']) ?? '',
    removed,
    ...(raw['state'] === 'pending' ? { pending: true } : {}),
    ...(raw['byAuthor'] === true ? { byAuthor: true } : {}),
    ...(typeof raw['authorKey'] === 'string' && AUTHOR_KEY_PATTERN.test(raw['authorKey']) ? { authorKey: raw['authorKey'] } : {}),
    ...(typeof raw['editedAt'] === 'string' && !removed ? { editedAt: raw['editedAt'] } : {}),
  };
}

/** What the service sends as `authorKey`; anything else is ignored. */
const AUTHOR_KEY_PATTERN = /^[A-Za-z0-9_-]{16}$/;

/** The Comment API of one post. */
export class CommentsApi {
  private readonly url: string;

  constructor(commentsUrl: string, siteId: string, postId: string) {
    this.url = `${commentsUrl}/api/sites/${encodeURIComponent(siteId)}/posts/${encodeURIComponent(postId)}/comments`;
  }

  /**
   * The thread. With the reader's credential it also holds the reader's own comments still
   * awaiting approval (such an answer is not cached by the service, so the widget sends it only
   * when it knows the reader has one: see Widget.load).
   */
  async list(credential?: Credential): Promise<Comment[]> {
    return (await this.thread(credential)).comments;
  }

  /** The thread, and whether the site takes guest comments (the answer's `guests: true`). */
  async thread(credential?: Credential): Promise<{ comments: Comment[]; guests: boolean }> {
    const headers = { accept: 'application/json', ...(credential ? await authorization(credential, 'GET', this.url, undefined) : {}) };
    const response = await this.send(this.url, { headers });
    const body = (await response.json()) as { comments?: unknown; guests?: unknown };
    if (!Array.isArray(body.comments)) throw new ApiError('server', response.status, 'unexpected answer');
    return { comments: body.comments.map(toComment).filter((comment): comment is Comment => comment !== undefined), guests: body.guests === true };
  }

  /**
   * Posts a guest's comment: no token, the guest's details in the body. It is always held for a
   * moderator, and the same Idempotency-Key retries as `create`.
   */
  async createAsGuest(input: { body: string; parentId: string | null }, guest: GuestDetails, idempotencyKey: string): Promise<Comment> {
    const details = { name: guest.name, email: guest.email, ...(guest.website !== '' ? { website: guest.website } : {}) };
    const payload = JSON.stringify({ body: input.body, ...(input.parentId === null ? {} : { parentId: input.parentId }), guest: details });
    const response = await this.fetch(this.url, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: payload,
    });
    if (!response.ok) throw await failure(response);
    return commentIn(response);
  }

  /**
   * Posts a comment. The Idempotency-Key lets the service recognise a retry of the same draft
   * (after a timeout or a lost answer) instead of posting it twice. `notifyReplies` is the
   * reader's "Notify me of replies by email"; `pageUrl` the page it is posted from, which reply
   * emails link to (comment-links.ts): the service keeps it only on one of the site's origins.
   */
  async create(credential: Credential, input: NewComment, idempotencyKey: string): Promise<Comment> {
    const payload = JSON.stringify({
      body: input.body,
      ...(input.parentId === null ? {} : { parentId: input.parentId }),
      notifyReplies: input.notifyReplies,
      ...(input.pageUrl === undefined ? {} : { pageUrl: input.pageUrl }),
    });
    return commentIn(await this.write(credential, 'POST', this.url, { body: payload, idempotencyKey }));
  }

  /** Changes the text of the reader's own comment (within 15 minutes of posting); the same retries as `create`. */
  async edit(credential: Credential, commentId: string, body: string, idempotencyKey: string): Promise<Comment> {
    return commentIn(await this.write(credential, 'PATCH', this.commentUrl(commentId), { body: JSON.stringify({ body }), idempotencyKey }));
  }

  /** Deletes the reader's own comment; deleting one already deleted succeeds too. */
  async remove(credential: Credential, commentId: string): Promise<void> {
    await this.write(credential, 'DELETE', this.commentUrl(commentId), undefined);
  }

  private commentUrl(commentId: string): string {
    return `${this.url}/${encodeURIComponent(commentId)}`;
  }

  /**
   * Sends a write with the credential. A bound token goes with a fresh DPoP proof for this
   * method and URL; a proof refused as such (most likely this computer's clock is off) is made
   * again once, with the clock set by the service's `Date`.
   */
  private async write(credential: Credential, method: 'POST' | 'PATCH' | 'DELETE', url: string, content: { body: string; idempotencyKey: string } | undefined): Promise<Response> {
    const attempt = async (nonce: string | undefined) => {
      const headers: Record<string, string> = {
        accept: 'application/json',
        ...(content ? { 'content-type': 'application/json', 'idempotency-key': content.idempotencyKey } : {}),
        ...(await authorization(credential, method, url, nonce)),
      };
      return this.fetch(url, { method, headers, ...(content ? { body: content.body } : {}) });
    };
    let response = await attempt(undefined);
    if (credential.proofKey && refusesProof(response)) {
      correctClockFrom(response.headers.get('date'));
      response = await attempt(response.headers.get('dpop-nonce') ?? undefined);
    }
    if (!response.ok) throw await failure(response, credential.proofKey === undefined);
    return response;
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const response = await this.fetch(url, init);
    if (!response.ok) throw await failure(response);
    return response;
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, credentials: 'omit', cache: 'no-store' });
    } catch {
      throw new ApiError('offline', 0, undefined);
    }
  }
}

/** The `{ comment }` of a 200 or 201. */
async function commentIn(response: Response): Promise<Comment> {
  const comment = toComment(((await response.json()) as { comment?: unknown }).comment);
  if (!comment) throw new ApiError('server', response.status, 'unexpected answer');
  return comment;
}

/** The Authorization header, and for a bound token a new proof for this one request. */
async function authorization(credential: Credential, method: string, url: string, nonce: string | undefined): Promise<Record<string, string>> {
  const accessToken = credential.accessToken;
  if (!credential.proofKey) return { authorization: `Bearer ${accessToken}` };
  return { authorization: `DPoP ${accessToken}`, dpop: await createDpopProof(credential.proofKey, { method, url, accessToken, nonce }) };
}
