import type { Discovery } from './discovery';
import { correctClockFrom, createDpopProof } from './dpop-proof';
import type { ProofKey } from './proof-key';
import type { IdentityProvider } from './token';

/** What a tab keeps while a sign-in is under way. */
export interface PendingSignIn {
  readonly state: string;
  readonly verifier: string;
  readonly redirectUri: string;
  readonly siteId: string;
  readonly postId: string;
  readonly createdAt: number;
  /**
   * The Idempotency-Key of the draft to post once this sign-in succeeds: it was started by "Post
   * Comment" (the token had run out), so the reader should not have to press it twice.
   */
  readonly thenPost?: string | undefined;
}

/** What the relay page hands back: a code, or an error (RFC 6749 §4.1.2). */
export interface AuthorizationResponse {
  readonly state: string;
  readonly code?: string | undefined;
  readonly iss?: string | undefined;
  readonly error?: string | undefined;
  readonly error_description?: string | undefined;
}

export const AUTHORIZATION_RESPONSE_TYPE = 'parley:authorization_response';

/** The site's relay page on the gateway: its registered redirect URI. */
export function relayUri(issuer: string, siteId: string): string {
  return `${issuer}/relay/${encodeURIComponent(siteId)}`;
}

export function authorizationUrl(
  discovery: Discovery,
  input: { siteId: string; state: string; challenge: string; provider?: IdentityProvider | undefined; forceLogin?: boolean },
): string {
  const url = new URL(discovery.authorization_endpoint);
  const params: Record<string, string> = {
    client_id: input.siteId,
    redirect_uri: relayUri(discovery.issuer, input.siteId),
    response_type: 'code',
    scope: 'openid profile comments',
    state: input.state,
    code_challenge: input.challenge,
    code_challenge_method: 'S256',
  };
  if (input.provider) params['provider'] = input.provider;
  if (input.forceLogin) params['prompt'] = 'login';
  for (const key of Object.keys(params)) url.searchParams.set(key, params[key]!);
  return url.href;
}

/** Reads a postMessage or hand-off payload; undefined unless it is an authorization response. */
export function toAuthorizationResponse(data: unknown): AuthorizationResponse | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const raw = data as Record<string, unknown>;
  if (raw['type'] !== AUTHORIZATION_RESPONSE_TYPE || typeof raw['state'] !== 'string') return undefined;
  const optional = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);
  return { state: raw['state'], code: optional('code'), iss: optional('iss'), error: optional('error'), error_description: optional('error_description') };
}

export type ResponseProblem = 'state_mismatch' | 'issuer_mismatch' | 'no_code';

/**
 * Checks an authorization response against the sign-in this tab started: the exact state (no
 * login CSRF), and the issuer (RFC 9207, against mix-up). Undefined means it may be redeemed.
 */
export function checkAuthorizationResponse(response: AuthorizationResponse, pending: PendingSignIn, discovery: Discovery): ResponseProblem | undefined {
  if (response.state !== pending.state) return 'state_mismatch';
  if (response.iss !== undefined ? response.iss !== discovery.issuer : discovery.authorization_response_iss_parameter_supported === true) {
    return 'issuer_mismatch';
  }
  if (response.error === undefined && !response.code) return 'no_code';
  return undefined;
}

export class TokenRequestError extends Error {
  constructor(
    /** `dpop_required`: most likely the site takes only DPoP-bound tokens, and no proof could be sent. */
    readonly reason: 'unreachable' | 'rejected' | 'dpop_required',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Redeems the code at the token endpoint with the PKCE verifier (RFC 6749 §4.1.3, RFC 7636 §4.5).
 * With a proof key, the request carries a DPoP proof and the token comes back bound to that key
 * (`token_type` DPoP, RFC 9449 §5); a proof refused once (a clock off, or a nonce asked for) is
 * sent again, fresh, once. Without one the token is a plain Bearer token.
 */
export async function redeemCode(discovery: Discovery, pending: PendingSignIn, code: string, proofKey: ProofKey | undefined): Promise<string> {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: pending.redirectUri,
    client_id: pending.siteId,
    code_verifier: pending.verifier,
  }).toString();
  let answer = await requestToken(discovery.token_endpoint, body, proofKey, undefined);
  if (proofKey && answer.refusedProof) {
    correctClockFrom(answer.response.headers.get('date'));
    answer = await requestToken(discovery.token_endpoint, body, proofKey, answer.response.headers.get('dpop-nonce') ?? undefined);
  }
  const response = answer.response;
  const json = answer.json;
  // A site that requires DPoP (`dpop_bound_access_tokens`) refuses a redemption without a proof
  // as invalid_grant, and oidc-provider does not say why ("grant request is invalid"). Without a
  // key, that is the likely reason (a code is otherwise redeemed at once, by this very tab).
  if (!proofKey && response.status === 400 && json.error === 'invalid_grant') {
    throw new TokenRequestError('dpop_required', `token endpoint answered ${response.status} invalid_grant to a request without a DPoP proof`);
  }
  const expectedType = proofKey ? 'dpop' : 'bearer';
  if (!response.ok || typeof json.access_token !== 'string' || String(json.token_type).toLowerCase() !== expectedType) {
    throw new TokenRequestError('rejected', `token endpoint answered ${response.status} ${String(json.error ?? '')}`);
  }
  return json.access_token;
}

interface TokenAnswer {
  readonly response: Response;
  readonly json: { access_token?: unknown; token_type?: unknown; error?: unknown; error_description?: unknown };
  /** The proof was refused in a way a fresh one may fix (RFC 9449 §5.1 and §8). */
  readonly refusedProof: boolean;
}

async function requestToken(tokenEndpoint: string, body: string, proofKey: ProofKey | undefined, nonce: string | undefined): Promise<TokenAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  let response: Response;
  try {
    if (proofKey) headers['dpop'] = await createDpopProof(proofKey, { method: 'POST', url: tokenEndpoint, nonce });
    response = await fetch(tokenEndpoint, { method: 'POST', credentials: 'omit', headers, body });
  } catch {
    throw new TokenRequestError('unreachable', 'the token endpoint cannot be reached');
  }
  const json = (await response.json().catch(() => ({}))) as TokenAnswer['json'];
  return { response, json, refusedProof: response.status === 400 && (json.error === 'invalid_dpop_proof' || json.error === 'use_dpop_nonce') };
}
