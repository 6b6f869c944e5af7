import type { Generated } from 'kysely';

/**
 * The tables of every Parley store. Times are epoch milliseconds. Kept dialect-neutral so the same
 * queries run on SQLite (one machine) and PostgreSQL (scale-out).
 */
export interface Database {
  accounts: AccountsTable;
  identities: IdentitiesTable;
  email_signins: EmailSigninsTable;
  oidc_payloads: OidcPayloadsTable;
  sessions: SessionsTable;
  rate_limits: RateLimitsTable;
  dev_mail: DevMailTable;
  revocations: RevocationsTable;
  signing_keys: SigningKeysTable;
  gateway_secret: GatewaySecretTable;
  account_sites: AccountSitesTable;
  reply_notifications: ReplyNotificationsTable;
  backchannel_cursors: BackchannelCursorsTable;
  erasures: ErasuresTable;
}

/** The root secret every instance shares when none is configured (gateway/shared-secret.ts). */
export interface GatewaySecretTable {
  id: number;
  value: string;
}

/** The signing keys, when they live in the database (tokens/database-key-store.ts). */
export interface SigningKeysTable {
  kid: string;
  /** The private JWK, encrypted (tokens/key-encryption.ts). */
  private_jwk: string;
  created_at: number;
  activates_at: number | null;
  retired_at: number | null;
  origin: string;
}

export interface AccountsTable {
  id: string;
  display_name: string;
  /** An https avatar URL, or null for the neutral fallback. */
  picture: string | null;
  created_at: number;
  updated_at: number;
}

/** One sign-in method of an account: (provider, subject) is unique across all accounts. */
export interface IdentitiesTable {
  provider: string;
  subject: string;
  account_id: string;
  /** Shown to the account's owner only: the email address, @handle or profile name. */
  label: string | null;
  created_at: number;
}

/** A pending email sign-in: only hashes of the link token and code are kept. */
export interface EmailSigninsTable {
  id: string;
  token_hash: string;
  code_hash: string;
  email: string;
  display_name: string | null;
  interaction_uid: string;
  site_id: string;
  attempts: number;
  created_at: number;
  expires_at: number;
  confirmed_at: number | null;
  consumed_at: number | null;
}

/** oidc-provider's models (sessions, interactions, codes, grants...), one row each. */
export interface OidcPayloadsTable {
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

export interface SessionsTable {
  sid: string;
  data: string;
  expires_at: number;
}

export interface RateLimitsTable {
  key: string;
  window_started_at: number;
  hits: number;
}

export interface DevMailTable {
  id: Generated<number>;
  recipient: string;
  subject: string;
  text: string;
  html: string;
  sent_at: number;
}

export interface RevocationsTable {
  seq: Generated<number>;
  jti: string;
  jwt: string;
  created_at: number;
  expires_at: number;
}

/** A site's pairwise subject for an account, recorded when a token is issued (commenter-sites.ts). */
export interface AccountSitesTable {
  site_id: string;
  subject: string;
  account_id: string;
  first_seen_at: number;
  last_seen_at: number;
  /** No reply notification for comments posted on this site before this instant; null when subscribed. */
  replies_unsubscribed_at: number | null;
}

/** A reply notice from a comment service waiting to be mailed (src/gateway/notifications). */
export interface ReplyNotificationsTable {
  /** `<comment service>|<notice id>`: a notice read twice is kept once. */
  id: string;
  account_id: string;
  site_id: string;
  /** The ReplyNotice as JSON (src/backchannel/protocol.ts). */
  notice: string;
  created_at: number;
  attempts: Generated<number>;
  next_attempt_at: number;
  /** An instance sending it holds it until then. */
  lease_until: number | null;
  sent_at: number | null;
  last_error: string | null;
}

/** How far the gateway has read a comment service's reply outbox. */
export interface BackchannelCursorsTable {
  /** The comment service's URL (its token audience). */
  service: string;
  cursor: string;
  updated_at: number;
}

/** An account erased at the gateway, until every comment service has confirmed (src/gateway/erasure). */
export interface ErasuresTable {
  /** Random; the status page's address names it. */
  id: string;
  /** JSON array of the account's SiteSubjects: all that is left of it. */
  subjects: string;
  created_at: number;
  attempts: Generated<number>;
  next_attempt_at: number;
  lease_until: number | null;
  done_at: number | null;
  last_error: string | null;
}
