import type { RequestHandler } from 'express';
import type { BackchannelRouteDeps } from './routes';

/** SKELETON: being built (issue 15, item 2). `GET /backchannel/replies`: the reply outbox (protocol.ts RepliesPage). */
export function replyNoticesRoute(_deps: BackchannelRouteDeps): RequestHandler {
  return (_req, res) => void res.status(501).json({ error: 'not_implemented', message: 'not yet' });
}
