import express from 'express';
import { createVerifier, getCommenter, requireCommenter, type Verifier } from '../../packages/verify/src';
import { createCommentService } from '../../src/comments';
import { serviceSettings } from '../comments/support';
import { makeDataDir } from './data-dir';
import { startTestGateway, type RunningTestGateway, type TestSite } from './gateway';
import { bindLoopback } from './listener';
import { testStoreEnv } from './postgres';

/**
 * The servers a blog backend using openid-client talks to, deployed as a blog owner would: a
 * gateway, and a comment service whose public URL (PARLEY_COMMENTS_URL, the tokens' audience) is
 * the address it really listens on. A DPoP proof names the URL the client called (`htu`), so the
 * usual test set-up (a service on a random port that calls itself http://localhost:4100) would
 * refuse every proof a real client makes.
 */
export interface Deployment {
  readonly gateway: RunningTestGateway;
  /** The comment service's public URL: where it listens, and the access tokens' `aud`. */
  readonly commentsUrl: string;
  stop(): Promise<void>;
}

export async function startDeployment(sites: TestSite[]): Promise<Deployment> {
  const listener = await bindLoopback();
  const commentsUrl = `http://127.0.0.1:${listener.port}`;
  const gateway = await startTestGateway({ sites, env: { PARLEY_COMMENTS_URL: commentsUrl } });
  const dataDir = makeDataDir();
  const settings = serviceSettings(gateway.issuer, dataDir, { PARLEY_COMMENTS_URL: commentsUrl, ...(await testStoreEnv(dataDir)) });
  const service = await createCommentService(settings, { log: () => undefined });
  listener.serve(service.app);
  return {
    gateway,
    commentsUrl,
    async stop() {
      await listener.close();
      await service.close();
      await gateway.stop();
    },
  };
}

/**
 * Another blog backend's own route, guarded by Parley's verifier as the README shows it:
 * `createVerifier({ issuer, audience, clientId })` for one site, `requireCommenter` in front of
 * the handler. It accepts the comment service's tokens (same audience) at its own address, its
 * `publicUrl`, and answers 201 with the commenter it let through.
 */
export interface VerifiedRoute {
  readonly url: string;
  readonly verifier: Verifier;
  close(): Promise<void>;
}

const VERIFIED_ROUTE_PATH = '/api/comments';

export async function startVerifiedRoute(issuer: string, audience: string, clientId: string): Promise<VerifiedRoute> {
  const listener = await bindLoopback();
  const publicUrl = `http://127.0.0.1:${listener.port}`;
  const verifier = createVerifier({ issuer, audience, clientId, publicUrl });
  const app = express();
  app.post(VERIFIED_ROUTE_PATH, requireCommenter(verifier), (_req, res) => {
    const commenter = getCommenter(res);
    res.status(201).json({ sub: commenter.sub, siteId: commenter.siteId });
  });
  listener.serve(app);
  return { url: `${publicUrl}${VERIFIED_ROUTE_PATH}`, verifier, close: () => listener.close() };
}
