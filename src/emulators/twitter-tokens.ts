/**
 * Credentials the Twitter emulator hands out (RFC 5849 §2): temporary (request) tokens bound
 * to the consumer and callback that asked for them, their one-time verifiers, and token
 * credentials (access tokens). A request token is used up by a successful exchange or a denial,
 * so neither it nor its verifier works twice. Everything lives in memory.
 */
import { randomToken } from './crypto-util';
import type { Clock } from './options';

/** RFC 5849 §2.1: "oob" asks for the out-of-band (PIN) flow instead of a redirect. */
export const OUT_OF_BAND = 'oob';

export interface RequestToken {
  readonly token: string;
  readonly secret: string;
  readonly consumerKey: string;
  /** The oauth_callback it was issued for, or "oob". */
  readonly callback: string;
  readonly expiresAtMs: number;
  /** Set once the person picked a user on the authorize page. */
  authorization?: { readonly userId: string; readonly verifier: string };
}

export interface AccessToken {
  readonly token: string;
  readonly secret: string;
  readonly consumerKey: string;
  readonly userId: string;
}

export type RedeemResult =
  | { readonly ok: true; readonly userId: string }
  | { readonly ok: false; readonly reason: 'missing-verifier' | 'invalid-verifier' };

export class TwitterTokenStore {
  readonly #requestTokens = new Map<string, RequestToken>();
  readonly #accessTokens = new Map<string, AccessToken>();

  constructor(
    private readonly clock: Clock,
    private readonly requestTokenTtlMs: number,
  ) {}

  issueRequestToken(consumerKey: string, callback: string): RequestToken {
    this.#forgetExpired();
    const requestToken: RequestToken = {
      token: randomToken(20),
      secret: randomToken(30),
      consumerKey,
      callback,
      expiresAtMs: this.clock() + this.requestTokenTtlMs,
    };
    this.#requestTokens.set(requestToken.token, requestToken);
    return requestToken;
  }

  /** A live request token, optionally only when it belongs to this consumer. */
  requestToken(token: string, consumerKey?: string): RequestToken | undefined {
    const found = this.#requestTokens.get(token);
    if (!found || found.expiresAtMs <= this.clock()) return undefined;
    if (consumerKey !== undefined && found.consumerKey !== consumerKey) return undefined;
    return found;
  }

  /** A request token still waiting for the person's decision. */
  pendingRequestToken(token: string): RequestToken | undefined {
    const found = this.requestToken(token);
    return found && !found.authorization ? found : undefined;
  }

  /** Records the person's choice and returns the verifier for the callback. */
  authorize(requestToken: RequestToken, userId: string): string {
    const verifier = randomToken(24);
    requestToken.authorization = { userId, verifier };
    return verifier;
  }

  /** The person clicked Cancel: the request token is gone. */
  deny(requestToken: RequestToken): void {
    this.#requestTokens.delete(requestToken.token);
  }

  /**
   * OAuth 1.0a §6.3.1 / RFC 5849 §2.3: the verifier must be the one issued for this token.
   * Success uses the request token up, which also makes its verifier single use.
   */
  redeem(requestToken: RequestToken, verifier: string | undefined): RedeemResult {
    if (!verifier) return { ok: false, reason: 'missing-verifier' };
    const authorization = requestToken.authorization;
    if (!authorization || authorization.verifier !== verifier) return { ok: false, reason: 'invalid-verifier' };
    this.#requestTokens.delete(requestToken.token);
    return { ok: true, userId: authorization.userId };
  }

  /** Twitter's access tokens start with the user id: "<user id>-<random>". */
  issueAccessToken(consumerKey: string, userId: string): AccessToken {
    const accessToken: AccessToken = {
      token: `${userId}-${randomToken(30)}`,
      secret: randomToken(33),
      consumerKey,
      userId,
    };
    this.#accessTokens.set(accessToken.token, accessToken);
    return accessToken;
  }

  /** Twitter's access tokens do not expire; they only need to match the consumer. */
  accessToken(token: string, consumerKey: string): AccessToken | undefined {
    const found = this.#accessTokens.get(token);
    return found && found.consumerKey === consumerKey ? found : undefined;
  }

  #forgetExpired(): void {
    const now = this.clock();
    for (const [token, requestToken] of this.#requestTokens) {
      if (requestToken.expiresAtMs <= now) this.#requestTokens.delete(token);
    }
  }
}
