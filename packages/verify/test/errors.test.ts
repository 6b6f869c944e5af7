import {
  InsufficientScopeError,
  InvalidTokenError,
  VERIFY_ERROR_CODES,
  VerifierUnavailableError,
  VerifyError,
  type VerifyErrorCode,
} from '../src';

const codes = Object.keys(VERIFY_ERROR_CODES) as VerifyErrorCode[];

describe('the verify error catalogue', () => {
  it('names every code ERR_ and maps 401 to invalid_token (invalid_dpop_proof for a proof), 403 to insufficient_scope, 503 to none', () => {
    const bearerErrorOf = { 401: 'invalid_token', 403: 'insufficient_scope', 503: undefined } as const;
    for (const code of codes) {
      const { status, bearerError } = VERIFY_ERROR_CODES[code];
      expect(code).toMatch(/^ERR_[A-Z_]+$/);
      expect(bearerError).toBe(code.startsWith('ERR_DPOP_PROOF_') ? 'invalid_dpop_proof' : bearerErrorOf[status]);
    }
  });

  it('challenges in DPoP for every proof error and for a token that must be presented with DPoP', () => {
    const dpopCodes = codes.filter((code) => (VERIFY_ERROR_CODES[code] as { scheme?: string }).scheme === 'DPoP');
    expect(dpopCodes.filter((code) => !code.startsWith('ERR_DPOP_PROOF_')).sort()).toEqual([
      'ERR_TOKEN_BOUND',
      'ERR_TOKEN_KEY_MISMATCH',
      'ERR_TOKEN_NOT_BOUND',
    ]);
    for (const code of codes.filter((candidate) => candidate.startsWith('ERR_DPOP_PROOF_'))) expect(dpopCodes).toContain(code);
  });

  it('gives each error class the status of its code and says whose fault it is', () => {
    const invalid = new InvalidTokenError('ERR_TOKEN_EXPIRED', 'token has expired', 'exp');
    const scope = new InsufficientScopeError('comments');
    const unavailable = new VerifierUnavailableError('ERR_KEYS_UNAVAILABLE', 'issuer keys are unavailable', 5);

    expect(invalid).toMatchObject({ status: 401, bearerError: 'invalid_token', isTokenFault: true, claim: 'exp' });
    expect(scope).toMatchObject({
      code: 'ERR_TOKEN_SCOPE',
      status: 403,
      bearerError: 'insufficient_scope',
      isTokenFault: true,
    });
    expect(unavailable).toMatchObject({
      status: 503,
      bearerError: undefined,
      isTokenFault: false,
      retryAfterSeconds: 5,
    });
    for (const error of [invalid, scope, unavailable]) expect(error).toBeInstanceOf(VerifyError);
  });
});
