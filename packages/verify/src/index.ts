/**
 * Parley's access-token verifier for blog backends: `createVerifier` checks a token (Bearer or
 * DPoP-bound, RFC 9449) and returns the Commenter; `requireCommenter` wraps it as Express
 * middleware, and `refusalFor` builds the answer to a refusal for any other server. Everything
 * public is here.
 */
export { createVerifier, type VerifiableRequest, type Verifier } from './verify';
export { VERIFIER_DEFAULTS, type VerifierOptions } from './options';
export type { VerifierEvent, VerifierEventListener } from './events';
export { SUPPORTED_ALGORITHMS, type Algorithm } from './algorithms';
export { IDENTITY_PROVIDERS, MAX_TOKEN_LIFETIME_SECONDS, type Commenter, type IdentityProvider } from './claims';
export { MAX_TOKEN_BYTES } from './jws';
export { DPOP_ALGORITHMS, MAX_DPOP_JTI_LENGTH, MAX_DPOP_PROOF_BYTES, type DpopAlgorithm } from './dpop-proof';
export { MemoryDpopReplayStore, ReplayStoreFullError, type DpopReplayStore } from './dpop-replay';
export { jwkThumbprint } from './jwk-thumbprint';
export {
  DpopProofError,
  InsufficientScopeError,
  InvalidTokenError,
  VERIFY_ERROR_CODES,
  VerifierConfigError,
  VerifierUnavailableError,
  VerifyError,
  WrongSiteError,
  type BearerErrorCode,
  type ChallengeScheme,
  type DpopProofCode,
  type InvalidTokenCode,
  type UnavailableCode,
  type VerifyErrorCode,
} from './errors';
export { bearerToken, presentedToken, type PresentationScheme, type PresentedToken } from './authorization';
export { refusalFor, type Refusal, type RefusalContext } from './refusal';
export {
  getCommenter,
  requireCommenter,
  type NextFunctionLike,
  type RequestLike,
  type RequireCommenterOptions,
  type ResponseLike,
} from './middleware';
