import type { SiteSubject } from '../../backchannel/protocol';
import type { Site } from '../../config/sites';
import type { CommenterSite } from '../../store/commenter-sites';
import { pairwiseSubject } from '../../tokens/claims';

/**
 * Every (site, sub) by which a comment service may know an account: each site of the sites
 * file, whether or not the gateway recorded it (tokens issued before account_sites existed left
 * no record), plus any recorded site since removed from the file (its comments still exist).
 */
export function accountSubjects(accountId: string, pairwiseSecret: string, sites: readonly Site[], recorded: readonly CommenterSite[]): SiteSubject[] {
  const subjects = new Map<string, SiteSubject>();
  const add = (subject: SiteSubject) => subjects.set(`${subject.site}\u0000${subject.sub}`, subject);
  for (const site of sites) add({ site: site.id, sub: pairwiseSubject(pairwiseSecret, site.id, accountId) });
  for (const known of recorded) add({ site: known.siteId, sub: known.subject });
  return [...subjects.values()];
}
