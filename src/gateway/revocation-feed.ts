import { Router } from 'express';
import type { RevocationStore } from '../store/revocations';

/** Where verifiers poll; advertised in discovery as `revocation_feed_endpoint`. */
export const REVOCATION_FEED_PATH = '/revocations';
/** The discovery member that names it, as the verifier reads it. */
export { REVOCATION_FEED_FIELD as REVOCATION_FEED_DISCOVERY_FIELD } from '../verify/issuer-documents';
/** Events per answer; a verifier asks again at once while `moreAvailable` is true. */
const PAGE_SIZE = 500;

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
    const page = events.slice(0, PAGE_SIZE);
    res.set('Cache-Control', 'no-store');
    res.set('Access-Control-Allow-Origin', '*');
    res.json({
      sets: Object.fromEntries(page.map((event) => [event.jti, event.jwt])),
      moreAvailable: events.length > PAGE_SIZE,
      cursor: String(page.at(-1)?.seq ?? after),
    });
  });
  return router;
}
