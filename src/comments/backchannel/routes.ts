import { Router } from 'express';
import type { Site } from '../../config/sites';
import type { DpopReplayStore } from '../../../packages/verify/src';
import { BACKCHANNEL_PATHS } from '../../backchannel/protocol';
import type { CommentsDb } from '../database';
import type { ResolvedCommentServiceOptions } from '../options';
import type { ThreadCache } from '../thread-cache';
import { authenticateGateway } from './gateway-authentication';
import { eraseRoute, exportRoute } from './commenter-data';
import { replyNoticesRoute } from './reply-notices';

export interface BackchannelRouteDeps {
  readonly db: CommentsDb;
  readonly sites: ReadonlyMap<string, Site>;
  readonly options: ResolvedCommentServiceOptions;
  /** Erasure changes threads: their cached answers must go. */
  readonly threads: ThreadCache;
}

/**
 * The comment service's side of the back-channel (src/backchannel/protocol.ts): routes only the
 * gateway can call, each request signed by it for exactly that request. Never CORS-enabled.
 */
export function backchannelRoutes(deps: BackchannelRouteDeps & { readonly issuer: string; readonly audience: string; readonly replayStore: DpopReplayStore }): Router {
  const router = Router();
  const gatewayOnly = authenticateGateway({ issuer: deps.issuer, audience: deps.audience, replayStore: deps.replayStore, clock: deps.options.clock });
  router.get(BACKCHANNEL_PATHS.replies, ...gatewayOnly, replyNoticesRoute(deps));
  router.post(BACKCHANNEL_PATHS.export, ...gatewayOnly, exportRoute(deps));
  router.post(BACKCHANNEL_PATHS.erase, ...gatewayOnly, eraseRoute(deps));
  return router;
}
