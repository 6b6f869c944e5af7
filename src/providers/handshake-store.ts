import type { Request } from 'express';

/**
 * Where the upstream OAuth handshakes of one browser wait for their callbacks: in the session,
 * keyed by the OAuth 1.0a request token or the OAuth 2.0 state handle. passport's own stores keep
 * one handshake per provider per session, so a second tab's sign-in overwrote the first's; keyed
 * entries let any number run side by side. Each carries what it is for: a sign-in interaction,
 * or adding a method to the signed-in account.
 */
export type HandshakePurpose = { readonly kind: 'sign-in'; readonly interactionUid: string } | { readonly kind: 'link'; readonly accountId: string };

export interface Handshake {
  /** OAuth 1.0a request token secret, or OAuth 2.0 PKCE code verifier. */
  readonly secret: string;
  readonly purpose: HandshakePurpose;
  readonly createdAt: number;
}

/** A handshake older than this is dead: the commenter walked away from the popup. */
const HANDSHAKE_TTL_MS = 15 * 60 * 1000;
/** At most this many open handshakes per provider per browser; the oldest goes first. */
const MAX_OPEN_HANDSHAKES = 8;

declare module 'express-session' {
  interface SessionData {
    handshakes?: Record<string, Record<string, Handshake>>;
    /**
     * Sign-in handshakes already answered, by provider and key: the interaction each was for.
     * A provider's page revisited with Back answers again with a used key; its interaction then
     * says how it ended instead of "this cannot continue".
     */
    spentHandshakes?: Record<string, Record<string, { readonly interactionUid: string; readonly spentAt: number }>>;
  }
}

/** A provider answered, but not with what its protocol promises. */
export class UpstreamProtocolError extends Error {
  override readonly name = 'UpstreamProtocolError';
  readonly code = 'ERR_UPSTREAM_PROTOCOL';
}

type Callback = (error: Error | null, ...results: unknown[]) => void;

/** Adds a handshake, dropping expired ones and the oldest beyond the cap. */
function addHandshake(req: Request, provider: string, key: string, handshake: Handshake): void {
  const all = (req.session.handshakes ??= {});
  const live = Object.entries(all[provider] ?? {})
    .filter(([, open]) => handshake.createdAt - open.createdAt < HANDSHAKE_TTL_MS)
    .sort(([, a], [, b]) => b.createdAt - a.createdAt)
    .slice(0, MAX_OPEN_HANDSHAKES - 1);
  all[provider] = Object.fromEntries([...live, [key, handshake]]);
}

/**
 * The live handshake for a key, without touching the session (a replayed or forged callback must
 * leave it exactly as it was); undefined when unknown, used or expired.
 */
export function peekHandshake(req: Request, provider: string, key: unknown, now = Date.now()): Handshake | undefined {
  if (typeof key !== 'string' || !req.session?.handshakes) return undefined;
  const handshakes = req.session.handshakes[provider];
  if (!handshakes || !Object.prototype.hasOwnProperty.call(handshakes, key)) return undefined;
  const handshake = handshakes[key]!;
  return now - handshake.createdAt < HANDSHAKE_TTL_MS ? handshake : undefined;
}

/** Takes (and removes) the live handshake for a key; a sign-in's is remembered as spent. */
export function takeHandshake(req: Request, provider: string, key: unknown, now = Date.now()): Handshake | undefined {
  const handshake = peekHandshake(req, provider, key, now);
  if (!handshake) return undefined;
  delete req.session.handshakes![provider]![key as string];
  if (handshake.purpose.kind === 'sign-in') {
    const spent = (req.session.spentHandshakes ??= {});
    const kept = Object.entries(spent[provider] ?? {})
      .sort(([, a], [, b]) => b.spentAt - a.spentAt)
      .slice(0, MAX_OPEN_HANDSHAKES - 1);
    spent[provider] = Object.fromEntries([...kept, [key as string, { interactionUid: handshake.purpose.interactionUid, spentAt: now }]]);
  }
  return handshake;
}

/** The interaction of a sign-in handshake this browser already answered, if the key is one. */
export function spentHandshakeInteraction(req: Request, provider: string, key: unknown): string | undefined {
  const spent = req.session?.spentHandshakes?.[provider];
  if (typeof key !== 'string' || !spent || !Object.prototype.hasOwnProperty.call(spent, key)) return undefined;
  return spent[key]!.interactionUid;
}

/** The request-token store passport-oauth1 calls (the 6/4/4-argument forms, which carry state). */
export class OAuth1HandshakeStore {
  constructor(private readonly provider: string) {}

  set(req: Request, token: string, tokenSecret: string, purpose: HandshakePurpose, _meta: unknown, cb: Callback): void {
    // node-oauth accepts any body as a token response; an answer without a token is an upstream failure.
    if (typeof token !== 'string' || token === '' || typeof tokenSecret !== 'string' || tokenSecret === '') {
      return cb(new UpstreamProtocolError('the request-token response carried no token'));
    }
    addHandshake(req, this.provider, token, { secret: tokenSecret, purpose, createdAt: Date.now() });
    cb(null);
  }

  get(req: Request, token: string, _meta: unknown, cb: Callback): void {
    const handshake = peekHandshake(req, this.provider, token);
    // An unknown token is a failure (a clean 4xx), not passport-oauth1's "Failed to find request token" error.
    if (!handshake) return cb(null, false, { message: 'This log-in was already used or has expired.' });
    cb(null, handshake.secret, handshake.purpose);
  }

  destroy(req: Request, token: string, _meta: unknown, cb: Callback): void {
    takeHandshake(req, this.provider, token);
    cb(null);
  }
}

/** The state store passport-oauth2 calls with PKCE (store with 5 arguments, verify with 4). */
export class OAuth2HandshakeStore {
  constructor(
    private readonly provider: string,
    private readonly newHandle: () => string,
  ) {}

  store(req: Request, verifier: string, purpose: HandshakePurpose, _meta: unknown, cb: Callback): void {
    const handle = this.newHandle();
    addHandshake(req, this.provider, handle, { secret: verifier, purpose, createdAt: Date.now() });
    cb(null, handle);
  }

  verify(req: Request, handle: string, _meta: unknown, cb: Callback): void {
    const handshake = takeHandshake(req, this.provider, handle);
    if (!handshake) return cb(null, false, { message: 'This log-in was already used or has expired.' });
    cb(null, handshake.secret, handshake.purpose);
  }
}
