import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * Security headers for every gateway response. Pages load scripts and styles from the gateway
 * only, are never framed (clickjacking a sign-in page is how consent gets stolen) and send no
 * Referer, so a code or link token in a URL never leaks to another site.
 */
export function securityHeaders(options: { production: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'https:', 'data:'],
        connectSrc: ["'self'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        ...(options.production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    // The sign-in popup must keep its opener: the relay page posts the code back to the blog's
    // window. helmet's default (same-origin) severs it at the first gateway page.
    crossOriginOpenerPolicy: { policy: 'unsafe-none' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: options.production ? { maxAge: 31536000, includeSubDomains: true } : false,
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
}
