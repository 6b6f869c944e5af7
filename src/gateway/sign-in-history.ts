import type { Request } from 'express';
import type { SignInMode } from './widget-state';

/**
 * What this browser remembers of the log-ins it went through, by interaction uid: after
 * oidc-provider has destroyed a finished interaction, Back (or a provider's page revisited) still
 * lands on its pages, which must then say how it ended and lead back to the post instead of
 * failing. Only the newest few are kept; they live as long as the page session.
 */
export interface SignInRecord {
  readonly siteName: string;
  readonly mode: SignInMode;
  readonly returnTo: string | undefined;
  /** Unset while the log-in runs. */
  readonly outcome?: 'logged-in' | 'cancelled';
  readonly startedAt: number;
}

/** Enough for a reader's tabs and popups; older log-ins are long over. */
const MAX_REMEMBERED_SIGN_INS = 8;

declare module 'express-session' {
  interface SessionData {
    signIns?: Record<string, SignInRecord>;
  }
}

/** The record of a log-in of this browser (the uid may come straight from a URL). */
export function signInRecord(req: Request, uid: unknown): SignInRecord | undefined {
  const records = req.session?.signIns;
  if (typeof uid !== 'string' || !records || !Object.prototype.hasOwnProperty.call(records, uid)) return undefined;
  return records[uid];
}

/** Remembers a log-in when its first page is shown; later pages leave the session untouched. */
export function rememberSignIn(req: Request, uid: string, record: Omit<SignInRecord, 'startedAt' | 'outcome'>, now = Date.now()): void {
  if (!req.session || signInRecord(req, uid)) return;
  const kept = Object.entries(req.session.signIns ?? {})
    .sort(([, a], [, b]) => b.startedAt - a.startedAt)
    .slice(0, MAX_REMEMBERED_SIGN_INS - 1);
  req.session.signIns = Object.fromEntries([...kept, [uid, { ...record, startedAt: now }]]);
}

/** Notes how a log-in ended, just before oidc-provider sends its answer to the site. */
export function endSignIn(req: Request, uid: string, outcome: NonNullable<SignInRecord['outcome']>): void {
  const record = signInRecord(req, uid);
  if (record) req.session.signIns![uid] = { ...record, outcome };
}
