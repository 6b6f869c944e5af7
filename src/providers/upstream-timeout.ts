import type { ClientRequest } from 'node:http';

/**
 * How long one upstream request may stay silent before we give up on it. A callback makes two in
 * a row (access token, then profile), so the commenter hears back within 10 seconds at worst.
 */
export const UPSTREAM_TIMEOUT_MS = 4_500;

export class UpstreamTimeoutError extends Error {
  override readonly name = 'UpstreamTimeoutError';
  readonly code = 'ERR_UPSTREAM_TIMEOUT';
}

function withTimeout(request: ClientRequest, timeoutMs: number, host: string): ClientRequest {
  request.setTimeout(timeoutMs, () => request.destroy(new UpstreamTimeoutError(`${host} did not answer within ${timeoutMs} ms`)));
  return request;
}

interface OAuth1Client {
  _createClient(port: string, hostname: string, method: string, path: string, headers: object, sslEnabled?: boolean): ClientRequest;
}

interface OAuth2Client {
  _executeRequest(httpLibrary: { request(options: object): ClientRequest }, options: { host?: string }, body: unknown, callback: unknown): void;
}

/**
 * node-oauth (under passport-oauth1 and passport-oauth2) sets no timeout on its requests, so a
 * provider that hangs would hang the commenter's popup. Every request it makes gets one; on
 * expiry the request fails with an error that passport reports like any other.
 */
export function applyUpstreamTimeouts(strategy: object, timeoutMs = UPSTREAM_TIMEOUT_MS): void {
  const oauth1 = (strategy as { _oauth?: Partial<OAuth1Client> })._oauth;
  if (oauth1 && typeof oauth1._createClient === 'function') {
    const create = oauth1._createClient.bind(oauth1);
    oauth1._createClient = (port, hostname, method, path, headers, sslEnabled) =>
      withTimeout(create(port, hostname, method, path, headers, sslEnabled), timeoutMs, hostname);
  }
  const oauth2 = (strategy as { _oauth2?: Partial<OAuth2Client> })._oauth2;
  if (oauth2 && typeof oauth2._executeRequest === 'function') {
    const execute = oauth2._executeRequest.bind(oauth2);
    oauth2._executeRequest = (httpLibrary, options, body, callback) =>
      execute({ request: (requestOptions: object) => withTimeout(httpLibrary.request(requestOptions), timeoutMs, options.host ?? 'provider') }, options, body, callback);
  }
}
