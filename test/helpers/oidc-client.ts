import { createHash, randomBytes } from 'node:crypto';
import { TestBrowser, extract, type BrowserResponse } from './browser';
import { COMMENTS_URL, SITE_ORIGIN } from './gateway';

/** What the widget keeps while a sign-in is under way. */
export interface PendingAuthorization {
  readonly siteId: string;
  readonly redirectUri: string;
  readonly verifier: string;
  readonly state: string;
}

export interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  code_challenge_methods_supported?: string[];
  [key: string]: unknown;
}

export async function discover(issuer: string): Promise<Discovery> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (response.status !== 200) throw new Error(`discovery answered ${response.status}`);
  return (await response.json()) as Discovery;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Opens the authorization request in the "popup", as the widget does. */
export async function authorize(
  browser: TestBrowser,
  discovery: Discovery,
  options: { siteId?: string; provider?: string; params?: Record<string, string> } = {},
): Promise<{ pending: PendingAuthorization; response: BrowserResponse }> {
  const siteId = options.siteId ?? 'demo-blog';
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(16).toString('base64url');
  const redirectUri = `${discovery.issuer}/relay/${siteId}`;
  const url = new URL(discovery.authorization_endpoint);
  const params: Record<string, string> = {
    client_id: siteId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid profile comments',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(options.provider ? { provider: options.provider } : {}),
    ...options.params,
  };
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const response = await browser.get(url.href);
  return { pending: { siteId, redirectUri, verifier, state }, response };
}

/** The interaction uid in a gateway page's URL. */
export function interactionUid(response: BrowserResponse): string {
  return extract(response.url, /\/interaction\/([^/?#]+)/);
}

/** The code (and state, iss) the relay page would post to the opener. */
export function relayParams(response: BrowserResponse): URLSearchParams {
  if (!/\/relay\//.test(response.url)) throw new Error(`expected the relay page, got ${response.status} ${response.url}\n${response.text.slice(0, 1500)}`);
  return new URL(response.url).searchParams;
}

export async function redeemCode(
  discovery: Discovery,
  pending: PendingAuthorization,
  code: string,
  overrides: Record<string, string | undefined> = {},
  origin: string | undefined = SITE_ORIGIN,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const form: Record<string, string> = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: pending.redirectUri,
    client_id: pending.siteId,
    code_verifier: pending.verifier,
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete form[key];
    else form[key] = value;
  }
  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin ? { origin } : {}) },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

export interface MailboxMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: string;
}

export async function readMailbox(issuer: string, to: string): Promise<MailboxMessage[]> {
  const response = await fetch(`${issuer}/dev/mailbox?to=${encodeURIComponent(to)}`);
  if (response.status !== 200) throw new Error(`mailbox answered ${response.status}`);
  return ((await response.json()) as { messages: MailboxMessage[] }).messages;
}

export function linkIn(message: MailboxMessage): string {
  return extract(message.text, /(https?:\/\/\S+\/email\/confirm\?token=[A-Za-z0-9_-]+)/);
}

export function codeIn(message: MailboxMessage): string {
  return extract(message.text, /Your code: (\d{6})/);
}

export { COMMENTS_URL };
