import type { Request } from 'express';
import { EMAIL_SIGNIN_TTL_SECONDS } from './email';

/**
 * Where the email sign-ins a browser asked for wait to be finished: in the session, keyed by the
 * interaction (the popup) that asked, or by the account page's fixed key. One slot for the whole
 * session let a second popup's request overwrite the first's, whose correct code then failed;
 * keyed entries let several popups run side by side, as upstream handshakes do
 * (handshake-store.ts). The database row stays the authority on expiry and attempts; an entry
 * only says "this browser asked for that sign-in".
 */
export interface PendingEmailSignin {
  readonly signinId: string;
  readonly interactionUid: string;
  /** The address as normalised, shown back to the browser that typed it. */
  readonly email: string;
  /** The name typed with it, for "Send a new code" (null: none, or one kept from before). */
  readonly displayName?: string | null;
  readonly createdAt: number;
}

/** Past this the sign-in itself has expired, so its entry is only dropped. */
const PENDING_EMAIL_SIGNIN_TTL_MS = EMAIL_SIGNIN_TTL_SECONDS * 1000;
/** At most this many pending email sign-ins per browser; the oldest goes first. */
const MAX_PENDING_EMAIL_SIGNINS = 8;

declare module 'express-session' {
  interface SessionData {
    emailSignins?: Record<string, PendingEmailSignin>;
  }
}

/** Remembers a sign-in this browser asked for, replacing an earlier one of the same interaction. */
export function holdEmailSignin(req: Request, pending: Omit<PendingEmailSignin, 'createdAt'>, now = Date.now()): void {
  const entry: PendingEmailSignin = { ...pending, createdAt: now };
  const live = Object.entries(req.session.emailSignins ?? {})
    .filter(([uid, held]) => uid !== entry.interactionUid && now - held.createdAt < PENDING_EMAIL_SIGNIN_TTL_MS)
    .sort(([, a], [, b]) => b.createdAt - a.createdAt)
    .slice(0, MAX_PENDING_EMAIL_SIGNINS - 1);
  req.session.emailSignins = Object.fromEntries([...live, [entry.interactionUid, entry]]);
}

/** The sign-in this browser asked for in an interaction (the uid may come straight from a URL). */
export function pendingEmailSignin(req: Request, interactionUid: unknown): PendingEmailSignin | undefined {
  const held = req.session?.emailSignins;
  if (typeof interactionUid !== 'string' || !held || !Object.prototype.hasOwnProperty.call(held, interactionUid)) return undefined;
  return held[interactionUid];
}

/** The entry of a sign-in, if this browser is the one that asked for it. */
export function pendingEmailSigninById(req: Request, signinId: string): PendingEmailSignin | undefined {
  return Object.values(req.session?.emailSignins ?? {}).find((held) => held.signinId === signinId);
}

/** Forgets an interaction's sign-in once it has been used. */
export function releaseEmailSignin(req: Request, interactionUid: string): void {
  const held = req.session.emailSignins;
  if (held && Object.prototype.hasOwnProperty.call(held, interactionUid)) delete held[interactionUid];
}
