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
