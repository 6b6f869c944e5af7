import type { Settings } from '../config/settings';
import { runGateway } from './gateway';
import { runDemoBlog } from '../demo/server';
import { runEmulators, withEmulatedProviders } from './emulators';
import { runComments } from './comments';

/**
 * `parley demo` (what `npm start` runs): everything a new user needs to try Parley on one machine
 * with nothing configured.
 */
export async function runDemo(settings: Settings): Promise<{ close(): Promise<void> }> {
  if (settings.production) throw new Error('the demo is for development only; unset NODE_ENV=production');
  // Providers without real credentials are wired to the loopback emulators.
  const emulators = !settings.twitter || !settings.facebook ? await runEmulators(settings) : undefined;
  const demoSettings = emulators ? withEmulatedProviders(settings, emulators) : settings;
  const gateway = await runGateway(demoSettings);
  const comments = (await runComments(demoSettings, []))!;
  const blog = await runDemoBlog(demoSettings);
  const demoUrl = `http://localhost:${blog.port}/`;
  console.log(
    [
      '',
      'Parley demo is running:',
      `  Demo blog post:  ${demoUrl}`,
      `  Gateway:         ${settings.gateway.issuer}  (discovery: ${settings.gateway.issuer}/.well-known/openid-configuration)`,
      `  Comments:        ${settings.comments.url}  (the widget: ${settings.comments.url}/widget.js)`,
      `  Your account:    ${settings.gateway.issuer}/account (sign-in methods, after signing in)`,
      `  Dev mailbox:     ${settings.gateway.issuer}/dev/mailbox?to=YOUR@ADDRESS (sign-in emails are also printed here)`,
      ...(emulators ? [`  Emulators:       ${emulators.url} (Twitter and Facebook stand-ins: pick a test user on their sign-in page)`] : []),
      '',
      'Press Ctrl+C to stop.',
    ].join('\n'),
  );
  return {
    async close() {
      await blog.close();
      await comments.close();
      await gateway.close();
      await emulators?.close();
    },
  };
}
