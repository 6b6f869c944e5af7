import fs from 'node:fs';
import { z } from 'zod';
import { parseEmailAddress } from '../mail/address';
import { ConfigError } from './errors';

/** A blog that embeds the widget. Each site is a public OIDC client that must use PKCE. */
export interface Site {
  /** Stable identifier, used as the OIDC client_id and in URLs. */
  readonly id: string;
  /** Shown to commenters on the sign-in pages. */
  readonly name: string;
  /** Origins (scheme://host[:port]) the widget runs on: the relay posts only to these. */
  readonly origins: readonly string[];
  /** Extra redirect URIs besides the gateway's relay page for the site. */
  readonly redirectUris: readonly string[];
  /**
   * Where RP-initiated logout may send the reader back to (`post_logout_redirect_uri`); absent
   * when the site lists none, and the logout then ends on the gateway's own page.
   */
  readonly postLogoutRedirectUris?: readonly string[];
  /**
   * Only DPoP-bound tokens (RFC 9449) for this site: the gateway's token endpoint demands a DPoP
   * proof (`dpop_bound_access_tokens`), and the comment service refuses unbound tokens. Absent
   * unless true.
   */
  readonly requireDpop?: true;
  /**
   * Who moderates the site, by verified email address (normalised as the email sign-in does):
   * a commenter signed in with one of these addresses (or with an account it is linked to) gets
   * `roles: ["moderator"]` in its tokens for this site (docs/moderation.md). Absent when none.
   */
  readonly moderators?: readonly string[];
  /**
   * The post authors, by verified email address like moderators: their comments are marked as
   * the author's in the thread (WordPress's "bypostauthor"). Absent when none.
   */
  readonly authors?: readonly string[];
  /** `pre`: new comments wait for a moderator's approval. Absent (the default): shown at once. */
  readonly moderation?: 'pre';
  /**
   * Readers may comment without signing in, with a name, an email address and an optional
   * website (guest-comments.ts); their comments are always held for a moderator. Absent unless true.
   */
  readonly guests?: true;
  /**
   * What erasing a commenter (their request at the gateway's account page) does to the text of
   * their comments here: `remove-text` removes it as a deletion does; absent (the default,
   * `keep-text`) keeps it under "a former commenter". Either way nothing names them any more.
   */
  readonly erasure?: 'remove-text';
}

/** What erasing a commenter does to their comments' text (the sites file's `erasure`). */
export type SiteErasure = 'keep-text' | 'remove-text';

const SITE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

function isExactOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

function isRedirectUri(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hash === '';
  } catch {
    return false;
  }
}

/** A list of email addresses, each normalised as the email sign-in normalises what is typed. */
function emailAddresses(field: string) {
  return z
    .array(z.string())
    .default([])
    .transform((addresses, context) => {
      const normalised: string[] = [];
      for (const [index, address] of addresses.entries()) {
        const parsed = parseEmailAddress(address);
        if (!parsed.ok) {
          context.addIssue({ code: 'custom', path: [index], message: `${field} must be email addresses (${JSON.stringify(address)}: ${parsed.reason})` });
          return z.NEVER;
        }
        if (!normalised.includes(parsed.address)) normalised.push(parsed.address);
      }
      return normalised;
    });
}

const siteSchema = z.object({
  id: z.string().regex(SITE_ID_PATTERN, 'id must be lowercase letters, digits and dashes (at most 63)'),
  name: z.string().trim().min(1, 'name must not be empty').max(100),
  origins: z
    .array(z.string().refine(isExactOrigin, 'origins must be exact origins like https://blog.example (no path, no trailing slash)'))
    .min(1, 'origins must list at least one origin'),
  redirectUris: z.array(z.string().refine(isRedirectUri, 'redirectUris must be absolute http(s) URLs without a fragment')).default([]),
  postLogoutRedirectUris: z.array(z.string().refine(isRedirectUri, 'postLogoutRedirectUris must be absolute http(s) URLs without a fragment')).optional(),
  requireDpop: z.boolean({ message: 'requireDpop must be true or false' }).optional(),
  moderators: emailAddresses('moderators'),
  authors: emailAddresses('authors'),
  moderation: z.enum(['pre', 'post'], { message: 'moderation must be "pre" or "post"' }).default('post'),
  guests: z.boolean({ message: 'guests must be true or false' }).optional(),
  erasure: z.enum(['keep-text', 'remove-text'], { message: 'erasure must be "keep-text" or "remove-text"' }).default('keep-text'),
})
  // A misspelt field (say `redirect_uris`) must stop start-up, not be silently ignored.
  .strict();

const sitesSchema = z.array(siteSchema).min(1, 'the list must name at least one site');

/** Parses and validates a sites list; throws ConfigError naming the file, site and field. */
export function parseSites(raw: unknown, source: string): readonly Site[] {
  const result = sitesSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new ConfigError('PARLEY_SITES_FILE', `${source}${where}: ${issue.message}`);
  }
  const seen = new Set<string>();
  for (const site of result.data) {
    if (seen.has(site.id)) throw new ConfigError('PARLEY_SITES_FILE', `${source}: site id "${site.id}" appears twice`);
    seen.add(site.id);
  }
  return Object.freeze(result.data.map(frozenSite));
}

function frozenSite(site: z.infer<typeof siteSchema>): Site {
  const { postLogoutRedirectUris, requireDpop, moderators, authors, moderation, guests, erasure, ...rest } = site;
  return Object.freeze({
    ...rest,
    origins: Object.freeze([...site.origins]),
    redirectUris: Object.freeze([...site.redirectUris]),
    ...(moderators.length > 0 ? { moderators: Object.freeze([...moderators]) } : {}),
    ...(authors.length > 0 ? { authors: Object.freeze([...authors]) } : {}),
    ...(moderation === 'pre' ? { moderation: 'pre' as const } : {}),
    // Left out rather than empty when not given: sites files without it load exactly as before.
    ...(postLogoutRedirectUris ? { postLogoutRedirectUris: Object.freeze([...postLogoutRedirectUris]) } : {}),
    ...(requireDpop === true ? { requireDpop: true as const } : {}),
    ...(guests === true ? { guests: true as const } : {}),
    ...(erasure === 'remove-text' ? { erasure: 'remove-text' as const } : {}),
  });
}

/** Reads the sites file named by PARLEY_SITES_FILE (or the default in config/). */
export function loadSites(file: string): readonly Site[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('PARLEY_SITES_FILE', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError('PARLEY_SITES_FILE', `${file} is not valid JSON`);
  }
  return parseSites(raw, file);
}
