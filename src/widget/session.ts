import type { Credential } from './api';
import { authorizationUrl, checkAuthorizationResponse, redeemCode, relayUri, toAuthorizationResponse, TokenRequestError, type AuthorizationResponse, type PendingSignIn } from './authorize';
import { discover, type Discovery } from './discovery';
import { listenForHandOffs } from './handoff';
import { createPkcePair, randomToken, type PkcePair } from './pkce';
import { endSessionUrl, revokeAccessToken } from './logout';
import { isClosed, openPopup } from './popup';
import { createProofKey, type ProofKey } from './proof-key';
import { deleteExpiredProofKeys, deleteProofKey, loadProofKey, saveProofKey } from './proof-key-store';
import { encodeState } from './state';
import { readJson, tabStorage, writeJson } from './storage';
import { isExpired, readAccessToken, type Commenter, type IdentityProvider } from './token';

/** What happened to the commenter's sign-in; every widget of the site hears it. */
export type SessionEvent =
  | { readonly kind: 'pending'; readonly postId: string }
  | { readonly kind: 'redirecting'; readonly postId: string }
  /** `thenPost`: the request's draft key, when the sign-in was for posting that draft. */
  | { readonly kind: 'signed-in'; readonly postId: string; readonly commenter: Commenter; readonly thenPost: string | undefined }
  | { readonly kind: 'cancelled'; readonly postId: string }
  | { readonly kind: 'window-closed'; readonly postId: string }
  /** `dpop_unsupported`: the site requires DPoP-bound tokens and this browser cannot make a key. */
  | { readonly kind: 'failed'; readonly postId: string; readonly reason: 'unavailable' | 'insecure' | 'rejected' | 'dpop_unsupported' }
  /** The popup was blocked and the request asked not to leave the page instead (`fallback: 'none'`). */
  | { readonly kind: 'blocked'; readonly postId: string; readonly provider: IdentityProvider | undefined }
  /** `windowBlocked`: the gateway's logout window could not open, so only the token was revoked. */
  | { readonly kind: 'signed-out'; readonly windowBlocked: boolean }
  | { readonly kind: 'expired' };

export interface SignInRequest {
  readonly postId: string;
  /** Straight to this provider (the `provider` parameter); undefined shows the gateway's picker. */
  readonly provider?: IdentityProvider | undefined;
  /** `prompt=login`: sign in afresh even if the gateway remembers someone ("Change"). */
  readonly forceLogin?: boolean;
  /** The Idempotency-Key of a draft to post once signed in; handed back with `signed-in`. */
  readonly thenPost?: string | undefined;
  /**
   * When the popup is blocked: leave for the gateway with the whole page (the default, fine
   * inside a click), or stay and say so (`blocked`) — for a sign-in started after an answer
   * came back, where the page leaving by itself would be a surprise.
   */
  readonly fallback?: 'redirect' | 'none';
}

interface Ready {
  readonly discovery: Discovery;
  readonly pkce: PkcePair;
}

interface Waiting {
  readonly pending: PendingSignIn;
  readonly discovery: Discovery;
}

/** How often to look whether the commenter closed the sign-in window. */
const POPUP_POLL_MS = 500;
/**
 * After the window reads as closed, how long an answer already on its way (a hand-off from a
 * window cut off by Cross-Origin-Opener-Policy) may take before the window counts as closed.
 */
const HANDOFF_GRACE_MS = 1_000;
/** A sign-in left unfinished this long is forgotten (the gateway's interactions last as long). */
const PENDING_TTL_MS = 30 * 60 * 1000;

/** Sign-in state of one site in this tab: the commenter, and the sign-in under way. */
export class SiteSession {
  private commenterValue: Commenter | undefined;
  private readonly listeners = new Set<(event: SessionEvent) => void>();
  private ready: Ready | undefined;
  private preparing: Promise<Ready> | undefined;
  private waiting: Waiting | undefined;
  /** The key of the commenter's token, once loaded or made. */
  private proofKey: ProofKey | undefined;
  private readonly tokenKey: string;
  private readonly reloginKey: string;

  constructor(
    readonly gatewayUrl: string,
    readonly siteId: string,
  ) {
    this.tokenKey = `parley.token:${gatewayUrl}:${siteId}`;
    this.reloginKey = `parley.relogin:${gatewayUrl}:${siteId}`;
    const stored = tabStorage().get(this.tokenKey);
    const commenter = stored ? readAccessToken(stored) : undefined;
    if (commenter && !isExpired(commenter, Date.now())) {
      this.commenterValue = commenter;
      void this.checkProofKey();
    } else if (stored) {
      tabStorage().remove(this.tokenKey);
      if (commenter?.boundTo !== undefined) void deleteProofKey(commenter.boundTo);
    }

    const gatewayOrigin = new URL(gatewayUrl).origin;
    window.addEventListener('message', (event: MessageEvent) => {
      // Only the gateway's relay page speaks this protocol; anything else is ignored.
      if (event.origin !== gatewayOrigin) return;
      const response = toAuthorizationResponse(event.data);
      if (response) void this.receive(response);
    });
    listenForHandOffs((response) => void this.receive(response));
  }

  /** The signed-in commenter, if the token has not expired. */
  get commenter(): Commenter | undefined {
    return this.commenterValue;
  }

  /**
   * What to send a comment with: the token and, for a bound token, its key. Undefined when
   * signed out, or when the key of a bound token is gone (storage cleared): the token is then of
   * no use, and the reader must log in again.
   */
  async credential(): Promise<Credential | undefined> {
    const commenter = this.commenterValue;
    if (!commenter) return undefined;
    if (commenter.boundTo === undefined) return { accessToken: commenter.accessToken, proofKey: undefined };
    const proofKey = this.proofKey?.thumbprint === commenter.boundTo ? this.proofKey : await loadProofKey(commenter.boundTo);
    if (!proofKey || this.commenterValue !== commenter) return undefined;
    this.proofKey = proofKey;
    return { accessToken: commenter.accessToken, proofKey };
  }

  subscribe(listener: (event: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Fetches discovery and makes a PKCE pair ahead of the click, so the popup opens at once. */
  prepare(): Promise<Ready> {
    this.preparing ??= Promise.all([discover(this.gatewayUrl), createPkcePair()]).then(
      (results) => {
        this.ready = { discovery: results[0], pkce: results[1] };
        this.preparing = undefined;
        return this.ready;
      },
      (error: unknown) => {
        this.preparing = undefined;
        throw error;
      },
    );
    return this.preparing;
  }

  /**
   * Starts a sign-in. Call it straight from a click handler: the popup is opened before the first
   * `await`. When the popup is blocked, the page goes to the gateway itself and comes back.
   */
  async signIn(request: SignInRequest): Promise<void> {
    const forceLogin = request.forceLogin === true || tabStorage().get(this.reloginKey) === '1';
    const nonce = randomToken(16);
    const returnTo = window.location.href;
    const popupState = encodeState({ mode: 'popup', returnTo, nonce });
    let ready = this.ready;
    this.ready = undefined;
    const openedBlank = ready === undefined;
    const urlFor = (prepared: Ready, state: string) =>
      authorizationUrl(prepared.discovery, { siteId: this.siteId, state, challenge: prepared.pkce.challenge, provider: request.provider, forceLogin });
    const popup = openPopup(ready ? urlFor(ready, popupState) : 'about:blank');
    if (!popup && request.fallback === 'none') {
      // Nothing was sent: the prepared verifier is still good for the next sign-in.
      if (ready) this.ready = ready;
      return this.emit({ kind: 'blocked', postId: request.postId, provider: request.provider });
    }
    if (!ready) {
      try {
        ready = await this.prepare();
        if (this.ready === ready) this.ready = undefined;
      } catch (error) {
        popup?.close();
        return this.emit({ kind: 'failed', postId: request.postId, reason: (error as Error).message === 'insecure_context' ? 'insecure' : 'unavailable' });
      }
    }
    // The next sign-in gets its own verifier, made ahead of time.
    void this.prepare().catch(() => undefined);
    const prepared = ready;

    const pendingFor = (state: string): PendingSignIn => ({
      state,
      verifier: prepared.pkce.verifier,
      redirectUri: relayUri(prepared.discovery.issuer, this.siteId),
      siteId: this.siteId,
      postId: request.postId,
      createdAt: Date.now(),
      thenPost: request.thenPost,
    });

    if (!popup) {
      // Popup blocked: the whole page goes, so what it must remember goes to sessionStorage.
      const redirectState = encodeState({ mode: 'redirect', returnTo, nonce });
      writeJson(PENDING_KEY, pendingFor(redirectState));
      this.emit({ kind: 'redirecting', postId: request.postId });
      window.location.assign(urlFor(prepared, redirectState));
      return;
    }

    const waiting: Waiting = { pending: pendingFor(popupState), discovery: prepared.discovery };
    this.waiting = waiting;
    if (openedBlank) {
      try {
        popup.location.replace(urlFor(prepared, popupState));
      } catch {
        // The window went away in the meantime.
      }
    }
    this.emit({ kind: 'pending', postId: request.postId });
    this.watchPopup(popup, waiting);
  }

  /** Completes a sign-in that came back to this page by full-page redirect. */
  async completeRedirect(response: AuthorizationResponse): Promise<void> {
    const pending = readJson<PendingSignIn>(PENDING_KEY);
    if (!pending || pending.siteId !== this.siteId || pending.state !== response.state) return;
    tabStorage().remove(PENDING_KEY);
    if (Date.now() - pending.createdAt > PENDING_TTL_MS) return this.emit({ kind: 'failed', postId: pending.postId, reason: 'rejected' });
    let discovery: Discovery;
    try {
      discovery = await discover(this.gatewayUrl);
    } catch {
      return this.emit({ kind: 'failed', postId: pending.postId, reason: 'unavailable' });
    }
    await this.complete(response, { pending, discovery });
  }

  /**
   * "Log Out". Call it straight from the click handler: the gateway's logout window opens before
   * the first `await`. The token is forgotten and the widget signs out at once; then the token is
   * revoked at the gateway (every token of that sign-in stops working at the comment service), and
   * in the window the commenter confirms ending the sign-in on this browser, so the next sign-in in
   * any tab asks again. If the window is blocked, the token is still revoked and the next sign-in
   * in this tab asks again (prompt=login).
   */
  async signOut(): Promise<void> {
    const accessToken = this.commenterValue?.accessToken;
    const known = this.ready?.discovery;
    const popup = openPopup((known && endSessionUrl(known, this.siteId)) ?? 'about:blank', LOGOUT_POPUP_NAME);
    this.forget();
    this.waiting = undefined;
    tabStorage().set(this.reloginKey, '1');
    this.emit({ kind: 'signed-out', windowBlocked: popup === null });
    let discovery: Discovery;
    try {
      discovery = known ?? (await discover(this.gatewayUrl));
    } catch {
      popup?.close();
      return;
    }
    if (popup && !known) {
      const url = endSessionUrl(discovery, this.siteId);
      try {
        if (url) popup.location.replace(url);
        else popup.close();
      } catch {
        // The window went away in the meantime.
      }
    }
    if (accessToken) await revokeAccessToken(discovery, this.siteId, accessToken);
  }

  /** The comment service refused the token (401), or it ran out. */
  expire(): void {
    this.forget();
    this.emit({ kind: 'expired' });
  }

  /** Forgets the token and the key it is bound to: one is no use without the other. */
  private forget(): void {
    const boundTo = this.commenterValue?.boundTo;
    this.commenterValue = undefined;
    this.proofKey = undefined;
    tabStorage().remove(this.tokenKey);
    if (boundTo !== undefined) void deleteProofKey(boundTo);
  }

  /** A token kept from before a reload whose key is gone (storage cleared) is forgotten. */
  private async checkProofKey(): Promise<void> {
    const commenter = this.commenterValue;
    if (commenter?.boundTo === undefined) return;
    const proofKey = await loadProofKey(commenter.boundTo);
    if (this.commenterValue !== commenter) return;
    if (proofKey) this.proofKey = proofKey;
    else this.expire();
  }

  private async receive(response: AuthorizationResponse): Promise<void> {
    const waiting = this.waiting;
    if (!waiting || response.state !== waiting.pending.state) return;
    this.waiting = undefined;
    await this.complete(response, waiting);
  }

  private async complete(response: AuthorizationResponse, waiting: Waiting): Promise<void> {
    const pending = waiting.pending;
    const discovery = waiting.discovery;
    const postId = pending.postId;
    if (checkAuthorizationResponse(response, pending, discovery)) return this.emit({ kind: 'failed', postId, reason: 'rejected' });
    if (response.error !== undefined) {
      return this.emit(response.error === 'access_denied' ? { kind: 'cancelled', postId } : { kind: 'failed', postId, reason: 'rejected' });
    }
    // A new key for every token. Undefined where the browser cannot make one: the token is then
    // a plain Bearer token (see createProofKey), refused by a site that requires DPoP.
    const proofKey = await createProofKey();
    let commenter: Commenter | undefined;
    try {
      commenter = readAccessToken(await redeemCode(discovery, pending, response.code!, proofKey));
    } catch (error) {
      const reason = error instanceof TokenRequestError ? error.reason : 'rejected';
      return this.emit({ kind: 'failed', postId, reason: reason === 'unreachable' ? 'unavailable' : reason === 'dpop_required' ? 'dpop_unsupported' : 'rejected' });
    }
    if (!commenter || commenter.boundTo !== proofKey?.thumbprint) return this.emit({ kind: 'failed', postId, reason: 'rejected' });
    if (proofKey) {
      // Also the time to delete keys left by tabs closed without logging out, once their tokens ran out.
      await deleteExpiredProofKeys(Date.now());
      await saveProofKey(proofKey, commenter.expiresAt);
    }
    // The token this one replaces ("Change"), and its key, are of no more use.
    if (this.commenterValue) this.forget();
    this.commenterValue = commenter;
    this.proofKey = proofKey;
    tabStorage().set(this.tokenKey, commenter.accessToken);
    tabStorage().remove(this.reloginKey);
    this.emit({ kind: 'signed-in', postId, commenter, thenPost: pending.thenPost });
  }

  /**
   * Tells the widget when the commenter closes the window unfinished. A window that reads as
   * closed may instead have been cut off from this page by Cross-Origin-Opener-Policy on the way
   * (a provider's page): it is still open, and its answer will arrive by hand-off. From here the
   * two look the same, whether seen open first or not. What tells them apart is where the
   * commenter is: a cut-off window stays in front, while after closing it the commenter is back
   * on this page (it has the focus). So once the window reads as closed, and a moment has passed
   * for an answer already on its way, the window counts as closed as soon as this page has the
   * focus. Either way the sign-in stays acceptable until another one starts, so a late answer
   * still signs the commenter in.
   */
  private watchPopup(popup: Window, waiting: Waiting): void {
    const stillWaiting = () => this.waiting === waiting;
    const report = () => {
      if (stillWaiting()) this.emit({ kind: 'window-closed', postId: waiting.pending.postId });
    };
    const timer = setInterval(() => {
      if (!stillWaiting()) return clearInterval(timer);
      if (!isClosed(popup)) return;
      clearInterval(timer);
      setTimeout(() => {
        if (!stillWaiting()) return;
        if (document.hasFocus()) report();
        else window.addEventListener('focus', report, { once: true });
      }, HANDOFF_GRACE_MS);
    }, POPUP_POLL_MS);
  }

  private emit(event: SessionEvent): void {
    this.listeners.forEach((listener) => listener(event));
  }
}

/** The logout window has its own name, so it never replaces a sign-in window still open. */
const LOGOUT_POPUP_NAME = 'parley-logout';

/** The sign-in a tab left for, when its popup was blocked (one at a time per tab). */
const PENDING_KEY = 'parley.pending';

const sessions = new Map<string, SiteSession>();

/** One session per gateway and site, shared by every widget of that site on the page. */
export function sessionFor(gatewayUrl: string, siteId: string): SiteSession {
  const key = `${gatewayUrl} ${siteId}`;
  let session = sessions.get(key);
  if (!session) {
    session = new SiteSession(gatewayUrl, siteId);
    sessions.set(key, session);
  }
  return session;
}

/** Finishes the sign-in this tab left for by full-page redirect, once the widgets are mounted. */
export function completeRedirectSignIn(gatewayUrl: string, response: AuthorizationResponse): Promise<void> {
  const pending = readJson<PendingSignIn>(PENDING_KEY);
  if (!pending || typeof pending.siteId !== 'string') return Promise.resolve();
  return sessionFor(gatewayUrl, pending.siteId).completeRedirect(response);
}
