import type Provider from 'oidc-provider';

/**
 * One log line for every request oidc-provider answers with a server error.
 *
 * - oidc-provider catches the errors of its own endpoints and renders them itself ("oops!
 *   something went wrong", through renderError, or JSON) without a word in the log; it emits
 *   'server_error' once for each, from the authorization endpoint and every other endpoint alike.
 * - Its `*.error` events (grant.error, authorization.error, userinfo.error…) carry only the errors
 *   it shows the client, which are all 4xx: the client's problem, not ours.
 * - The line names the method, the path and the error's message, never the query or the body:
 *   they carry codes, verifiers and tokens.
 */
export function logServerErrors(provider: Provider, log: (line: string) => void = (line) => console.error(line)): void {
  provider.on('server_error', (ctx, error: unknown) => {
    log(`gateway: ${ctx.method} ${ctx.path} failed: ${error instanceof Error ? error.message : String(error)}`);
  });
}
