import { Router } from 'express';
import type { RevocationStore, StoredRevocation } from '../store/revocations';

/** Where verifiers poll; advertised in discovery as `revocation_feed_endpoint`. */
export const REVOCATION_FEED_PATH = '/revocations';
/** The discovery member that names it, as the verifier reads it. */
export { REVOCATION_FEED_FIELD as REVOCATION_FEED_DISCOVERY_FIELD } from '../../packages/verify/src/issuer-documents';
/** Events per answer at most; a verifier asks again at once while `moreAvailable` is true. */
const PAGE_SIZE = 500;
/**
 * Bytes of events per answer at most: half of what a verifier reads of one answer (256 KiB,
 * packages/verify/src/issuer-documents.ts). A SET is 600–900 bytes, so a page by count alone (500) was
 * larger than that, and a verifier facing a busy feed could read none of it.
 */
export const PAGE_MAX_BYTES = 128 * 1024;

/**
 * The revocation feed: `GET /revocations?after=<cursor>` answers
 * `{ sets: { <jti>: <SET> }, moreAvailable, cursor }` — the answer of RFC 8936 poll delivery,
 * with a cursor in place of acknowledgements (verifiers are many and anonymous, so the gateway
 * keeps no state per receiver). Without `after`, every event still in force. Public: the events
 * name only pairwise subjects and opaque session handles, which mean nothing to anyone but the
 * site they were issued to.
 */
export function revocationFeedRoutes(store: RevocationStore): Router {
  const router = Router();
  router.get(REVOCATION_FEED_PATH, async (req, res) => {
    const after = typeof req.query['after'] === 'string' && /^\d{1,15}$/.test(req.query['after']) ? Number(req.query['after']) : 0;
    if (req.query['after'] !== undefined && after === 0 && req.query['after'] !== '0') {
      return void res.status(400).json({ error: 'invalid_request', message: 'after must be a cursor from an earlier answer' });
    }
    const events = await store.listAfter(after, PAGE_SIZE + 1);
    const page = takeWithin(events.slice(0, PAGE_SIZE), PAGE_MAX_BYTES);
    res.set('Cache-Control', 'no-store');
    res.set('Access-Control-Allow-Origin', '*');
    res.json({
      sets: Object.fromEntries(page.map((event) => [event.jti, event.jwt])),
      moreAvailable: events.length > page.length,
      cursor: String(page.at(-1)?.seq ?? after),
    });
  });
  return router;
}

/** The leading events whose JSON (`"<jti>":"<jwt>",`) fits in `maxBytes`; at least one. */
function takeWithin(events: readonly StoredRevocation[], maxBytes: number): StoredRevocation[] {
  let bytes = 0;
  let count = 0;
  for (const event of events) {
    bytes += event.jti.length + event.jwt.length + 6;
    if (count > 0 && bytes > maxBytes) break;
    count += 1;
  }
  return events.slice(0, count);
}
