import type { Settings } from '../config/settings';
import { runGateway } from './gateway';
import { runDemoBlog } from '../demo/server';

/**
 * `parley demo` (what `npm start` runs): everything a new user needs to try Parley on one machine
 * with nothing configured.
 */
export async function runDemo(settings: Settings): Promise<{ close(): Promise<void> }> {
  if (settings.production) throw new Error('the demo is for development only; unset NODE_ENV=production');
  const gateway = await runGateway(settings);
  const blog = await runDemoBlog(settings);
  const demoUrl = `http://localhost:${blog.port}/`;
  console.log(
    [
      '',
      'Parley demo is running:',
      `  Demo blog post:  ${demoUrl}`,
      `  Gateway:         ${settings.gateway.issuer}  (discovery: ${settings.gateway.issuer}/.well-known/openid-configuration)`,
      `  Dev mailbox:     ${settings.gateway.issuer}/dev/mailbox?to=YOUR@ADDRESS (sign-in emails are also printed here)`,
      '',
      'Press Ctrl+C to stop.',
    ].join('\n'),
  );
  return {
    async close() {
      await blog.close();
      await gateway.close();
    },
  };
}
