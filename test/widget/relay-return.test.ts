import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { encodeState } from '../../src/widget/state';

/**
 * The widget's `state` format is a contract with the gateway's relay script
 * (src/gateway/assets/relay.js): run that script against a stand-in page and check where it sends
 * the browser, and what it posts.
 */
const RELAY_SCRIPT = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'gateway', 'assets', 'relay.js'), 'utf8');
const ORIGINS = ['https://blog.example', 'http://localhost:4200'];

interface Outcome {
  navigatedTo: string | undefined;
  posted: Array<{ message: Record<string, unknown>; targetOrigin: string }>;
  status: string;
}

function runRelay(query: Record<string, string>, opener: boolean): Outcome {
  const outcome: Outcome = { navigatedTo: undefined, posted: [], status: '' };
  const status = { textContent: '' };
  const window = {
    location: { search: `?${new URLSearchParams(query)}`, pathname: '/relay/blog', replace: (url: string) => (outcome.navigatedTo = url) },
    history: { replaceState: () => undefined },
    opener: opener ? { closed: false, postMessage: (message: Record<string, unknown>, targetOrigin: string) => outcome.posted.push({ message, targetOrigin }) } : null,
    URL,
    atob,
    TextDecoder,
    setTimeout: () => undefined,
    close: () => undefined,
  };
  const document = {
    getElementById: (id: string) => (id === 'relay' ? { getAttribute: () => JSON.stringify(ORIGINS) } : status),
  };
  vm.runInNewContext(RELAY_SCRIPT, { window, document, URLSearchParams });
  outcome.status = status.textContent;
  return outcome;
}

describe('the relay page and the widget’s state', () => {
  test('a popup with its opener: the response is posted to each registered origin, never "*"', () => {
    const state = encodeState({ mode: 'popup', returnTo: 'https://blog.example/post', nonce: 'n' });
    const outcome = runRelay({ code: 'c0de', state, iss: 'https://login.example' }, true);
    expect(outcome.navigatedTo).toBeUndefined();
    expect(outcome.posted.map((post) => post.targetOrigin)).toEqual(ORIGINS);
    expect(outcome.posted[0]!.message).toEqual({ type: 'parley:authorization_response', state, iss: 'https://login.example', code: 'c0de' });
  });

  test.each([
    ['a redirect (popup blocked), even when the page has an opener', 'redirect', true],
    ['a popup cut off from its opener', 'popup', false],
  ] as const)('%s: back to the page in the state, the response in the fragment', (_name, mode, opener) => {
    const state = encodeState({ mode, returnTo: 'https://blog.example/2026/hello?p=1#comments', nonce: 'n' });
    const outcome = runRelay({ code: 'c0de', state, iss: 'https://login.example' }, opener);
    expect(outcome.posted).toEqual([]);
    const url = new URL(outcome.navigatedTo!);
    expect(url.origin + url.pathname + url.search).toBe('https://blog.example/2026/hello?p=1');
    expect(Object.fromEntries(new URLSearchParams(url.hash.slice(1)))).toEqual({ parley_state: state, parley_code: 'c0de', parley_iss: 'https://login.example' });
  });

  test('an error goes back the same way', () => {
    const state = encodeState({ mode: 'redirect', returnTo: 'http://localhost:4200/', nonce: 'n' });
    const outcome = runRelay({ error: 'access_denied', error_description: 'The commenter cancelled.', state }, false);
    expect(Object.fromEntries(new URLSearchParams(new URL(outcome.navigatedTo!).hash.slice(1)))).toEqual({
      parley_state: state,
      parley_error: 'access_denied',
      parley_error_description: 'The commenter cancelled.',
    });
  });

  test.each([['https://evil.example/'], ['https://blog.example.evil.example/'], ['http://blog.example/'], ['javascript:alert(1)'], ['https://blog.example:8443/'], ['//blog.example/']])(
    'never goes to %s, which is not a registered origin',
    (returnTo) => {
      // Crafted by hand, as an attacker would: relay.js must not trust the widget to have made it.
      const state = `r.${Buffer.from(JSON.stringify({ returnTo, nonce: 'n' })).toString('base64url')}`;
      const outcome = runRelay({ code: 'c0de', state }, false);
      expect(outcome.navigatedTo).toBeUndefined();
      expect(outcome.status).toMatch(/Go back to the blog/);
    },
  );

  test('a state the widget did not make, with no opener: nowhere', () => {
    expect(runRelay({ code: 'c0de', state: 'r.bm90LWpzb24' }, false).navigatedTo).toBeUndefined();
    expect(runRelay({ code: 'c0de', state: 'plain' }, false).navigatedTo).toBeUndefined();
  });
});
