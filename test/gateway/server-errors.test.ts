import { rotateKeys } from '../../src/tokens/keys';
import { TestBrowser } from '../helpers/browser';
import { logEntries as logEntriesOf, problemEntries } from '../helpers/log-entries';
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
    const logged: string[] = [];
    const gw = await startTestGateway({
      dataDir,
      gatewayOptions: { log: (line) => logged.push(line) },
      env: { NODE_ENV: 'production', PARLEY_SESSION_SECRET: 's'.repeat(40), PARLEY_SMTP_URL: 'smtp://127.0.0.1:9' },
    });
    try {
      const discovery = await discover(gw.issuer);
      const { response } = await authorize(new TestBrowser(), discovery);
      // A failure of ours is 503 with a retry path, as everywhere else in the gateway.
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('10');
      // In plain words (views/error-pages.ts), not oidc-provider's "oops! something went wrong".
      expect(response.text).toContain('The log-in service had a problem and could not finish.');
      expect(response.text).not.toContain('oops');
      expect(response.text).not.toMatch(STACK_FRAME);
      expect(response.text).not.toContain('secure cookie');
      const problems = problemEntries(logged);
      expect(problems).toEqual([
        expect.objectContaining({ level: 'error', msg: 'request failed', err: expect.objectContaining({ message: 'Cannot send secure cookie over unencrypted connection' }) }),
      ]);
      // The entry carries the request's id; the request's own line names its route, not its URL.
      const requestLine = logEntriesOf(logged).find((entry) => entry['reqId'] === problems[0]!['reqId'] && entry.msg === 'request');
      expect(requestLine).toMatchObject({ method: 'GET', route: '/auth', status: 503 });
    } finally {
      await gw.stop();
    }
  });

  it('is logged once with its cause when the database is gone, while the client gets server_error JSON', async () => {
    const logged: string[] = [];
    const gw = await startTestGateway({ gatewayOptions: { log: (line) => logged.push(line) } });
    try {
      // The database closes under the running provider, as a lost volume would take it away.
      await gw.gateway.close();
      const response = await (async () => {
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
      })();
      expect(response.status).toBe(503);
      expect(response.retryAfter).toBe('10');
      expect(JSON.parse(response.body)).toEqual({ error: 'server_error', error_description: 'oops! something went wrong' });
      const problems = problemEntries(logged);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ msg: 'request failed', err: { message: expect.stringMatching(/destroyed/) } });
      expect(logEntriesOf(logged).find((entry) => entry.msg === 'request')).toMatchObject({ method: 'POST', route: '/token', status: 503 });
      // The code the client sent is not a thing to put in a log.
      expect(logged.join('\n')).not.toContain('a-code-nobody-issued');
    } finally {
      await gw.stop();
    }
  });
});
