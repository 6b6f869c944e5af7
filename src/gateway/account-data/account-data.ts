import type { Db } from '../../store/database';
import type { BackchannelClient } from '../../backchannel/gateway-client';
import type { CommenterSites } from '../../store/commenter-sites';
import type { AccountStore } from '../../store/accounts';
import type { EndSessionsOptions } from '../../store/account-sessions';
import type { TokenRevocations } from '../token-revocations';
import type { Site } from '../../config/sites';
import type { Logger } from '../../observability/logger';
import { accountSubjects } from './account-subjects';
import { buildAccountExport, type AccountExport } from './account-export';
import { ErasureStore, type ErasureStatus } from './erasure-store';
import { DEFAULT_ERASURE_TIMINGS, ErasureWorker } from './erasure-worker';
import type { ErasureAttemptOutcome } from '../gateway-metrics';

export interface AccountDataOptions {
  /** The first retry of an erasure a comment service has not confirmed; later ones back off (default 30 s). */
  readonly retryBaseMs?: number;
  /** How often unconfirmed erasures are looked for (default 5 s). */
  readonly pollIntervalMs?: number;
  /** When the follow-up pass runs after an erasure (default 15 s: revocations reach verifiers within 5 s). */
  readonly revocationSettleMs?: number;
}

export interface AccountDataDeps {
  readonly db: Db;
  readonly backchannel: BackchannelClient;
  readonly accounts: AccountStore;
  readonly commenterSites: CommenterSites;
  readonly revocations: TokenRevocations;
  readonly endAccountSessions: (accountId: string, options?: EndSessionsOptions) => Promise<unknown>;
  readonly pairwiseSecret: string;
  readonly sites: readonly Site[];
  readonly logger: Logger;
  readonly options?: AccountDataOptions;
  /** Told of each erasure attempt's outcome (the gateway's metrics). */
  readonly onErasureAttempt?: (outcome: ErasureAttemptOutcome) => void;
}

/** A commenter's export and erasure across the gateway and the comment service (docs/account.md). */
export interface AccountData {
  /**
   * Everything held about the account, the comment service's part included; undefined when the
   * account no longer exists. Throws BackchannelError when the comment service does not answer.
   */
  exportAccount(accountId: string): Promise<AccountExport | undefined>;
  /**
   * Erases the account: recorded first (so the comment service is told even if what follows is
   * interrupted), every token revoked, every browser signed out (`logOutThisBrowser` for the one
   * asking), the account and all that leads to it deleted, then the comment service asked once
   * at once; the worker retries until it confirms. Answers the erasure's id.
   */
  erase(accountId: string, logOutThisBrowser: () => Promise<void>): Promise<string>;
  /** Where an erasure stands; undefined for an unknown id. */
  erasureStatus(id: string): Promise<ErasureStatus | undefined>;
  /** Starts retrying unconfirmed erasures. */
  start(): void;
  close(): Promise<void>;
}

export function accountData(deps: AccountDataDeps): AccountData {
  const timings = {
    ...DEFAULT_ERASURE_TIMINGS,
    ...(deps.options?.retryBaseMs === undefined ? {} : { retryBaseMs: deps.options.retryBaseMs }),
    ...(deps.options?.pollIntervalMs === undefined ? {} : { pollIntervalMs: deps.options.pollIntervalMs }),
    ...(deps.options?.revocationSettleMs === undefined ? {} : { revocationSettleMs: deps.options.revocationSettleMs }),
  };
  const erasures = new ErasureStore(deps.db);
  const worker = new ErasureWorker(erasures, deps.backchannel, deps.logger, timings, Date.now, deps.onErasureAttempt);

  async function subjectsOf(accountId: string) {
    const recorded = await deps.commenterSites.forAccount(accountId);
    return { recorded, subjects: accountSubjects(accountId, deps.pairwiseSecret, deps.sites, recorded) };
  }

  return {
    async exportAccount(accountId) {
      const { recorded, subjects } = await subjectsOf(accountId);
      return buildAccountExport(deps, accountId, recorded, subjects);
    },

    async erase(accountId, logOutThisBrowser) {
      const { subjects } = await subjectsOf(accountId);
      const erasure = await erasures.create(subjects, timings.leaseMs);
      await deps.revocations.revokeAccount(accountId);
      await deps.endAccountSessions(accountId);
      await logOutThisBrowser();
      await deps.accounts.deleteAccount(accountId);
      // The account is gone whatever happens now: a failure to even record this attempt's outcome
      // only leaves the erasure to the worker once its lease runs out.
      await worker.attempt(erasure).catch((error: unknown) => deps.logger.error({ erasure: erasure.id, err: error }, 'erasure attempt could not be recorded'));
      return erasure.id;
    },

    erasureStatus: (id) => erasures.status(id),
    start: () => worker.start(),
    close: () => worker.close(),
  };
}
