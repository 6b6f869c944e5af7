import express from 'express';
import type { Settings } from '../config/settings';
import { listen, type RunningServer } from '../http/listen';
import { demoPostPage } from './page';
import { demoSite } from './site-origins';

/** Serves the demo blog page on PARLEY_DEMO_PORT (0: any free port; the result says which). */
export async function runDemoBlog(settings: Settings, host = '127.0.0.1'): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  const siteId = demoSite(settings).id;
  app.get('/', (_req, res) => {
    res.type('html').send(demoPostPage({ commentsUrl: settings.comments.url, gatewayUrl: settings.gateway.issuer, siteId }));
  });
  return listen(app, settings.demo.port, host);
}
