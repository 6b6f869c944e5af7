import type { Db } from '../../store/database';
import type { BackchannelClient } from '../../backchannel/gateway-client';
import type { CommenterSites } from '../../store/commenter-sites';
import type { AccountStore } from '../../store/accounts';
import type { EndSessionsOptions } from '../../store/account-sessions';
import type { TokenRevocations } from '../token-revocations';
import type { Site } from '../../config/sites';
import type { Logger } from '../../observability/logger';

export interface AccountDataOptions {
  /** The first retry of an erasure a comment service has not confirmed; later ones back off. */
  readonly retryBaseMs?: number;
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
}

/** A commenter's export and erasure across the gateway and the comment service. SKELETON: being built (issue 15, item 3). */
export interface AccountData {
  /** Starts retrying unconfirmed erasures. */
  start(): void;
  close(): Promise<void>;
}

export function accountData(_deps: AccountDataDeps): AccountData {
  return { start() {}, async close() {} };
}
