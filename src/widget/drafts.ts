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
    };
  }

  /** Saves the draft; a changed text or reply target gets a new idempotency key. */
  update(previous: Draft, next: { body: string; parentId: string | null }): Draft {
    const changed = previous.body !== next.body || previous.parentId !== next.parentId;
    const draft: Draft = { ...next, idempotencyKey: changed ? randomToken(16) : previous.idempotencyKey };
    if (draft.body === '' && draft.parentId === null) tabStorage().remove(this.key);
    else writeJson(this.key, draft);
    return draft;
  }

  clear(): Draft {
    tabStorage().remove(this.key);
    return { body: '', parentId: null, idempotencyKey: randomToken(16) };
  }
}
