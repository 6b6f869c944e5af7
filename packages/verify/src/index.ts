/**
 * Parley's access-token verifier for blog backends: `createVerifier` checks a token and returns
 * the Commenter; `requireCommenter` wraps it as Express middleware. Everything public is here.
 */
export { createVerifier, type Verifier } from './verify';
export { VERIFIER_DEFAULTS, type VerifierOptions } from './options';
export { SUPPORTED_ALGORITHMS, type Algorithm } from './algorithms';
export { IDENTITY_PROVIDERS, MAX_TOKEN_LIFETIME_SECONDS, type Commenter, type IdentityProvider } from './claims';
export { MAX_TOKEN_BYTES } from './jws';
export {
  InsufficientScopeError,
  InvalidTokenError,
  VERIFY_ERROR_CODES,
  VerifierConfigError,
  VerifierUnavailableError,
  VerifyError,
  WrongSiteError,
  type BearerErrorCode,
  type InvalidTokenCode,
  type UnavailableCode,
  type VerifyErrorCode,
} from './errors';
export { bearerToken, getCommenter, requireCommenter, type RequireCommenterOptions } from './middleware';
