import { rotateKeys } from '../../src/tokens/keys';
import { TestBrowser } from '../helpers/browser';
import { captureConsoleErrors } from '../helpers/console';
import { makeDataDir } from '../helpers/data-dir';
import { startTestGateway } from '../helpers/gateway';
import { authorize, discover, pkcePair } from '../helpers/oidc-client';

/** What a stack trace looks like in a page or a body: "    at fn (file:line:col)". */
const STACK_FRAME = /\n\s+at [^\n]+:\d+:\d+/;

describe('a server error inside oidc-provider', () => {
  it('is logged once with its cause, while the commenter sees a page without a stack trace (production, no trusted proxy)', async () => {
    // The finding of issue #10 (item 5): oidc-provider refuses to set its Secure cookie over what
    // it sees as plain HTTP, renders "oops! something went wrong" and, until now, logged nothing.
    const dataDir = makeDataDir();
    await rotateKeys(dataDir);
    const gw = await startTestGateway({
      dataDir,
      env: { NODE_ENV: 'production', PARLEY_SESSION_SECRET: 's'.repeat(40), PARLEY_SMTP_URL: 'smtp://127.0.0.1:9' },
    });
    try {
      const discovery = await discover(gw.issuer);
      const { result: response, lines } = await captureConsoleErrors(async () => (await authorize(new TestBrowser(), discovery)).response);
      // A failure of ours is 503 with a retry path, as everywhere else in the gateway.
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('10');
      // In plain words (views/error-pages.ts), not oidc-provider's "oops! something went wrong".
      expect(response.text).toContain('The log-in service had a problem and could not finish.');
      expect(response.text).not.toContain('oops');
      expect(response.text).not.toMatch(STACK_FRAME);
      expect(response.text).not.toContain('secure cookie');
      expect(lines).toEqual([expect.stringMatching(/^gateway: GET \/auth failed: Cannot send secure cookie over unencrypted connection$/)]);
    } finally {
      await gw.stop();
    }
  });

  it('is logged once with its cause when the database is gone, while the client gets server_error JSON', async () => {
    const gw = await startTestGateway();
    try {
      // The database closes under the running provider, as a lost volume would take it away.
      await gw.gateway.close();
      const { result: response, lines } = await captureConsoleErrors(async () => {
        const answer = await fetch(`${gw.issuer}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: 'a-code-nobody-issued',
            client_id: 'demo-blog',
            redirect_uri: `${gw.issuer}/relay/demo-blog`,
            code_verifier: pkcePair().verifier,
          }),
        });
        return { status: answer.status, retryAfter: answer.headers.get('retry-after'), body: await answer.text() };
      });
      expect(response.status).toBe(503);
      expect(response.retryAfter).toBe('10');
      expect(JSON.parse(response.body)).toEqual({ error: 'server_error', error_description: 'oops! something went wrong' });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^gateway: POST \/token failed: \S.*destroyed/);
      // The code the client sent is not a thing to put in a log.
      expect(lines[0]).not.toContain('a-code-nobody-issued');
    } finally {
      await gw.stop();
    }
  });
});
