/**
 * The Facebook emulator: Facebook Login's manual (server-side) flow and the slice of Graph it
 * needs, any `v<major>.<minor>` version segment accepted.
 *
 *   www   (PARLEY_FACEBOOK_WWW_URL)    GET|POST /:version/dialog/oauth       facebook-dialog.ts
 *   graph (PARLEY_FACEBOOK_GRAPH_URL)  GET|POST /:version/oauth/access_token  facebook-graph.ts
 *                                      GET      /:version/me
 *   control                            failure switches                        control-routes.ts
 */
import type { ErrorRequestHandler, Router } from 'express';
import { createControlRouter } from './control-routes';
import { createDialogRouter } from './facebook-dialog';
import { FACEBOOK_ERRORS, sendFacebookError } from './facebook-errors';
import { createGraphRouter } from './facebook-graph';
import { FacebookGrantStore } from './facebook-grants';
import { FailureControl } from './failure-control';
import { HangingResponses } from './failure-middleware';
import { resolveFacebookOptions, SIGN_IN_PAGE_TTL_SECONDS, type FacebookEmulatorOptions } from './options';
import type { FacebookTestUser } from './test-users';

export type FacebookEndpoint = 'dialog' | 'access_token' | 'me';

export interface FacebookEmulator {
  /** Mount at the www base URL, e.g. app.use('/facebook/www', emulator.wwwRouter). */
  readonly wwwRouter: Router;
  /** Mount at the Graph base URL, e.g. app.use('/facebook/graph', emulator.graphRouter). */
  readonly graphRouter: Router;
  /** Failure switches over HTTP; mount where tests can reach it, e.g. /facebook/__control. */
  readonly controlRouter: Router;
  readonly control: FailureControl<FacebookEndpoint>;
  readonly appId: string;
  readonly appSecret: string;
  readonly users: readonly FacebookTestUser[];
  /** Ends every response held by a "hang" failure. */
  releaseHanging(): void;
}

/** Body-parser 4xx (too large, bad encoding) keep their status; anything else is Graph's code 1. */
const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    sendFacebookError(res, { ...FACEBOOK_ERRORS.unknownError, status });
    return;
  }
  if (process.env['NODE_ENV'] !== 'test') console.error('facebook emulator:', error);
  sendFacebookError(res, FACEBOOK_ERRORS.unknownError);
};

export function createFacebookEmulator(options: FacebookEmulatorOptions = {}): FacebookEmulator {
  const config = resolveFacebookOptions(options);
  const grants = new FacebookGrantStore(config.clock, {
    dialogMs: SIGN_IN_PAGE_TTL_SECONDS * 1000,
    codeMs: config.codeTtlSeconds * 1000,
    accessTokenMs: config.accessTokenTtlSeconds * 1000,
  });
  const hangs = new HangingResponses();
  const control = new FailureControl<FacebookEndpoint>({
    provider: 'facebook',
    endpoints: [
      { name: 'dialog', interactive: true },
      { name: 'access_token', interactive: false },
      { name: 'me', interactive: false },
    ],
    userIds: config.users.map((u) => u.id),
  });
  const context = { config, grants, control, hangs };

  const wwwRouter = createDialogRouter(context);
  const graphRouter = createGraphRouter(context);
  wwwRouter.use(onError);
  graphRouter.use(onError);

  return {
    wwwRouter,
    graphRouter,
    controlRouter: createControlRouter(control),
    control,
    appId: config.appId,
    appSecret: config.appSecret,
    users: config.users,
    releaseHanging: () => hangs.releaseAll(),
  };
}
