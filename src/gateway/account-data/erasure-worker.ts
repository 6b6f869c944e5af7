import { BACKCHANNEL_PATHS, type EraseAnswer, type EraseRequest } from '../../backchannel/protocol';
import { BackchannelError, type BackchannelClient } from '../../backchannel/gateway-client';
import type { Logger } from '../../observability/logger';
import type { ClaimedErasure, ErasureStore } from './erasure-store';
import type { ErasureAttemptOutcome } from '../gateway-metrics';

export interface ErasureTimings {
  /** How often the worker looks for erasures that are due. */
  readonly pollIntervalMs: number;
  /** The first retry after a failure; each later one waits twice as long, up to maxRetryMs. */
  readonly retryBaseMs: number;
  readonly maxRetryMs: number;
  /** How long a claimed erasure stays claimed: longer than one back-channel call can take. */
  readonly leaseMs: number;
  /**
   * How long after the erasure a token issued before it may still be accepted somewhere (every
   * verifier refuses revoked tokens within 5 seconds, DESIGN.md), with a margin: a confirmation
   * sooner than this after the request is followed by one more pass, which anonymises a comment
   * posted in that window too.
   */
  readonly revocationSettleMs: number;
}

export const DEFAULT_ERASURE_TIMINGS: ErasureTimings = {
  pollIntervalMs: 5_000,
  retryBaseMs: 30_000,
  maxRetryMs: 60 * 60 * 1000,
  leaseMs: 60_000,
  revocationSettleMs: 15_000,
};

/** Erasures claimed per look: the rest wait for the next one. */
const CLAIM_BATCH = 20;

/** The wait before the next attempt after `failures` failed ones: base, 2 × base, 4 × base… up to the cap. */
export function retryDelayMs(failures: number, timings: Pick<ErasureTimings, 'retryBaseMs' | 'maxRetryMs'>): number {
  return Math.min(timings.retryBaseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30), timings.maxRetryMs);
}

/**
 * Sends erasures to the comment service until it confirms each one: once at once when the
 * commenter asks (`attempt`), then, while it fails (down, slow, or answering an error), again
 * and again with backoff, forever. The comment service's erase is idempotent, so a repeat after
 * a confirmation that was lost on the way does no harm.
 */
export class ErasureWorker {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(
    private readonly store: ErasureStore,
    private readonly backchannel: BackchannelClient,
    private readonly logger: Logger,
    private readonly timings: ErasureTimings = DEFAULT_ERASURE_TIMINGS,
    private readonly now: () => number = Date.now,
    /** Told of each attempt's outcome (the gateway's metrics). */
    private readonly onAttempt: (outcome: ErasureAttemptOutcome) => void = () => undefined,
  ) {}

  /** One attempt at a claimed erasure; true when the comment service confirmed it. */
  async attempt(erasure: ClaimedErasure): Promise<boolean> {
    const request: EraseRequest = { subjects: erasure.subjects };
    try {
      await this.backchannel.post<EraseAnswer>(BACKCHANNEL_PATHS.erase, request);
    } catch (error) {
      const failures = erasure.attempts + 1;
      const delayMs = retryDelayMs(failures, this.timings);
      const status = error instanceof BackchannelError ? error.status : undefined;
      // Only the erasure's random id and the failure: never the subjects, which still name the commenter at each site.
      this.logger.warn({ erasure: erasure.id, attempt: failures, status, retryInMs: delayMs, err: { message: (error as Error).message } }, 'erasure not confirmed by the comment service; will retry');
      await this.store.markFailed(erasure.id, failures, this.now() + delayMs, (error as Error).message);
      this.onAttempt('failed');
      return false;
    }
    const followUpAt = erasure.createdAt + this.timings.revocationSettleMs;
    if (this.now() < followUpAt) await this.store.markConfirmedPendingFollowUp(erasure.id, followUpAt);
    else await this.store.markDone(erasure.id);
    this.logger.info({ erasure: erasure.id, attempt: erasure.attempts + 1, followUp: this.now() < followUpAt }, 'erasure confirmed by the comment service');
    this.onAttempt('confirmed');
    return true;
  }

  /** Retries the erasures that are due now (up to a batch; the next pass takes the rest). */
  async runDue(): Promise<void> {
    for (const erasure of await this.store.claimDue(this.timings.leaseMs, CLAIM_BATCH)) await this.attempt(erasure);
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      if (this.#running) return;
      this.#running = this.runDue()
        .catch((error: unknown) => this.logger.error({ err: error }, 'erasure retries failed'))
        .finally(() => (this.#running = undefined));
    }, this.timings.pollIntervalMs);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
