import type { Page } from 'playwright-core';
import { runTokens } from '../../../src/commands/tokens';
import { authorizationFor } from './dpop';
import { SITE_ID, type Stack } from './stack';
import { widget } from './widget';

/**
 * What the browser tests see of the comment service from outside the widget: the POSTs the page
 * sent, the thread as the API serves it, and the same API called with a token the test holds.
 */

/** One POST the page sent to the Comment API, with the service's answer. */
export interface SentPost {
  readonly idempotencyKey: string | undefined;
  readonly status: number;
  /** The service's `Idempotent-Replayed` header: it answered from its idempotency record. */
  readonly replayed: boolean;
}

/** Records, from now on, every POST the page sends to the Comment API and how it was answered. */
export function recordPosts(page: Page, stack: Stack): SentPost[] {
  const sent: SentPost[] = [];
  page.on('response', (response) => {
    const request = response.request();
    if (request.method() !== 'POST' || !request.url().startsWith(`${stack.commentsUrl}/api/`)) return;
    const headers = response.headers();
    sent.push({ idempotencyKey: request.headers()['idempotency-key'], status: response.status(), replayed: headers['idempotent-replayed'] === 'true' });
  });
  return sent;
}

/** The post the demo page shows comments for. */
export async function postIdOf(page: Page): Promise<string> {
  return (await widget(page).getAttribute('data-parley-post'))!;
}

export async function commentsUrlFor(page: Page, stack: Stack): Promise<string> {
  return `${stack.commentsUrl}/api/sites/${SITE_ID}/posts/${encodeURIComponent(await postIdOf(page))}/comments`;
}

/** The bodies of the post's comments, as the Comment API lists them. */
export async function bodiesOnServer(page: Page, stack: Stack): Promise<string[]> {
  const response = await fetch(await commentsUrlFor(page, stack), { headers: { accept: 'application/json' } });
  const listed = (await response.json()) as { comments: Array<{ body: string }> };
  return listed.comments.map((comment) => comment.body);
}

/** The draft the widget keeps in the tab (body, reply target and its Idempotency-Key). */
export async function storedDraft(page: Page): Promise<{ body: string; idempotencyKey: string } | null> {
  const key = `parley.draft:${SITE_ID}:${await postIdOf(page)}`;
  return page.evaluate((storageKey) => {
    const raw = sessionStorage.getItem(storageKey);
    return raw === null ? null : (JSON.parse(raw) as { body: string; idempotencyKey: string });
  }, key);
}

/**
 * POSTs a comment with a token the test holds, as another client of the Comment API would; a
 * DPoP-bound token goes with a proof signed in the page by the widget's key for it.
 */
export async function postAs(page: Page, stack: Stack, token: string, body: unknown, idempotencyKey?: string): Promise<Response> {
  const url = await commentsUrlFor(page, stack);
  return fetch(url, {
    method: 'POST',
    headers: {
      ...(await authorizationFor(page, token, 'POST', url)),
      'content-type': 'application/json',
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
    body: JSON.stringify(body),
  });
}

/**
 * Whether the comment service refuses the token, asked without creating anything: the body is
 * invalid, so a token it accepts gets 400/422 and a refused one 401.
 */
export async function refusesToken(page: Page, stack: Stack, token: string): Promise<boolean> {
  return (await postAs(page, stack, token, {})).status === 401;
}

/** Keeps asking until the comment service refuses the token (revocation reaches it within 5 s). */
export async function untilRefused(page: Page, stack: Stack, token: string, deadlineMs = 10_000): Promise<void> {
  const startedAt = Date.now();
  while (!(await refusesToken(page, stack, token))) {
    if (Date.now() - startedAt > deadlineMs) throw new Error(`the comment service still accepts the token after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function claimsOf(token: string): { exp: number; sub: string } {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number; sub: string };
}

/** The `exp` of a JWT, in milliseconds since the epoch. */
export function expiryOf(token: string): number {
  return claimsOf(token).exp * 1000;
}

/**
 * `parley tokens revoke <site> <sub>`, the operator's command, for the commenter holding the
 * token: every token issued to them so far is refused; they can log in again.
 */
export async function revokeAsOperator(stack: Stack, token: string): Promise<void> {
  await runTokens(stack.settings, ['revoke', SITE_ID, claimsOf(token).sub], () => undefined);
}

/** Revokes an access token at the gateway (RFC 7009), as the site's public client. */
export async function revokeAtGateway(stack: Stack, token: string): Promise<number> {
  const response = await fetch(`${stack.gatewayUrl}/token/revocation`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, token_type_hint: 'access_token', client_id: SITE_ID }).toString(),
  });
  return response.status;
}
