import { randomToken } from './pkce';
import { readJson, tabStorage, writeJson } from './storage';

/**
 * The comment being written, kept in the tab's sessionStorage so it survives a sign-in by
 * full-page redirect, a reload, and every failure to post.
 */
export interface Draft {
  readonly body: string;
  /** The comment it replies to, or null for a top-level comment. */
  readonly parentId: string | null;
  /**
   * Sent as Idempotency-Key: the same draft retried keeps its key so the comment service can
   * tell a retry from a new comment; any edit makes it a new draft with a new key.
   */
  readonly idempotencyKey: string;
  /**
   * What a POST of this draft carried besides its text, once one went out and its answer was
   * lost (the comment may be stored): retries under the same key repeat it, since the service
   * refuses a key reused for a different request (idempotency_key_reused).
   */
  readonly sent?: SentWith;
}

/** The settings a comment is posted with (api.ts, NewComment). */
export interface SentWith {
  readonly notifyReplies: boolean;
  readonly pageUrl: string | undefined;
}

export class DraftStore {
  private readonly key: string;

  constructor(siteId: string, postId: string) {
    this.key = `parley.draft:${siteId}:${postId}`;
  }

  load(): Draft {
    const stored = readJson<Partial<Draft>>(this.key);
    return {
      body: typeof stored?.body === 'string' ? stored.body : '',
      parentId: typeof stored?.parentId === 'string' ? stored.parentId : null,
      idempotencyKey: typeof stored?.idempotencyKey === 'string' ? stored.idempotencyKey : randomToken(16),
      ...(typeof stored?.idempotencyKey === 'string' && isSentWith(stored.sent) ? { sent: stored.sent } : {}),
    };
  }

  /** Saves the draft; a changed text or reply target gets a new idempotency key (and is sent as it is then). */
  update(previous: Draft, next: { body: string; parentId: string | null }): Draft {
    const changed = previous.body !== next.body || previous.parentId !== next.parentId;
    const draft: Draft = changed ? { ...next, idempotencyKey: randomToken(16) } : { ...previous, ...next };
    if (draft.body === '' && draft.parentId === null) tabStorage().remove(this.key);
    else writeJson(this.key, draft);
    return draft;
  }

  /** Records what a POST whose answer was lost carried, for its retries to repeat. */
  pin(draft: Draft, sent: SentWith): Draft {
    const pinned: Draft = { ...draft, sent };
    writeJson(this.key, pinned);
    return pinned;
  }

  clear(): Draft {
    tabStorage().remove(this.key);
    return { body: '', parentId: null, idempotencyKey: randomToken(16) };
  }
}

function isSentWith(value: unknown): value is SentWith {
  if (typeof value !== 'object' || value === null) return false;
  const sent = value as Record<string, unknown>;
  return typeof sent['notifyReplies'] === 'boolean' && (sent['pageUrl'] === undefined || typeof sent['pageUrl'] === 'string');
}
