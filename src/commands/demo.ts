import type { Settings } from '../config/settings';
import { ConfigError } from '../config/errors';
import { runGateway } from './gateway';
import { runDemoBlog } from '../demo/server';
import { runEmulators, withEmulatedProviders } from './emulators';
import { runComments } from './comments';
import { withDemoPageOrigins } from '../demo/site-origins';

/**
 * `parley demo` (what `npm start` runs): everything a new user needs to try Parley on one machine
 * with nothing configured.
 */
export async function runDemo(settings: Settings): Promise<{ close(): Promise<void> }> {
  if (settings.production) throw new Error('the demo is for development only; unset NODE_ENV=production');
  const started: { close(): Promise<void> }[] = [];
  // Stops what has started, last first (also what a failed start leaves running).
  const closeStarted = async () => {
    for (const service of started.splice(0).reverse()) await service.close();
  };
  try {
    // The demo page listens first: its port (PARLEY_DEMO_PORT, or any free one for 0) decides the
    // demo site's origins, which the gateway and the comment service must know from the start.
    const blog = await runDemoBlog(settings);
    started.push(blog);
    // Providers without real credentials are wired to the loopback emulators.
    const emulators = !settings.twitter || !settings.facebook ? await runEmulators(settings) : undefined;
    if (emulators) started.push(emulators);
    const demoSettings = withDemoPageOrigins(emulators ? withEmulatedProviders(settings, emulators) : settings, blog.port);
    started.push(await runGateway(demoSettings));
    started.push((await runComments(withCommentsMetricsPort(demoSettings), []))!);
    printWelcome(settings, blog.port, emulators?.url);
  } catch (error) {
    await closeStarted();
    throw error;
  }
  return { close: closeStarted };
}

/**
 * Both services run in this one process, each with its own metrics: the gateway's on
 * PARLEY_METRICS_PORT, the comment service's on the port after it (or any free one for 0).
 */
function withCommentsMetricsPort(settings: Settings): Settings {
  const { metricsPort } = settings.observability;
  if (metricsPort === undefined || metricsPort === 0) return settings;
  if (metricsPort === 65535) throw new ConfigError('PARLEY_METRICS_PORT', 'must leave the next port free in the demo (the comment service serves its metrics there)');
  return { ...settings, observability: { ...settings.observability, metricsPort: metricsPort + 1 } };
}

/** Where everything is, for the person who just ran `npm start`. */
function printWelcome(settings: Settings, demoPort: number, emulatorsUrl: string | undefined): void {
  const demoUrl = `http://localhost:${demoPort}/`;
  console.log(
    [
      '',
      'Parley demo is running:',
      `  Demo blog post:  ${demoUrl}`,
      `  Gateway:         ${settings.gateway.issuer}  (discovery: ${settings.gateway.issuer}/.well-known/openid-configuration)`,
      `  Comments:        ${settings.comments.url}  (the widget: ${settings.comments.url}/widget.js)`,
      `  Your account:    ${settings.gateway.issuer}/account (sign-in methods, blogs, reply emails, download or erase your data; after signing in)`,
      `  Dev mailbox:     ${settings.gateway.issuer}/dev/mailbox?to=YOUR@ADDRESS (sign-in emails are also printed here)`,
      ...(emulatorsUrl ? [`  Emulators:       ${emulatorsUrl} (Twitter and Facebook stand-ins: pick a test user on their sign-in page)`] : []),
      '',
      'Press Ctrl+C to stop.',
    ].join('\n'),
  );
}
