import type { SiteSubject } from '../../backchannel/protocol';
import { isRecord } from '../../../packages/verify/src/jws';
import { CommentApiError } from '../errors';

/**
 * The body of `POST /backchannel/export` and `POST /backchannel/erase` (protocol.ts
 * ExportRequest, EraseRequest): `{ subjects: [{ site, sub }, ...] }`, checked before anything is
 * read or written. Only the gateway can send one (its signature is checked first), so a bad one
 * is a bug on its side: 400 `invalid_request` naming what is wrong, so its log says.
 *
 * Fields the protocol does not name are ignored rather than refused: a newer gateway may send
 * more, and refusing would stop an erasure it retries forever.
 */

/** An account has one subject per site; no Parley install has anywhere near this many sites. */
export const MAX_SUBJECTS = 1000;
/** Site ids are at most 63 characters (sites.ts); a little room for ids of removed sites. */
const MAX_SITE_LENGTH = 100;
/** Pairwise subjects are 43 characters (tokens/claims.ts). */
const MAX_SUB_LENGTH = 255;

function refuse(message: string): never {
  throw new CommentApiError('invalid_request', message);
}

/** The request's subjects grouped by site, sites in order, duplicates dropped. */
export function parseSubjectsRequest(body: unknown): Map<string, string[]> {
  if (!isRecord(body)) refuse('The body must be a JSON object.');
  const { subjects } = body;
  if (!Array.isArray(subjects)) refuse('"subjects" must be a list of { site, sub }.');
  if (subjects.length > MAX_SUBJECTS) refuse(`"subjects" may list at most ${MAX_SUBJECTS} entries (got ${subjects.length}).`);
  const bySite = new Map<string, Set<string>>();
  subjects.forEach((entry: unknown, index) => {
    const { site, sub } = checkedSubject(entry, index);
    const subs = bySite.get(site) ?? new Set<string>();
    subs.add(sub);
    bySite.set(site, subs);
  });
  const sites = [...bySite.keys()].sort();
  return new Map(sites.map((site) => [site, [...bySite.get(site)!].sort()]));
}

function checkedSubject(entry: unknown, index: number): SiteSubject {
  if (!isRecord(entry)) refuse(`subjects[${index}] must be an object { site, sub }.`);
  const { site, sub } = entry;
  if (typeof site !== 'string' || site.length === 0 || site.length > MAX_SITE_LENGTH) {
    refuse(`subjects[${index}].site must be a site id of 1 to ${MAX_SITE_LENGTH} characters.`);
  }
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUB_LENGTH) {
    refuse(`subjects[${index}].sub must be a subject of 1 to ${MAX_SUB_LENGTH} characters.`);
  }
  return { site, sub };
}
