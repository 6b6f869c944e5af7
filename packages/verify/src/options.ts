import { isSupportedAlgorithm, SUPPORTED_ALGORITHMS, type Algorithm } from './algorithms';
import { DPOP_ALGORITHMS, type DpopAlgorithm } from './dpop-proof';
import type { DpopReplayStore } from './dpop-replay';
import { VerifierConfigError } from './errors';
import type { VerifierEventListener } from './events';

/** What a blog backend tells `createVerifier`. `issuer`, `audience` and `clientId` are required. */
export interface VerifierOptions {
  /** The gateway's issuer identifier, exactly as its discovery document states it. */
  readonly issuer: string;
  /** This service's public URL: the access token's `aud`. */
  readonly audience: string;
  /**
   * The site id this service serves (its `client_id` in the sites file), or every one of them for
   * a service shared by several sites. Required: every site on a gateway gets tokens for the same
   * audience, so without it a token issued to someone else's blog would be accepted here. A token
   * of another site is refused with 403 ERR_TOKEN_SITE (`wrong_site`).
   */
  readonly clientId: string | readonly string[];
  /**
   * Signature algorithms to accept; default RS256, ES256 and EdDSA. Each key is bound to one of
   * them by its type, so the wider default lets the gateway move to EC or Ed25519 keys without
   * every blog reconfiguring. `none` and HS* are refused: a verifier holds no secret.
   */
  readonly algorithms?: readonly Algorithm[];
  /** Allowed clock skew with the gateway, in seconds; default 30. */
  readonly clockToleranceSeconds?: number;
  /** The scope a token must carry; default `comments`. */
  readonly requiredScope?: string;
  /** Timeout for each discovery or JWKS request, body included; default 5000 ms. */
  readonly fetchTimeoutMs?: number;
  /** Least time between two key fetches, whatever the tokens say; default 5000 ms. */
  readonly minRefetchIntervalMs?: number;
  /**
   * How often the revocation feed is polled while tokens arrive; default 2000 ms. A revocation is
   * seen by every request within twice this (a request waits for a poll when the list is older).
   */
  readonly revocationPollIntervalMs?: number;
  /**
   * How long tokens are still accepted while the revocation feed cannot be read; default 60000 ms.
   * After that they are refused with 503 (ERR_REVOCATIONS_UNAVAILABLE) until it can be read again.
   */
  readonly revocationMaxStalenessMs?: number;
  /** Verified tokens remembered until they expire; default 10,000, 0 turns the cache off. */
  readonly tokenCacheMaxEntries?: number;
  /**
   * Where clients reach this service: a DPoP proof's `htu` must be this URL (origin, and any path
   * prefix a proxy strips) followed by the request's path. Default: the audience's origin. Never
   * taken from the request's Host header, which the client chooses.
   */
  readonly publicUrl?: string;
  /**
   * Refuse tokens that are not DPoP-bound: `true` for every site served, or the site ids (among
   * `clientId`) that require it. Default false: unbound tokens work as Bearer. A bound token is
   * refused as Bearer whatever this says.
   */
  readonly requireDpop?: boolean | readonly string[];
  /** DPoP proof signature algorithms to accept (ES256, EdDSA); default ES256 only. */
  readonly dpopAlgorithms?: readonly DpopAlgorithm[];
  /** How old a DPoP proof's `iat` may be, in seconds; default 60. */
  readonly dpopProofMaxAgeSeconds?: number;
  /** How far ahead of our clock a DPoP proof's `iat` may be, in seconds; default 5. */
  readonly dpopProofMaxFutureSeconds?: number;
  /**
   * Where used proofs (`jti`) are remembered while they are young enough to be accepted. Default:
   * this process's memory, which is enough for one instance; several instances behind one load
   * balancer must share one store, or a proof could be replayed to another instance.
   */
  readonly dpopReplayStore?: DpopReplayStore;
  /** Size of the default in-memory replay store; default 100,000 proofs (about 1,500 a second). */
  readonly dpopReplayCacheMaxEntries?: number;
  /** Milliseconds since the epoch; for tests. Default `Date.now`. */
  readonly clock?: () => number;
  /**
   * Told of each JWKS fetch and revocation feed poll and whether it worked, for metrics (one call
   * per fetch or poll, none per token). What it throws is ignored.
   */
  readonly onEvent?: VerifierEventListener;
}

type ResolvedByDefault = Omit<VerifierOptions, 'clientId' | 'publicUrl' | 'requireDpop' | 'dpopReplayStore' | 'onEvent'>;

export type ResolvedVerifierOptions = Readonly<Required<ResolvedByDefault>> & {
  /** `clientId` as a set, however it was given. */
  readonly clientIds: ReadonlySet<string>;
  /** `publicUrl` (or the audience's origin) without a trailing slash: the prefix of every `htu`. */
  readonly publicUrl: string;
  /** The sites whose tokens must be DPoP-bound (all served sites for `requireDpop: true`). */
  readonly dpopRequiredSites: ReadonlySet<string>;
  readonly dpopReplayStore: DpopReplayStore | undefined;
  readonly onEvent: VerifierEventListener | undefined;
};

export const VERIFIER_DEFAULTS = Object.freeze({
  algorithms: Object.freeze([...SUPPORTED_ALGORITHMS]),
  clockToleranceSeconds: 30,
  requiredScope: 'comments',
  fetchTimeoutMs: 5_000,
  minRefetchIntervalMs: 5_000,
  revocationPollIntervalMs: 2_000,
  revocationMaxStalenessMs: 60_000,
  tokenCacheMaxEntries: 10_000,
  dpopAlgorithms: Object.freeze(['ES256'] as DpopAlgorithm[]),
  dpopProofMaxAgeSeconds: 60,
  dpopProofMaxFutureSeconds: 5,
  dpopReplayCacheMaxEntries: 100_000,
  clock: Date.now,
});

/** Bounds that catch unit mistakes (milliseconds given as seconds and the reverse). */
const MAX_CLOCK_TOLERANCE_SECONDS = 5 * 60;
const MAX_FETCH_TIMEOUT_MS = 60_000;
/** Below this the refetch limit no longer protects the gateway from made-up kids. */
const MIN_REFETCH_INTERVAL_MS = 1_000;
const MAX_REFETCH_INTERVAL_MS = 10 * 60 * 1000;
/** A proof older than this is no proof of anything recent; the replay store grows with it. */
const MAX_DPOP_PROOF_AGE_SECONDS = 5 * 60;
const MAX_DPOP_PROOF_FUTURE_SECONDS = 60;
/** Polling the revocation feed more often than this would load the gateway for nothing. */
const MIN_REVOCATION_POLL_MS = 250;
/** Revocations must take effect within minutes at worst: tokens live 15. */
const MAX_REVOCATION_POLL_MS = 60_000;

function requireUrl(option: string, value: unknown): string {
  if (typeof value !== 'string') throw new VerifierConfigError(option, 'must be a URL string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new VerifierConfigError(option, `is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new VerifierConfigError(option, 'must be an http or https URL');
  }
  return value;
}

function requireClientIds(value: unknown): ReadonlySet<string> {
  if (value === undefined) {
    throw new VerifierConfigError(
      'clientId',
      'is required: the site id (client_id) this service serves, or a list of them; without it tokens issued to any other site on the gateway would be accepted',
    );
  }
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((item) => typeof item === 'string' && item.length > 0)) {
    throw new VerifierConfigError('clientId', 'must be a non-empty site id, or a non-empty list of them');
  }
  return new Set(list as string[]);
}

/** The base of every expected `htu`: publicUrl, else the audience's origin. */
function requirePublicUrl(publicUrl: unknown, audience: string): string {
  if (publicUrl !== undefined) {
    const url = new URL(requireUrl('publicUrl', publicUrl));
    if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
      throw new VerifierConfigError('publicUrl', 'must not have a query, fragment or credentials');
    }
    return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  }
  let url: URL | undefined;
  try {
    url = new URL(audience);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new VerifierConfigError('publicUrl', 'is required when the audience is not an http(s) URL: DPoP proofs name the URL they were made for');
  }
  return url.origin;
}

function requireDpopSites(value: unknown, clientIds: ReadonlySet<string>): ReadonlySet<string> {
  if (value === undefined || value === false) return new Set();
  if (value === true) return clientIds;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new VerifierConfigError('requireDpop', 'must be true, false, or a list of site ids');
  }
  for (const site of value as string[]) {
    if (!clientIds.has(site)) throw new VerifierConfigError('requireDpop', `names site ${site}, which is not in clientId`);
  }
  return new Set(value as string[]);
}

function requireDpopAlgorithms(value: unknown): readonly DpopAlgorithm[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => (DPOP_ALGORITHMS as readonly unknown[]).includes(item))) {
    throw new VerifierConfigError('dpopAlgorithms', `must be a non-empty list of ${DPOP_ALGORITHMS.join(', ')}`);
  }
  return Object.freeze([...new Set(value as DpopAlgorithm[])]);
}

function requireReplayStore(value: unknown): DpopReplayStore | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || typeof (value as DpopReplayStore).remember !== 'function') {
    throw new VerifierConfigError('dpopReplayStore', 'must be an object with a remember(key, expiresAtMs) method');
  }
  return value as DpopReplayStore;
}

function requireInteger(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new VerifierConfigError(option, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function requireAlgorithms(value: unknown): readonly Algorithm[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new VerifierConfigError('algorithms', `must be a non-empty list of ${SUPPORTED_ALGORITHMS.join(', ')}`);
  }
  for (const item of value as unknown[]) {
    if (typeof item === 'string' && (item.toLowerCase() === 'none' || /^HS/i.test(item))) {
      throw new VerifierConfigError(
        'algorithms',
        `${item} is never accepted: tokens must be signed with the issuer's private key`,
      );
    }
    if (!isSupportedAlgorithm(item)) {
      throw new VerifierConfigError('algorithms', `${String(item)} is not one of ${SUPPORTED_ALGORITHMS.join(', ')}`);
    }
  }
  return Object.freeze([...new Set(value as Algorithm[])]);
}

/** Validates the options once, at start-up, fills in defaults and freezes the result. */
export function resolveVerifierOptions(options: VerifierOptions): ResolvedVerifierOptions {
  if (typeof options !== 'object' || options === null) {
    throw new VerifierConfigError('options', 'must be an object with issuer, audience and clientId');
  }
  const { clientId, publicUrl, requireDpop, dpopReplayStore, ...rest } = options;
  const merged = { ...VERIFIER_DEFAULTS, ...withoutUndefined(rest) };
  if (typeof merged.audience !== 'string' || merged.audience.length === 0) {
    throw new VerifierConfigError('audience', 'must be a non-empty string');
  }
  if (typeof merged.requiredScope !== 'string' || !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(merged.requiredScope)) {
    throw new VerifierConfigError('requiredScope', 'must be one scope token (RFC 6749 §3.3)');
  }
  if (typeof merged.clock !== 'function') throw new VerifierConfigError('clock', 'must be a function');
  if (merged.onEvent !== undefined && typeof merged.onEvent !== 'function') throw new VerifierConfigError('onEvent', 'must be a function');
  const clientIds = requireClientIds(clientId);
  return Object.freeze({
    issuer: requireUrl('issuer', merged.issuer),
    audience: merged.audience,
    clientIds,
    publicUrl: requirePublicUrl(publicUrl, merged.audience),
    dpopRequiredSites: requireDpopSites(requireDpop, clientIds),
    dpopAlgorithms: requireDpopAlgorithms(merged.dpopAlgorithms),
    dpopProofMaxAgeSeconds: requireInteger('dpopProofMaxAgeSeconds', merged.dpopProofMaxAgeSeconds, 1, MAX_DPOP_PROOF_AGE_SECONDS),
    dpopProofMaxFutureSeconds: requireInteger('dpopProofMaxFutureSeconds', merged.dpopProofMaxFutureSeconds, 0, MAX_DPOP_PROOF_FUTURE_SECONDS),
    dpopReplayStore: requireReplayStore(dpopReplayStore),
    dpopReplayCacheMaxEntries: requireInteger('dpopReplayCacheMaxEntries', merged.dpopReplayCacheMaxEntries, 1, 10_000_000),
    algorithms: requireAlgorithms(merged.algorithms),
    clockToleranceSeconds: requireInteger(
      'clockToleranceSeconds',
      merged.clockToleranceSeconds,
      0,
      MAX_CLOCK_TOLERANCE_SECONDS,
    ),
    requiredScope: merged.requiredScope,
    fetchTimeoutMs: requireInteger('fetchTimeoutMs', merged.fetchTimeoutMs, 1, MAX_FETCH_TIMEOUT_MS),
    minRefetchIntervalMs: requireInteger(
      'minRefetchIntervalMs',
      merged.minRefetchIntervalMs,
      MIN_REFETCH_INTERVAL_MS,
      MAX_REFETCH_INTERVAL_MS,
    ),
    revocationPollIntervalMs: requireInteger('revocationPollIntervalMs', merged.revocationPollIntervalMs, MIN_REVOCATION_POLL_MS, MAX_REVOCATION_POLL_MS),
    revocationMaxStalenessMs: requireInteger('revocationMaxStalenessMs', merged.revocationMaxStalenessMs, 1_000, 60 * 60 * 1000),
    tokenCacheMaxEntries: requireInteger('tokenCacheMaxEntries', merged.tokenCacheMaxEntries, 0, 1_000_000),
    clock: merged.clock,
    onEvent: merged.onEvent,
  });
}

/** `{ x: undefined }` means "use the default", as it would with destructuring defaults. */
function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;
}
