import type { Site } from '../config/sites';
import type { AccountStore } from '../store/accounts';

/**
 * The roles an account holds on a site, for the `roles` claim of its access tokens there
 * (docs/moderation.md). The sites file names moderators and post authors by email address; an
 * account holds the role when one of its email sign-in methods is that address. Only email
 * methods count: their subject is an address the commenter proved they read (the sign-in link or
 * code went there), while a display name or a Twitter or Facebook profile proves nothing about
 * an address. A method linked on the account page counts like the one signed in with: linking
 * needs a sign-in with it too.
 *
 * Read afresh for every token, so an address taken off the sites file loses the role with the
 * holder's next token (at most ACCESS_TOKEN_TTL_SECONDS later), or at once by revoking theirs.
 */

export type SiteRole = 'moderator' | 'author';

export async function siteRoles(accounts: Pick<AccountStore, 'identities'>, site: Site | undefined, accountId: string): Promise<SiteRole[]> {
  const moderators = site?.moderators ?? [];
  const authors = site?.authors ?? [];
  if (moderators.length === 0 && authors.length === 0) return [];
  const addresses = (await accounts.identities(accountId)).filter((identity) => identity.provider === 'email').map((identity) => identity.subject);
  const roles: SiteRole[] = [];
  if (addresses.some((address) => moderators.includes(address))) roles.push('moderator');
  if (addresses.some((address) => authors.includes(address))) roles.push('author');
  return roles;
}
