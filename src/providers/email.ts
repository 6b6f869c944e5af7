import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { emailAddressCounterKey, parseEmailAddress } from '../mail/address';
import type { Mailer } from '../mail/mailer';
import type { EmailSignin, EmailSigninStore } from '../store/email-signins';
import type { RateLimits, RateLimitRule } from '../store/rate-limits';
import { emailSigninMessage } from './email-message';

export const EMAIL_SIGNIN_TTL_SECONDS = 10 * 60;
export const EMAIL_CODE_MAX_ATTEMPTS = 5;
/** 32 random bytes: far above the 128 bits a link token needs to be unguessable. */
const LINK_TOKEN_BYTES = 32;
export interface EmailRateLimits {
  readonly perAddress: RateLimitRule;
  readonly perClient: RateLimitRule;
}

export const EMAIL_RATE_LIMITS: EmailRateLimits = {
  /** Protects a mailbox from being flooded with sign-in mail by strangers. */
  perAddress: { limit: 5, windowSeconds: 15 * 60 },
  /** Protects the service (and our sender reputation) from one client spraying addresses. */
  perClient: { limit: 20, windowSeconds: 15 * 60 },
};

export type EmailRequestResult =
  | { readonly kind: 'sent'; readonly signinId: string; readonly email: string }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'rate_limited'; readonly retryAfterSeconds: number };

export type CodeCheck =
  | { readonly ok: true; readonly signin: EmailSignin }
  | { readonly ok: false; readonly reason: 'wrong'; readonly attemptsLeft: number }
  | { readonly ok: false; readonly reason: 'dead' };

/**
 * A code as typed or pasted, reduced to its digits: "603 739", "603-739", " 603739 ", full-width
 * "６０３７３９" all read 603739. Anything else stays in, and fails the 6-digit check.
 */
export function normaliseCode(typed: string): string {
  return typed.normalize('NFKC').replace(/[\s\-\u2010-\u2015\u2212.·]/g, '');
}

export type LinkConfirmation = 'confirmed' | 'other_browser' | 'invalid';

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** The code is hashed with its sign-in id, so equal codes of different sign-ins hash differently. */
function codeHash(signinId: string, code: string): string {
  return sha256(`${signinId}:${code}`);
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface EmailSignInDeps {
  readonly signins: EmailSigninStore;
  readonly mailer: Mailer;
  readonly limiter: RateLimits;
  /** Absolute base URL of the gateway, for the link in the message. */
  readonly issuer: string;
  readonly rateLimits?: EmailRateLimits;
  readonly now?: () => number;
}

/**
 * Email sign-in: a message with a single-use link and a 6-digit code. Only hashes of either are
 * stored. The link proves ownership of the address in the browser that asked (its session must
 * hold the sign-in); the code works from any device, a few attempts at most.
 */
export class EmailSignIn {
  private readonly now: () => number;

  constructor(private readonly deps: EmailSignInDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Sends the sign-in message. The answer is the same whether or not an account exists for the
   * address. On a delivery failure nothing is left behind and MailDeliveryError propagates.
   */
  async request(input: {
    email: unknown;
    displayName: string | null;
    interactionUid: string;
    clientIp: string;
    site: { id: string; name: string };
    purpose?: 'sign-in' | 'link';
    /** "Send a new code": the sign-in this one replaces, whose code and link stop working once the new message is sent. */
    replaces?: string;
  }): Promise<EmailRequestResult> {
    const parsed = parseEmailAddress(input.email);
    if (!parsed.ok) return { kind: 'invalid', reason: parsed.reason };
    const email = parsed.address;

    const limits = this.deps.rateLimits ?? EMAIL_RATE_LIMITS;
    for (const [key, rule] of [
      [`email-client:${input.clientIp}`, limits.perClient],
      [emailAddressCounterKey(email), limits.perAddress],
    ] as const) {
      const decision = await this.deps.limiter.hit(key, rule);
      if (!decision.allowed) return { kind: 'rate_limited', retryAfterSeconds: decision.retryAfterSeconds };
    }

    const signinId = randomUUID();
    const token = randomBytes(LINK_TOKEN_BYTES).toString('base64url');
    const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
    await this.deps.signins.create({
      id: signinId,
      tokenHash: sha256(token),
      codeHash: codeHash(signinId, code),
      email,
      displayName: input.displayName,
      interactionUid: input.interactionUid,
      siteId: input.site.id,
      expiresAt: this.now() + EMAIL_SIGNIN_TTL_SECONDS * 1000,
    });
    const link = `${this.deps.issuer}/email/confirm?token=${token}`;
    try {
      await this.deps.mailer.send(emailSigninMessage({ to: email, siteName: input.site.name, link, code, ttlMinutes: EMAIL_SIGNIN_TTL_SECONDS / 60, purpose: input.purpose }));
    } catch (error) {
      await this.deps.signins.delete(signinId);
      throw error;
    }
    if (input.replaces !== undefined) await this.deps.signins.delete(input.replaces);
    return { kind: 'sent', signinId, email };
  }

  /** The sign-in a link belongs to, if it can still be used (shown on the confirm page). */
  async findByLinkToken(token: unknown): Promise<EmailSignin | undefined> {
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
    return this.deps.signins.findLiveByTokenHash(sha256(token), EMAIL_CODE_MAX_ATTEMPTS);
  }

  /**
   * Confirms a link (by POST only: mail scanners prefetch GETs). Only the browser whose session
   * asked for the sign-in may confirm it; anywhere else the commenter uses the code instead.
   * Otherwise a stranger could ask for a sign-in to your address and have you approve it.
   */
  async confirmLink(token: unknown, sessionSigninId: string | undefined): Promise<LinkConfirmation> {
    const signin = await this.findByLinkToken(token);
    if (!signin) return 'invalid';
    if (signin.id !== sessionSigninId) return 'other_browser';
    if (signin.confirmedAt !== null) return 'confirmed';
    return (await this.deps.signins.confirm(signin.id, EMAIL_CODE_MAX_ATTEMPTS)) ? 'confirmed' : 'invalid';
  }

  async status(signinId: string): Promise<'pending' | 'confirmed' | 'dead'> {
    const signin = await this.deps.signins.findLive(signinId, EMAIL_CODE_MAX_ATTEMPTS);
    if (!signin) return 'dead';
    return signin.confirmedAt === null ? 'pending' : 'confirmed';
  }

  /** Checks a typed code. Each try counts, right or wrong; after the last one the sign-in is dead. */
  async checkCode(signinId: string, code: unknown): Promise<CodeCheck> {
    const attempts = await this.deps.signins.recordAttempt(signinId, EMAIL_CODE_MAX_ATTEMPTS);
    if (attempts === undefined) return { ok: false, reason: 'dead' };
    const signin = await this.deps.signins.findLive(signinId, EMAIL_CODE_MAX_ATTEMPTS + 1);
    const typed = typeof code === 'string' ? normaliseCode(code) : '';
    if (signin && /^\d{6}$/.test(typed) && sameHash(signin.codeHash, codeHash(signinId, typed))) {
      if (await this.deps.signins.consume(signinId)) return { ok: true, signin };
      return { ok: false, reason: 'dead' };
    }
    const attemptsLeft = EMAIL_CODE_MAX_ATTEMPTS - attempts;
    return attemptsLeft > 0 ? { ok: false, reason: 'wrong', attemptsLeft } : { ok: false, reason: 'dead' };
  }

  /** Uses up a sign-in whose link was confirmed; undefined unless it was confirmed and still live. */
  async takeConfirmed(signinId: string): Promise<EmailSignin | undefined> {
    const signin = await this.deps.signins.findLive(signinId, EMAIL_CODE_MAX_ATTEMPTS);
    if (!signin || signin.confirmedAt === null) return undefined;
    return (await this.deps.signins.consume(signinId)) ? signin : undefined;
  }
}
