/**
 * Graph API version path segments. Facebook serves `/v19.0/...` and, for the oldest available
 * version, unversioned paths; the emulator accepts any `v<major>.<minor>` and none.
 */
import type { Request } from 'express';

const GRAPH_VERSION = /^v\d+\.\d+$/;

/** Both forms of a path: `/dialog/oauth` and `/:version/dialog/oauth`. */
export function versioned(path: string): string[] {
  return [path, `/:version${path}`];
}

/** False when the first segment is not a version, so the route should pass the request on. */
export function hasValidVersion(req: Request): boolean {
  const version: unknown = req.params['version'];
  return version === undefined || (typeof version === 'string' && GRAPH_VERSION.test(version));
}
