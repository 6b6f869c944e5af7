import {
  createVerifier,
  SUPPORTED_ALGORITHMS,
  VERIFIER_DEFAULTS,
  VerifierConfigError,
  type VerifierOptions,
} from '../src';
import { resolveVerifierOptions } from '../src/options';

const BASE: VerifierOptions = { issuer: 'https://id.example', audience: 'https://comments.example', clientId: 'demo-blog' };

function configError(options: Record<string, unknown>): VerifierConfigError {
  try {
    createVerifier({ ...BASE, ...options } as unknown as VerifierOptions);
  } catch (error) {
    if (error instanceof VerifierConfigError) return error;
    throw error;
  }
  throw new Error('the options were accepted');
}

describe('createVerifier options', () => {
  it('fills in the defaults and freezes the result', () => {
    const resolved = resolveVerifierOptions(BASE);

    expect(resolved).toMatchObject({
      algorithms: ['RS256', 'ES256', 'EdDSA'],
      clockToleranceSeconds: 30,
      requiredScope: 'comments',
      fetchTimeoutMs: 5_000,
      minRefetchIntervalMs: 5_000,
      tokenCacheMaxEntries: 10_000,
    });
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(VERIFIER_DEFAULTS.algorithms).toEqual(SUPPORTED_ALGORITHMS);
  });

  it('treats an option given as undefined as absent', () => {
    expect(resolveVerifierOptions({ ...BASE, requiredScope: undefined }).requiredScope).toBe('comments');
  });

  it('refuses a verifier without clientId, saying why it is required (for JavaScript callers)', () => {
    const error = configError({ clientId: undefined });
    expect(error).toMatchObject({ code: 'ERR_VERIFIER_CONFIG', option: 'clientId' });
    expect(error.message).toMatch(/^clientId: is required: .* any other site on the gateway would be accepted$/);
  });

  it('takes one site id or a list of them', () => {
    expect([...resolveVerifierOptions(BASE).clientIds]).toEqual(['demo-blog']);
    expect([...resolveVerifierOptions({ ...BASE, clientId: ['demo-blog', 'other-blog'] }).clientIds]).toEqual(['demo-blog', 'other-blog']);
  });

  it.each(['none', 'HS256', 'hs512'])('refuses algorithm %s at start-up, naming the option', (alg) => {
    const error = configError({ algorithms: ['RS256', alg] });
    expect(error).toMatchObject({ code: 'ERR_VERIFIER_CONFIG', option: 'algorithms' });
    expect(error.message).toMatch(/^algorithms: .* is never accepted/);
  });

  it.each<[string, unknown]>([
    ['issuer', 'not a url'],
    ['issuer', 'ftp://id.example'],
    ['issuer', 42],
    ['audience', ''],
    ['clientId', ''],
    ['clientId', []],
    ['clientId', ['demo-blog', 7]],
    ['clientId', 42],
    ['algorithms', []],
    ['algorithms', ['RS512']],
    ['clockToleranceSeconds', -1],
    ['clockToleranceSeconds', 30_000],
    ['requiredScope', 'comments moderate'],
    ['fetchTimeoutMs', 0],
    ['minRefetchIntervalMs', 5],
    ['tokenCacheMaxEntries', 1.5],
    ['clock', 'now'],
  ])('refuses %s %j at start-up, naming the option', (option, value) => {
    const error = configError({ [option]: value });
    expect(error).toMatchObject({ code: 'ERR_VERIFIER_CONFIG', option });
    expect(error.message.startsWith(`${option}: `)).toBe(true);
  });
});

describe('createVerifier DPoP options', () => {
  it('defaults to ES256 proofs, a 60 s / 5 s iat window, the audience origin as public URL, and DPoP optional', () => {
    const resolved = resolveVerifierOptions({ ...BASE, audience: 'https://comments.example/api' });
    expect(resolved).toMatchObject({
      dpopAlgorithms: ['ES256'],
      dpopProofMaxAgeSeconds: 60,
      dpopProofMaxFutureSeconds: 5,
      publicUrl: 'https://comments.example',
      dpopReplayCacheMaxEntries: 100_000,
    });
    expect([...resolved.dpopRequiredSites]).toEqual([]);
  });

  it('keeps a public URL path prefix without its trailing slash', () => {
    expect(resolveVerifierOptions({ ...BASE, publicUrl: 'https://blog.example/comments/' }).publicUrl).toBe('https://blog.example/comments');
  });

  it('turns requireDpop true into every site served', () => {
    expect([...resolveVerifierOptions({ ...BASE, clientId: ['a', 'b'], requireDpop: true }).dpopRequiredSites]).toEqual(['a', 'b']);
  });

  it.each<[string, Record<string, unknown>]>([
    ['publicUrl', { publicUrl: 'https://blog.example/?x=1' }],
    ['publicUrl', { publicUrl: 'comments' }],
    ['publicUrl', { audience: 'urn:parley:comments' }],
    ['requireDpop', { requireDpop: ['someone-else'] }],
    ['requireDpop', { requireDpop: 'yes' }],
    ['dpopAlgorithms', { dpopAlgorithms: ['RS256'] }],
    ['dpopAlgorithms', { dpopAlgorithms: [] }],
    ['dpopProofMaxAgeSeconds', { dpopProofMaxAgeSeconds: 60_000 }],
    ['dpopProofMaxFutureSeconds', { dpopProofMaxFutureSeconds: -1 }],
    ['dpopReplayStore', { dpopReplayStore: { has: () => true } }],
    ['dpopReplayCacheMaxEntries', { dpopReplayCacheMaxEntries: 0 }],
  ])('names %s when it is wrong', (option, options) => {
    expect(configError(options).option).toBe(option);
  });
});
