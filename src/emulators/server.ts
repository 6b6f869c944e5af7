/**
 * Serves both emulators on one port (`parley emulators`, PARLEY_EMULATOR_PORT, default 4300):
 *
 *   /twitter            Twitter API base  → PARLEY_TWITTER_API_URL=http://localhost:4300/twitter
 *   /facebook/www       www.facebook.com  → PARLEY_FACEBOOK_WWW_URL=http://localhost:4300/facebook/www
 *   /facebook/graph     graph.facebook.com → PARLEY_FACEBOOK_GRAPH_URL=http://localhost:4300/facebook/graph
 *   /twitter/__control, /facebook/__control   failure switches per emulator
 *   /__control          both at once (GET state, POST /reset)
 *   /                   a page listing credentials and test users
 *
 * close() also ends keep-alive connections and responses held by the "hang" failure, so it
 * resolves promptly and leaves nothing holding the event loop.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { describeControl } from './control-routes';
import { createFacebookEmulator, type FacebookEmulator, type FacebookEndpoint } from './facebook-routes';
import type { FailureControl } from './failure-control';
import { html, sendPage } from './html';
import { EmulatorConfigError, resolveHost, resolvePort, type StartEmulatorsOptions } from './options';
import type { FacebookTestUser, TwitterTestUser } from './test-users';
import { createTwitterEmulator, type TwitterEmulator, type TwitterEndpoint } from './twitter-routes';

export interface RunningEmulators {
  /** Root URL, e.g. http://127.0.0.1:4300. */
  readonly url: string;
  readonly twitter: {
    /** Value for PARLEY_TWITTER_API_URL. */
    readonly apiUrl: string;
    readonly control: FailureControl<TwitterEndpoint>;
    readonly consumerKey: string;
    readonly consumerSecret: string;
    readonly users: readonly TwitterTestUser[];
  };
  readonly facebook: {
    /** Value for PARLEY_FACEBOOK_WWW_URL. */
    readonly wwwUrl: string;
    /** Value for PARLEY_FACEBOOK_GRAPH_URL. */
    readonly graphUrl: string;
    readonly control: FailureControl<FacebookEndpoint>;
    readonly appId: string;
    readonly appSecret: string;
    readonly users: readonly FacebookTestUser[];
  };
  /** Stops listening and ends every open connection, hanging ones included. */
  close(): Promise<void>;
}

function indexPage(twitter: TwitterEmulator, facebook: FacebookEmulator): ReturnType<typeof html> {
  return html`<h1>Parley provider emulators</h1>
<p>Loopback stand-ins for Twitter (OAuth 1.0a) and Facebook (OAuth 2.0 and Graph) for development and tests.</p>
<h2>Twitter</h2>
<p>API base <code>/twitter</code>; consumer key <code>${twitter.consumerKey}</code>, secret <code>${twitter.consumerSecret}</code>.</p>
<ul>${twitter.users.map((u) => html`<li>${u.name} (@${u.screenName}, id ${u.idStr})</li>`)}</ul>
<h2>Facebook</h2>
<p>www base <code>/facebook/www</code>, Graph base <code>/facebook/graph</code>; app id <code>${facebook.appId}</code>, secret <code>${facebook.appSecret}</code>.</p>
<ul>${facebook.users.map((u) => html`<li>${u.name} (id ${u.id})</li>`)}</ul>`;
}

export function createEmulatorsApp(twitter: TwitterEmulator, facebook: FacebookEmulator): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/', (_req, res) => {
    sendPage(res, 200, { provider: undefined, title: 'Provider emulators', body: indexPage(twitter, facebook) });
  });
  app.get('/__control', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({
      twitter: describeControl(twitter.control),
      facebook: describeControl(facebook.control),
    });
  });
  app.post('/__control/reset', (_req, res) => {
    twitter.control.reset();
    facebook.control.reset();
    res.status(204).end();
  });
  app.use('/twitter', twitter.router);
  app.use('/facebook/__control', facebook.controlRouter);
  app.use('/facebook/www', facebook.wwwRouter);
  app.use('/facebook/graph', facebook.graphRouter);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'Emulators live under /twitter and /facebook.' });
  });
  return app;
}

/** The host as it goes into a URL: wildcard binds are reached through localhost. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    const onError = (error: NodeJS.ErrnoException): void => {
      server.close();
      reject(
        error.code === 'EADDRINUSE'
          ? new EmulatorConfigError('port', `${port} on ${host} is already in use; pass port: 0 for any free port`)
          : error,
      );
    };
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve(server);
    });
  });
}

/** Starts both emulators on one port; see the module comment for the layout. */
export async function startEmulators(options: StartEmulatorsOptions = {}): Promise<RunningEmulators> {
  const port = resolvePort(options.port);
  const host = resolveHost(options.host);
  const twitter = createTwitterEmulator(options.twitter);
  const facebook = createFacebookEmulator(options.facebook);
  const server = await listen(createEmulatorsApp(twitter, facebook), port, host);
  const url = `http://${urlHost(host)}:${(server.address() as AddressInfo).port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      twitter.releaseHanging();
      facebook.releaseHanging();
      server.closeAllConnections();
    });
    return closing;
  };

  return {
    url,
    twitter: {
      apiUrl: `${url}/twitter`,
      control: twitter.control,
      consumerKey: twitter.consumerKey,
      consumerSecret: twitter.consumerSecret,
      users: twitter.users,
    },
    facebook: {
      wwwUrl: `${url}/facebook/www`,
      graphUrl: `${url}/facebook/graph`,
      control: facebook.control,
      appId: facebook.appId,
      appSecret: facebook.appSecret,
      users: facebook.users,
    },
    close,
  };
}
