/**
 * Provider emulators for development and tests: loopback Twitter (OAuth 1.0a) and Facebook
 * (OAuth 2.0 + Graph) servers that speak each protocol faithfully. Named exports only.
 */
export { startEmulators, createEmulatorsApp, type RunningEmulators } from './server';
export { createTwitterEmulator, type TwitterEmulator, type TwitterEndpoint } from './twitter-routes';
export { createFacebookEmulator, type FacebookEmulator, type FacebookEndpoint } from './facebook-routes';
export {
  FailureControl,
  FailureControlError,
  FAILURE_KINDS,
  type ArmOptions,
  type ArmedFailure,
  type Failure,
  type FailureKind,
} from './failure-control';
export {
  AUTHORIZATION_CODE_TTL_SECONDS,
  DEFAULT_EMULATOR_HOST,
  DEFAULT_EMULATOR_PORT,
  DEFAULT_FACEBOOK_APP_ID,
  DEFAULT_FACEBOOK_APP_SECRET,
  DEFAULT_TWITTER_CONSUMER_KEY,
  DEFAULT_TWITTER_CONSUMER_SECRET,
  EmulatorConfigError,
  FACEBOOK_ACCESS_TOKEN_TTL_SECONDS,
  REQUEST_TOKEN_TTL_SECONDS,
  type Clock,
  type FacebookEmulatorOptions,
  type StartEmulatorsOptions,
  type TwitterEmulatorOptions,
} from './options';
export { FACEBOOK_TEST_USERS, TWITTER_TEST_USERS, type FacebookTestUser, type TwitterTestUser } from './test-users';
export {
  HMAC_SHA1,
  baseStringUri,
  buildAuthorizationHeader,
  hmacSha1Signature,
  normaliseParameters,
  parseAuthorizationHeader,
  parseFormEncoded,
  percentEncode,
  signRequest,
  signatureBaseString,
  type OAuthParameter,
  type SignRequestInput,
  type SignedRequest,
} from './oauth1-signature';
export { DEFAULT_TIMESTAMP_WINDOW_SECONDS, NonceTimestampGuard } from './oauth1-nonce-guard';
export { verifyOAuth1Request, type OAuth1Rejection } from './oauth1-verifier';
export { appSecretProof } from './appsecret-proof';
export { codeChallengeFor, isValidCodeVerifier, type CodeChallengeMethod } from './pkce';
export { TWITTER_ERRORS, TWITTER_OAUTH_TEXT_ERRORS } from './twitter-errors';
export { FACEBOOK_ERRORS } from './facebook-errors';
