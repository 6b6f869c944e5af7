import type { RateLimitRule } from '../store/rate-limits';
import type { Verifier, VerifierOptions } from '../../packages/verify/src';
import { DEFAULT_IDEMPOTENCY_TTL_SECONDS } from './idempotency';
import { DEFAULT_COMMENT_RATE_LIMITS } from './rate-limits';
import type { ObservabilitySettings } from '../config/observability';
import { createServiceLogger, type LogSink, type Logger } from '../observability/logger';

/** What `createCommentService` can be told besides the settings; every field has a default. */
export interface CommentServiceOptions {
  /** Per-commenter limits, all applied; default 5 a minute and 30 an hour. */
  readonly rateLimits?: readonly RateLimitRule[];
  /** The same text by the same commenter on the same post within this is refused; default 10 minutes. */
  readonly duplicateWindowSeconds?: number;
  /** How long an Idempotency-Key's first answer is kept; default 24 hours. */
  readonly idempotencyTtlSeconds?: number;
  /** Milliseconds since the epoch, for comment times and the windows above; default Date.now. */
  readonly clock?: () => number;
  /**
   * Extra verifier options. Issuer, audience, public URL, site ids and the sites that require DPoP
   * always come from the settings; the DPoP replay store is the database unless one is given.
   */
  readonly verifierOptions?: Partial<Omit<VerifierOptions, 'issuer' | 'audience' | 'publicUrl' | 'clientId' | 'requireDpop'>>;
  /** Replaces the verifier built from the settings. */
  readonly verifier?: RequestVerifier;
  /** The built widget served at /widget.js; default dist/widget.js. */
  readonly widgetFile?: string;
  /**
   * Where log lines go instead of stdout, one JSON entry each (see docs/observability.md); tests
   * pass `() => undefined` to silence the service, or collect the lines to read them.
   */
  readonly log?: LogSink;
}

/** What the routes need of a verifier. */
export type RequestVerifier = Pick<Verifier, 'verifyRequest'> & Partial<Pick<Verifier, 'dpopAlgorithms'>>;

export const DEFAULT_DUPLICATE_WINDOW_SECONDS = 10 * 60;
/** Old idempotency records and rate-limit counters are swept this often. */
export const SWEEP_INTERVAL_MS = 10 * 60 * 1000;

export interface ResolvedCommentServiceOptions {
  readonly rateLimits: readonly RateLimitRule[];
  readonly duplicateWindowMs: number;
  readonly idempotencyTtlMs: number;
  readonly clock: () => number;
  readonly logger: Logger;
}

function positiveInteger(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`createCommentService: ${option} must be a positive integer (got ${value})`);
  return value;
}

/** Checks the options once, at start-up, naming the bad one. */
export function resolveCommentServiceOptions(
  options: CommentServiceOptions,
  logSettings: { readonly observability: ObservabilitySettings; readonly production: boolean },
): ResolvedCommentServiceOptions {
  const rateLimits = options.rateLimits ?? DEFAULT_COMMENT_RATE_LIMITS;
  rateLimits.forEach((rule, index) => {
    positiveInteger(`rateLimits[${index}].limit`, rule.limit);
    positiveInteger(`rateLimits[${index}].windowSeconds`, rule.windowSeconds);
  });
  return Object.freeze({
    rateLimits: Object.freeze(rateLimits.map((rule) => Object.freeze({ ...rule }))),
    duplicateWindowMs: positiveInteger('duplicateWindowSeconds', options.duplicateWindowSeconds ?? DEFAULT_DUPLICATE_WINDOW_SECONDS) * 1000,
    idempotencyTtlMs: positiveInteger('idempotencyTtlSeconds', options.idempotencyTtlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS) * 1000,
    clock: options.clock ?? Date.now,
    logger: createServiceLogger({ service: 'comments', settings: logSettings.observability, production: logSettings.production, sink: options.log }),
  });
}
