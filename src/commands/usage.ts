import type { CommandLine } from './command-line';

/**
 * Each command's usage, printed by `parley <command> --help` and after a usage error. Apart from
 * the commands themselves so that printing one loads nothing else (no database, no oidc-provider).
 */

/** For `parley comments --help`. */
export const COMMENTS_USAGE = `usage: parley comments [<action> <site> <argument>]
       parley comments import <site> <file> [--format wxr|disqus] [--dry-run] [--max-size <size>]

  (no action)                  the comment service on PARLEY_COMMENTS_PORT (4100)
  list    <site> <post>        a post's comments with their ids and authors' subjects
  ban     <site> <sub>         refuse new comments from a commenter (from their next request)
  unban   <site> <sub>         allow them again
  hide    <site> <commentId>   show a placeholder instead of the comment (replies stay)
  unhide  <site> <commentId>   show it again
  delete  <site> <commentId>   erase its text and author for good (replies stay)
  erase-guest <site> <email>   anonymise the guest comments posted with that address, when
                               their author asks (the site's erasure setting: docs/erasure.md)
  export  <site>               every comment of the site as JSON Lines on standard output
                               (format: docs/export.md), e.g. parley comments export blog > blog.jsonl
  import  <site> <file>        a WordPress (WXR) or Disqus XML export into the site's comments, all
                               or nothing; running it again adds nothing (docs/import.md)
          --format wxr|disqus  the export's format (default: told by the file)
          --dry-run            check the file and say what would be added; write nothing
          --max-size <size>    the largest file read (default 512MB), e.g. --max-size 2GB

Moderation acts on the database under PARLEY_DATA_DIR; a running service sees it at once.`;

/** For `parley keys --help`. */
export const KEYS_USAGE = `usage: parley keys [rotate | list]

  list     show the signing keys (the default)
  rotate   add a new signing key; the old one stays published until its tokens expire

Keys live under PARLEY_DATA_DIR, or in the database with DATABASE_URL.`;

/** For `parley tokens --help`. */
export const TOKENS_USAGE = `usage: parley tokens revoke <site> <sub>

  revoke <site> <sub>   every access token the site holds for the commenter with that subject
                        (as the comment service shows it) is refused by every comment service and
                        verifier within seconds; the commenter can sign in again`;

/**
 * `parley comments`: its usage and options (those of `comments import`; the other actions refuse
 * them). The CLI checks a command line against it before anything runs, and runComments takes
 * its arguments apart with it.
 */
export const COMMENTS_COMMAND_LINE: CommandLine = {
  usage: COMMENTS_USAGE,
  maxArguments: 3,
  options: { '--format': 'value', '--dry-run': 'flag', '--max-size': 'value' },
};
