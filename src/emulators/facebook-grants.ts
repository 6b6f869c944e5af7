/**
 * What the Facebook emulator hands out and must remember: open sign-in dialogs (the validated
 * request behind a page a person has not answered yet), authorization codes bound to the
 * client, the exact redirect_uri and the PKCE challenge of their dialog, and access tokens.
 * Everything lives in memory.
 */
import { randomToken } from './crypto-util';
import type { Clock } from './options';
import type { CodeChallengeMethod } from './pkce';

export interface DialogRequest {
  readonly ticket: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string | undefined;
  readonly scopes: readonly string[];
  readonly codeChallenge: string | undefined;
  readonly codeChallengeMethod: CodeChallengeMethod | undefined;
  readonly expiresAtMs: number;
}

export interface AuthorizationCode {
  readonly code: string;
  readonly clientId: string;
  /** Compared character for character at the token endpoint. */
  readonly redirectUri: string;
  readonly userId: string;
  readonly scopes: readonly string[];
  readonly codeChallenge: string | undefined;
  readonly codeChallengeMethod: CodeChallengeMethod | undefined;
  readonly expiresAtMs: number;
  /** The token it was exchanged for; set means the code is used up. */
  issuedToken?: string;
}

export interface FacebookAccessToken {
  readonly token: string;
  readonly clientId: string;
  readonly userId: string;
  readonly scopes: readonly string[];
  readonly expiresAtMs: number;
  revoked: boolean;
}

export interface GrantLifetimes {
  readonly dialogMs: number;
  readonly codeMs: number;
  readonly accessTokenMs: number;
}

const FORGET_CODES_AFTER_MS = 24 * 60 * 60 * 1000;

/** Facebook user access tokens begin with "EAA" followed by letters and digits. */
export function looksLikeFacebookToken(token: string): boolean {
  return /^EAA[A-Za-z0-9]{20,}$/.test(token);
}

export class FacebookGrantStore {
  readonly #dialogs = new Map<string, DialogRequest>();
  readonly #codes = new Map<string, AuthorizationCode>();
  readonly #tokens = new Map<string, FacebookAccessToken>();

  constructor(
    private readonly clock: Clock,
    private readonly lifetimes: GrantLifetimes,
  ) {}

  openDialog(request: Omit<DialogRequest, 'ticket' | 'expiresAtMs'>): DialogRequest {
    this.#forgetExpired();
    const dialog: DialogRequest = {
      ...request,
      ticket: randomToken(24),
      expiresAtMs: this.clock() + this.lifetimes.dialogMs,
    };
    this.#dialogs.set(dialog.ticket, dialog);
    return dialog;
  }

  /** The open dialog behind a ticket; answering it closes it. */
  takeDialog(ticket: string): DialogRequest | undefined {
    const dialog = this.#dialogs.get(ticket);
    this.#dialogs.delete(ticket);
    return dialog && dialog.expiresAtMs > this.clock() ? dialog : undefined;
  }

  issueCode(dialog: DialogRequest, userId: string): AuthorizationCode {
    const code: AuthorizationCode = {
      code: `AQ${randomToken(48)}`,
      clientId: dialog.clientId,
      redirectUri: dialog.redirectUri,
      userId,
      scopes: dialog.scopes,
      codeChallenge: dialog.codeChallenge,
      codeChallengeMethod: dialog.codeChallengeMethod,
      expiresAtMs: this.clock() + this.lifetimes.codeMs,
    };
    this.#codes.set(code.code, code);
    return code;
  }

  findCode(code: string): AuthorizationCode | undefined {
    return this.#codes.get(code);
  }

  isExpired(code: AuthorizationCode): boolean {
    return code.expiresAtMs <= this.clock();
  }

  /** Exchanges a code; the code is used up and remembers its token. */
  redeem(code: AuthorizationCode): FacebookAccessToken {
    const token: FacebookAccessToken = {
      token: `EAA${randomToken(96).replace(/[^A-Za-z0-9]/g, '')}`,
      clientId: code.clientId,
      userId: code.userId,
      scopes: code.scopes,
      expiresAtMs: this.clock() + this.lifetimes.accessTokenMs,
      revoked: false,
    };
    code.issuedToken = token.token;
    this.#tokens.set(token.token, token);
    return token;
  }

  /**
   * RFC 6749 §4.1.2: when a code is presented twice the server "SHOULD revoke (when possible)
   * all tokens previously issued based on that authorization code".
   */
  revokeTokenOf(code: AuthorizationCode): void {
    const token = code.issuedToken === undefined ? undefined : this.#tokens.get(code.issuedToken);
    if (token) token.revoked = true;
  }

  findToken(token: string): FacebookAccessToken | undefined {
    return this.#tokens.get(token);
  }

  now(): number {
    return this.clock();
  }

  #forgetExpired(): void {
    const now = this.clock();
    for (const [ticket, dialog] of this.#dialogs) if (dialog.expiresAtMs <= now) this.#dialogs.delete(ticket);
    // Used or expired codes are kept a day so a late replay still gets "has been used".
    for (const [value, code] of this.#codes) if (code.expiresAtMs + FORGET_CODES_AFTER_MS <= now) this.#codes.delete(value);
  }
}
