import type { IdentityProvider } from './token';

/** A comment as the Comment API returns it (DESIGN.md, Comment API). */
export interface Comment {
  readonly id: string;
  readonly parentId: string | null;
  readonly author: { readonly name: string; readonly picture: string | undefined; readonly idp: IdentityProvider | undefined };
  readonly body: string;
  readonly createdAt: string;
  /** A moderated comment kept as a placeholder because replies hang under it. */
  readonly removed?: 'hidden' | 'deleted' | undefined;
}

/** What went wrong, in the categories the commenter is told about. */
export type ApiErrorKind = 'unauthorized' | 'forbidden' | 'invalid' | 'too_large' | 'rate_limited' | 'server' | 'offline';

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    readonly status: number,
    /** The service's own `message`, when it sent one. */
    readonly detail: string | undefined,
    readonly retryAfterSeconds?: number,
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

async function failure(response: Response): Promise<ApiError> {
  let detail: string | undefined;
  try {
    const body = (await response.json()) as { message?: unknown };
    if (typeof body.message === 'string' && body.message.trim() !== '') detail = body.message.trim().slice(0, MAX_DETAIL_LENGTH);
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  return new ApiError(kindOf(response.status), response.status, detail, parseRetryAfter(response.headers.get('retry-after'), Date.now()));
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
  return {
    id,
    parentId: text(raw['parentId']) ?? null,
    author: {
      name: text(author['name'])?.trim() || 'Anonymous',
      picture,
      idp: idp === 'email' || idp === 'twitter' || idp === 'facebook' ? idp : undefined,
    },
    body: removed ? '' : body,
    createdAt: text(raw['createdAt']) ?? '',
    removed,
  };
}

/** The Comment API of one post. */
export class CommentsApi {
  private readonly url: string;

  constructor(commentsUrl: string, siteId: string, postId: string) {
    this.url = `${commentsUrl}/api/sites/${encodeURIComponent(siteId)}/posts/${encodeURIComponent(postId)}/comments`;
  }

  async list(): Promise<Comment[]> {
    const response = await this.send(this.url, { headers: { accept: 'application/json' } });
    const body = (await response.json()) as { comments?: unknown };
    if (!Array.isArray(body.comments)) throw new ApiError('server', response.status, 'unexpected answer');
    return body.comments.map(toComment).filter((comment): comment is Comment => comment !== undefined);
  }

  /**
   * Posts a comment. The Idempotency-Key lets the service recognise a retry of the same draft
   * (after a timeout or a lost answer) instead of posting it twice.
   */
  async create(accessToken: string, input: { body: string; parentId: string | null }, idempotencyKey: string): Promise<Comment> {
    const response = await this.send(this.url, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        authorization: `Bearer ${accessToken}`,
        'idempotency-key': idempotencyKey,
      },
      body: JSON.stringify(input.parentId === null ? { body: input.body } : { body: input.body, parentId: input.parentId }),
    });
    const comment = toComment(((await response.json()) as { comment?: unknown }).comment);
    if (!comment) throw new ApiError('server', response.status, 'unexpected answer');
    return comment;
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, credentials: 'omit', cache: 'no-store' });
    } catch {
      throw new ApiError('offline', 0, undefined);
    }
    if (!response.ok) throw await failure(response);
    return response;
  }
}
