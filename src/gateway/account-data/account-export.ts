import { BACKCHANNEL_PATHS, type ExportAnswer, type ExportedComment, type ExportRequest, type SiteSubject } from '../../backchannel/protocol';
import { BackchannelError, type BackchannelClient } from '../../backchannel/gateway-client';
import type { Site } from '../../config/sites';
import type { AccountStore } from '../../store/accounts';
import type { CommenterSite } from '../../store/commenter-sites';

/** Names the file format, so a reader (or a later version of Parley) knows what it holds. */
export const ACCOUNT_EXPORT_FORMAT = 'parley-account-export';
export const ACCOUNT_EXPORT_VERSION = 1;

/** The "Download my data" file (docs/account.md lists every field). Times are ISO 8601, UTC. */
export interface AccountExport {
  readonly format: typeof ACCOUNT_EXPORT_FORMAT;
  readonly version: typeof ACCOUNT_EXPORT_VERSION;
  readonly exportedAt: string;
  readonly account: { readonly name: string; readonly picture: string | null; readonly createdAt: string | null };
  readonly identities: readonly { readonly provider: string; readonly label: string | null; readonly addedAt: string }[];
  readonly sites: readonly ExportedSite[];
  readonly comments: readonly ExportedAccountComment[];
}

export interface ExportedSite {
  readonly id: string;
  /** From the gateway's sites file; null for a site no longer in it. */
  readonly name: string | null;
  /** The identifier this site knows the commenter by (its `sub`). */
  readonly subject: string;
  readonly firstUsedAt: string;
  readonly lastUsedAt: string;
  /** "Email me about replies to comments where I ticked the box" on this site. */
  readonly replyEmails: boolean;
  /** Since when reply emails are off here; null while on. */
  readonly replyEmailsOffSince: string | null;
}

export interface ExportedAccountComment {
  readonly site: string;
  readonly postId: string;
  readonly id: string;
  readonly parentId: string | null;
  readonly body: string;
  readonly createdAt: string;
  readonly editedAt: string | null;
  readonly state: 'visible' | 'pending' | 'hidden' | 'deleted';
  readonly authorName: string;
  readonly notifyReplies: boolean;
  /** The blog page it was posted from, with its anchor; null when unknown. */
  readonly url: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** 1 MiB pages (EXPORT_PAGE_MAX_BYTES): a download of up to about a gigabyte of comments. */
const MAX_EXPORT_PAGES = 1000;

/**
 * Everything the gateway and the comment service hold about an account, in one document. The
 * comment service's part is asked for by every subject the account may have there; if it does
 * not answer, this throws (BackchannelError) rather than hand over a file that looks complete
 * and is not.
 */
export async function buildAccountExport(
  deps: { accounts: AccountStore; backchannel: BackchannelClient; sites: readonly Site[] },
  accountId: string,
  recordedSites: readonly CommenterSite[],
  subjects: readonly SiteSubject[],
  now: number = Date.now(),
): Promise<AccountExport | undefined> {
  const account = await deps.accounts.get(accountId);
  if (!account) return undefined;
  const [createdAt, identities] = await Promise.all([deps.accounts.createdAt(accountId), deps.accounts.identities(accountId)]);
  const comments = await exportedComments(deps.backchannel, subjects);
  const siteNames = new Map(deps.sites.map((site) => [site.id, site.name]));
  return {
    format: ACCOUNT_EXPORT_FORMAT,
    version: ACCOUNT_EXPORT_VERSION,
    exportedAt: iso(now),
    account: { name: account.displayName, picture: account.picture, createdAt: createdAt === undefined ? null : iso(createdAt) },
    identities: identities.map((identity) => ({ provider: identity.provider, label: identity.label, addedAt: iso(identity.createdAt) })),
    sites: recordedSites.map((site) => ({
      id: site.siteId,
      name: siteNames.get(site.siteId) ?? null,
      subject: site.subject,
      firstUsedAt: iso(site.firstSeenAt),
      lastUsedAt: iso(site.lastSeenAt),
      replyEmails: site.repliesUnsubscribedAt === null,
      replyEmailsOffSince: site.repliesUnsubscribedAt === null ? null : iso(site.repliesUnsubscribedAt),
    })),
    comments: comments.map((comment) => ({
      site: comment.site,
      postId: comment.postId,
      id: comment.id,
      parentId: comment.parentId,
      body: comment.body,
      createdAt: iso(comment.createdAt),
      editedAt: comment.editedAt === null ? null : iso(comment.editedAt),
      state: comment.state,
      authorName: comment.authorName,
      notifyReplies: comment.notifyReplies,
      url: comment.url,
    })),
  };
}

/** Every page of the comment service's export of `subjects`. */
async function exportedComments(backchannel: BackchannelClient, subjects: readonly SiteSubject[]): Promise<ExportedComment[]> {
  const comments: ExportedComment[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_EXPORT_PAGES; page += 1) {
    const request: ExportRequest = after === undefined ? { subjects } : { subjects, after };
    const answer = await backchannel.post<ExportAnswer>(BACKCHANNEL_PATHS.export, request);
    // An answer without its list is not "no comments": it is an answer we cannot vouch for.
    if (!Array.isArray(answer?.comments)) throw new BackchannelError(`${BACKCHANNEL_PATHS.export}: the answer has no comments list`);
    comments.push(...answer.comments);
    if (answer.moreAvailable !== true) return comments;
    if (typeof answer.cursor !== 'string' || answer.cursor === after) throw new BackchannelError(`${BACKCHANNEL_PATHS.export}: more is available but the cursor does not move`);
    after = answer.cursor;
  }
  throw new BackchannelError(`${BACKCHANNEL_PATHS.export}: more than ${MAX_EXPORT_PAGES} pages`);
}
