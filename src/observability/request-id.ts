import { randomUUID } from 'node:crypto';

/**
 * An incoming X-Request-Id is kept (so a proxy's id follows the request through) only when it is
 * at most 64 letters, digits, `_`, `:` or `-`: nothing that could forge a log line or carry an
 * email address, a JWT (no dots) or a sign-in link. A proxy's ids (UUIDs, hex) all fit.
 */
const SAFE_REQUEST_ID = /^[A-Za-z0-9_:-]{1,64}$/;

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** The caller's request id when it is safe to repeat, else a new random one. */
export function requestIdFrom(incoming: string | undefined): string {
  return incoming !== undefined && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
