import type { Credential } from '../../../widget/api';
import { correctClockFrom, createDpopProof } from '../../../widget/dpop-proof';
import type { ModerationState } from '../../moderation';
import type { LoggedAction, ModeratedComment } from '../moderated-comment';

/**
 * The moderation API (../moderation-api.ts) as the page calls it: the moderator's token in
 * Authorization (with a fresh DPoP proof per request for a bound token, as the widget sends
 * comments), never a cookie.
 */

// The answers' shapes are the server's own (type-only imports: nothing of the server is bundled).
export type { LoggedAction, ModeratedComment } from '../moderated-comment';
export type State = ModerationState;
export type CommentAction = 'hide' | 'unhide' | 'delete' | 'approve';
export type CommenterAction = 'ban' | 'unban';

export interface Filters {
  readonly post?: string | undefined;
  readonly state?: State | undefined;
  readonly sub?: string | undefined;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** The cursor of the next (older) page, or null at the end. */
  readonly next: string | null;
}

/** The API said no; `status` 401 means the token is no good any more, 403 not a moderator here. */
export class ModerationApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A 401 that refuses the proof, not the token (RFC 9449 §7.1, §8): a fresh proof may pass. */
function refusesProof(response: Response): boolean {
  return response.status === 401 && /\berror="?(invalid_dpop_proof|use_dpop_nonce)\b/.test(response.headers.get('www-authenticate') ?? '');
}

export class ModerationClient {
  private readonly base: string;

  constructor(commentsUrl: string, siteId: string) {
    this.base = `${commentsUrl}/api/sites/${encodeURIComponent(siteId)}/moderation`;
  }

  me(credential: Credential): Promise<{ site: { id: string; name: string; moderation: string }; moderator: { sub: string; name: string } }> {
    return this.call(credential, 'GET', '/me');
  }

  async comments(credential: Credential, filters: Filters, before: string | null): Promise<Page<ModeratedComment>> {
    const query = new URLSearchParams();
    if (filters.post) query.set('post', filters.post);
    if (filters.state) query.set('state', filters.state);
    if (filters.sub) query.set('sub', filters.sub);
    if (before) query.set('before', before);
    const answer = await this.call<{ comments: ModeratedComment[]; next: string | null }>(credential, 'GET', `/comments?${query.toString()}`);
    return { items: answer.comments, next: answer.next };
  }

  async log(credential: Credential, before: string | null): Promise<Page<LoggedAction>> {
    const answer = await this.call<{ actions: LoggedAction[]; next: string | null }>(credential, 'GET', `/log${before ? `?before=${encodeURIComponent(before)}` : ''}`);
    return { items: answer.actions, next: answer.next };
  }

  async actOnComment(credential: Credential, id: string, action: CommentAction): Promise<ModeratedComment> {
    return (await this.call<{ comment: ModeratedComment }>(credential, 'POST', `/comments/${encodeURIComponent(id)}/${action}`)).comment;
  }

  async actOnCommenter(credential: Credential, sub: string, action: CommenterAction): Promise<void> {
    await this.call(credential, 'POST', `/commenters/${encodeURIComponent(sub)}/${action}`);
  }

  private async call<T>(credential: Credential, method: string, path: string): Promise<T> {
    const url = `${this.base}${path}`;
    const attempt = async (nonce: string | undefined) => {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (credential.proofKey) {
        headers['authorization'] = `DPoP ${credential.accessToken}`;
        headers['dpop'] = await createDpopProof(credential.proofKey, { method, url, accessToken: credential.accessToken, nonce });
      } else {
        headers['authorization'] = `Bearer ${credential.accessToken}`;
      }
      return fetch(url, { method, headers, credentials: 'omit', cache: 'no-store' });
    };
    let response = await attempt(undefined);
    if (credential.proofKey && refusesProof(response)) {
      correctClockFrom(response.headers.get('date'));
      response = await attempt(response.headers.get('dpop-nonce') ?? undefined);
    }
    const body = (await response.json().catch(() => ({}))) as { error?: unknown; message?: unknown };
    if (!response.ok) {
      throw new ModerationApiError(response.status, typeof body.error === 'string' ? body.error : 'error', typeof body.message === 'string' ? body.message : `The server answered ${response.status}.`);
    }
    return body as T;
  }
}
