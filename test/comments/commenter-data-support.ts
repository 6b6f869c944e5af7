import { BackchannelClient, BackchannelError } from '../../src/backchannel/gateway-client';
import { BACKCHANNEL_PATHS, type EraseAnswer, type ExportAnswer, type ExportedComment, type SiteSubject } from '../../src/backchannel/protocol';
import { openCommentsDatabase, type CommentsDb } from '../../src/comments/database';
import { loadKeyRing } from '../../src/tokens/keys';
import { COMMENTS_URL } from '../helpers/gateway';
import { moderationCall, startModerationTestbed, type ModeratedTestSite, type ModerationTestbed } from './moderation-support';
import { postComment } from './support';

/**
 * A commenter's export and erasure at the comment service (src/comments/backchannel/
 * commenter-data.ts), driven as the gateway drives it: requests signed by the real gateway's
 * current key with the real BackchannelClient, to a real comment service on loopback.
 */

/** keep-blog keeps an erased commenter's text (the default); remove-blog removes it and pre-moderates. */
export const ERASURE_SITES: (ModeratedTestSite & { erasure?: string })[] = [
  { id: 'keep-blog', name: 'Keep Blog', origins: ['http://localhost:4200'], moderators: ['mod@example.com'] },
  { id: 'remove-blog', name: 'Remove Blog', origins: ['http://localhost:4201'], moderators: ['mod@example.com'], moderation: 'pre', erasure: 'remove-text' },
];
export const KEEP_PAGE = 'http://localhost:4200/posts/first';
export const REMOVE_PAGE = 'http://localhost:4201/posts/first';

export interface ErasureTestbed extends ModerationTestbed {
  /** The gateway's side of the back-channel, pointed at `url`. */
  client(url?: string): BackchannelClient;
  /** Every page of the export of `subjects`, as the gateway gathers them. */
  exportOf(subjects: readonly SiteSubject[], url?: string): Promise<{ comments: ExportedComment[] }>;
  /** One page of it. */
  exportPage(subjects: readonly SiteSubject[], after?: string): Promise<ExportAnswer>;
  erase(subjects: readonly SiteSubject[], url?: string): Promise<EraseAnswer>;
  /** A second connection to the service's database, to see what it keeps. */
  database(): Promise<CommentsDb>;
  token(site: string, sub: string, extra?: Record<string, unknown>): Promise<string>;
  /** Posts and returns the comment's id (expects 201). */
  post(site: string, postId: string, token: string, payload: Record<string, unknown>, headers?: Record<string, string>): Promise<string>;
  moderate(site: string, path: string): Promise<void>;
}

export async function startErasureTestbed(): Promise<ErasureTestbed> {
  const bed = await startModerationTestbed(ERASURE_SITES);
  const ring = await loadKeyRing(bed.gateway.gateway.keyStore, { createIfMissing: false });
  if (!ring) throw new Error('the test gateway has no key');
  const client = (url: string = bed.url) => new BackchannelClient({ baseUrl: url, audience: COMMENTS_URL, issuer: bed.gateway.issuer, signingKey: () => ring.current });
  const moderators = new Map<string, Promise<string>>();
  const moderatorToken = (site: string) => {
    let token = moderators.get(site);
    if (token === undefined) {
      token = bed.tokens.mint({ sub: `moderator-of-${site}`, name: 'Molly Moderator', client_id: site, roles: ['moderator'] });
      moderators.set(site, token);
    }
    return token;
  };
  return {
    ...bed,
    client,
    async exportOf(subjects, url) {
      const comments: ExportedComment[] = [];
      for (let after: string | undefined, answer: ExportAnswer | undefined; answer === undefined || answer.moreAvailable; after = answer.cursor ?? undefined) {
        answer = await client(url).post<ExportAnswer>(BACKCHANNEL_PATHS.export, after === undefined ? { subjects } : { subjects, after });
        comments.push(...answer.comments);
      }
      return { comments };
    },
    exportPage: (subjects, after) => client().post<ExportAnswer>(BACKCHANNEL_PATHS.export, after === undefined ? { subjects } : { subjects, after }),
    erase: (subjects, url) => client(url).post<EraseAnswer>(BACKCHANNEL_PATHS.erase, { subjects }),
    database: () => openCommentsDatabase({ dataDir: bed.settings.dataDir, databaseUrl: bed.settings.databaseUrl }),
    token: (site, sub, extra = {}) => bed.tokens.mint({ sub, client_id: site, name: `Reader ${sub}`, picture: `https://pics.example/${sub}.png`, ...extra }),
    async post(site, postId, token, payload, headers = {}) {
      const posted = await postComment(bed.url, site, postId, token, payload, headers);
      if (posted.status !== 201) throw new Error(`posting answered ${posted.status} ${posted.text}`);
      return posted.json.comment!.id;
    },
    async moderate(site, path) {
      const answer = await moderationCall(bed.url, site, path, await moderatorToken(site), 'POST');
      if (answer.status !== 200) throw new Error(`moderation ${path} answered ${answer.status} ${answer.text}`);
    },
  };
}

/** The status a back-channel call was refused with. */
export async function refusal(call: Promise<unknown>): Promise<{ status: number | undefined; message: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof BackchannelError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('the call was not refused');
}
