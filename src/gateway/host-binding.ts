import type { RequestHandler } from 'express';

/**
 * Paths a load balancer or container health check probes by address (`Host: 10.0.0.7:4000`).
 * They build no URL and say nothing about the issuer, so they answer for any host.
 */
const PROBE_PATHS = new Set(['/health', '/healthz', '/readyz']);

/** The host as a URL would write it: lower case, default port dropped; undefined when malformed. */
function normalisedHost(protocol: string, value: string): string | undefined {
  if (value === '' || /[\s/\\?#@]/.test(value)) return undefined;
  try {
    return new URL(`${protocol}//${value}`).host;
  } catch {
    return undefined;
  }
}

/**
 * The gateway answers only for the host of its issuer, and everything after this sees the
 * issuer's own host and scheme.
 *
 * - oidc-provider builds its endpoint URLs (discovery, the sign-in's return address) from the
 *   request's Host, or X-Forwarded-Host and X-Forwarded-Proto behind a trusted proxy. A forged
 *   header would publish an attacker's endpoints under our issuer, and a shared cache would keep
 *   them. So another Host gets 421 Misdirected Request (RFC 9110 §15.5.20) before oidc-provider
 *   sees the request; so does another X-Forwarded-Host when proxy headers are believed.
 * - Then Host is set to the issuer's and the forwarded headers are pinned to the issuer's scheme:
 *   every absolute URL anybody builds from the request is the issuer's, whatever the proxy sent.
 */
export function issuerHostOnly(issuer: string, options: { trustProxy: boolean }): RequestHandler {
  const { protocol, host: issuerHost } = new URL(issuer);
  const scheme = protocol.slice(0, -1);
  return (req, res, next) => {
    if (PROBE_PATHS.has(req.path)) return next();
    const hosts = [req.headers.host ?? ''];
    const forwardedHost = req.headers['x-forwarded-host'];
    if (options.trustProxy && forwardedHost !== undefined) hosts.push(...String(forwardedHost).split(','));
    if (!hosts.every((value) => normalisedHost(protocol, value.trim()) === issuerHost)) {
      res.status(421).type('text/plain').set('Cache-Control', 'no-store').send(`This server answers only for ${issuerHost}.\n`);
      return;
    }
    req.headers.host = issuerHost;
    delete req.headers['x-forwarded-host'];
    if (options.trustProxy) req.headers['x-forwarded-proto'] = scheme;
    else delete req.headers['x-forwarded-proto'];
    next();
  };
}
