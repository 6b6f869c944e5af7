import { formatNumber } from '../errors';
import type { ImportResult } from './import-comments';
import type { ImportProblem } from './import-plan';

/**
 * What `parley comments import` says: on success, what was added and what was skipped; on
 * refusal, every problem with its line (the first MAX_LISTED; a file with ten thousand broken
 * parents needs the first ones fixed, not a scroll).
 */

const MAX_LISTED = 100;

const FORMAT_NAMES = { wxr: 'WordPress export', disqus: 'Disqus export' } as const;

const plural = (count: number, one: string, many = `${one}s`) => `${formatNumber(count)} ${count === 1 ? one : many}`;

export function describeImport(result: ImportResult, file: string, siteId: string): string[] {
  const { counts } = result;
  const size = result.bytes < 2 ** 20 ? `${Math.ceil(result.bytes / 1024)} KB` : `${(result.bytes / 2 ** 20).toFixed(1)} MB`;
  const lines = [
    result.dryRun
      ? `dry run, nothing written: ${file} (${FORMAT_NAMES[result.format]}, ${size}) would add ${plural(result.added, 'comment')} to ${siteId}; ${formatNumber(result.alreadyThere)} already there`
      : `imported ${file} (${FORMAT_NAMES[result.format]}, ${size}) into ${siteId}: ${formatNumber(result.added)} new, ${formatNumber(result.alreadyThere)} already there`,
    `  ${plural(counts.comments, 'comment')} on ${plural(counts.posts, 'post')}${counts.hidden > 0 ? `, ${formatNumber(counts.hidden)} of them hidden (pending approval in the export; parley comments unhide shows one)` : ''}`,
  ];
  const { skipped } = counts;
  const said = [
    skipped.spam > 0 && `${formatNumber(skipped.spam)} spam`,
    skipped.trash > 0 && `${formatNumber(skipped.trash)} trashed`,
    skipped.deleted > 0 && `${formatNumber(skipped.deleted)} deleted`,
    skipped.pingback > 0 && plural(skipped.pingback, 'pingback or trackback', 'pingbacks or trackbacks'),
    skipped['other-type'] > 0 && `${plural(skipped['other-type'], 'comment')} of other types (not readers’ comments)`,
    skipped.empty > 0 && `${plural(skipped.empty, 'comment')} with no text`,
  ].filter((part) => part !== false);
  lines.push(`  skipped: ${said.length > 0 ? said.join(', ') : 'none'}`);
  if (counts.reattached > 0) lines.push(`  ${plural(counts.reattached, 'reply', 'replies')} to skipped comments attached to the nearest kept comment above them`);
  return lines;
}

export function describeRefusal(problems: readonly ImportProblem[], file: string): string {
  const listed = problems.slice(0, MAX_LISTED).map((problem) => `  ${problem.line > 0 ? `line ${problem.line}: ` : ''}${problem.message}`);
  if (problems.length > MAX_LISTED) listed.push(`  … and ${formatNumber(problems.length - MAX_LISTED)} more`);
  return [`${file} was not imported (nothing was written):`, ...listed].join('\n');
}
