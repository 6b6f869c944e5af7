import { rotateKeys } from '../../src/tokens/keys';
import { makeDataDir } from '../helpers/data-dir';
import { startTestGateway } from '../helpers/gateway';
import { pkcePair } from '../helpers/oidc-client';

/** What a stack trace looks like in a page or a body: "    at fn (file:line:col)". */
const STACK_FRAME = /\n\s+at [^\n]+:\d+:\d+/;

/** Runs `action` with console.error captured; each call is one entry. */
async function capturingConsoleErrors<T>(action: () => Promise<T>): Promise<{ result: T; logged: string[] }> {
  const logged: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
  try {
    return { result: await action(), logged };
  } finally {
    spy.mockRestore();
  }
}

function authorizationUrl(issuer: string): URL {
  const url = new URL(`${issuer}/auth`);
  for (const [key, value] of Object.entries({
    client_id: 'demo-blog',
    redirect_uri: `${issuer}/relay/demo-blog`,
    response_type: 'code',
    scope: 'openid profile comments',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    state: 'a-state',
  })) {
    url.searchParams.set(key, value);
  }
  return url;
}

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
      const { result: response, logged } = await capturingConsoleErrors(async () => {
        const answer = await fetch(authorizationUrl(gw.issuer), { redirect: 'manual', headers: { accept: 'text/html' } });
        return { status: answer.status, body: await answer.text() };
      });
      expect(response.status).toBe(500);
      expect(response.body).toContain('oops! something went wrong');
      expect(response.body).not.toMatch(STACK_FRAME);
      expect(response.body).not.toContain('secure cookie');
      expect(logged).toEqual([expect.stringMatching(/^gateway: GET \/auth failed: Cannot send secure cookie over unencrypted connection$/)]);
    } finally {
      await gw.stop();
    }
  });

  it('is logged once with its cause when the database is gone, while the client gets server_error JSON', async () => {
    const gw = await startTestGateway();
    try {
      // The database closes under the running provider, as a lost volume would take it away.
      await gw.gateway.close();
      const { result: response, logged } = await capturingConsoleErrors(async () => {
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
        return { status: answer.status, body: await answer.text() };
      });
      expect(response.status).toBe(500);
      expect(JSON.parse(response.body)).toEqual({ error: 'server_error', error_description: 'oops! something went wrong' });
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(/^gateway: POST \/token failed: \S.*destroyed/);
      // The code the client sent is not a thing to put in a log.
      expect(logged[0]).not.toContain('a-code-nobody-issued');
    } finally {
      await gw.stop();
    }
  });
});
