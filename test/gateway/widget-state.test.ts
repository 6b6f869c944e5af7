import { signInOrigin } from '../../src/gateway/widget-state';
import type { Site } from '../../src/config/sites';

const SITE: Site = { id: 'demo-blog', name: 'Demo Blog', origins: ['https://blog.example', 'http://localhost:4200'], redirectUris: [] };

function state(prefix: string, payload: unknown): string {
  return `${prefix}${Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)).toString('base64url')}`;
}

describe('signInOrigin, the widget’s state read by the gateway', () => {
  it('tells a full-page log-in from a popup, with the post to return to', () => {
    expect(signInOrigin(state('r.', { returnTo: 'https://blog.example/2024/post?p=2#c5', nonce: 'n' }), SITE)).toEqual({ mode: 'redirect', returnTo: 'https://blog.example/2024/post?p=2' });
    expect(signInOrigin(state('p.', { returnTo: 'http://localhost:4200/', nonce: 'n' }), SITE)).toEqual({ mode: 'popup', returnTo: 'http://localhost:4200/' });
  });

  it.each([
    ['another origin', 'https://evil.example/'],
    ['a look-alike host', 'https://blog.example.evil.example/'],
    ['another scheme', 'javascript:alert(1)//https://blog.example/'],
    ['another port', 'http://localhost:4201/'],
    ['no URL', 'not a url'],
  ])('returns nowhere for %s', (_what, returnTo) => {
    expect(signInOrigin(state('r.', { returnTo, nonce: 'n' }), SITE)).toEqual({ mode: 'redirect', returnTo: undefined });
  });

  it.each([
    ['a state of another client', 'T_d5JEt4iuhYiZlY5dDliQ'],
    ['no state', undefined],
    ['a state that is not base64url JSON', 'r.%%%'],
  ])('reads %s as a popup with nowhere to return to', (_what, value) => {
    expect(signInOrigin(value, SITE)).toEqual({ mode: 'popup', returnTo: undefined });
  });

  it('keeps the mode of a widget state whose payload is broken', () => {
    expect(signInOrigin(state('r.', '{not json'), SITE)).toEqual({ mode: 'redirect', returnTo: undefined });
    expect(signInOrigin(state('r.', { nonce: 'n' }), SITE)).toEqual({ mode: 'redirect', returnTo: undefined });
  });
});
