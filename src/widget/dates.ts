/** How a comment's time reads: relative while recent, a calendar date after a week. */
export interface DateLabel {
  /** "just now", "5 minutes ago", "yesterday", "March 3, 2026". */
  readonly text: string;
  /** The full date and time, for the tooltip. */
  readonly full: string;
}

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const RELATIVE_FOR_MS = 7 * DAY_MS;
/**
 * Under a minute reads "just now". Intl's `numeric: 'auto'` would call 0 minutes "this minute",
 * and one thread would then say both.
 */
const JUST_NOW_MS = MINUTE_MS;

export function formatCommentDate(iso: string, now: number, locale = 'en'): DateLabel | undefined {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return undefined;
  const full = new Date(time).toLocaleString(locale, { dateStyle: 'long', timeStyle: 'short' });
  const age = now - time;
  // A clock slightly ahead of ours still reads as "just now".
  if (age < JUST_NOW_MS) return { text: 'just now', full };
  if (age < RELATIVE_FOR_MS) {
    const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    const text =
      age < HOUR_MS
        ? relative.format(-Math.floor(age / MINUTE_MS), 'minute')
        : age < DAY_MS
          ? relative.format(-Math.floor(age / HOUR_MS), 'hour')
          : relative.format(-Math.floor(age / DAY_MS), 'day');
    return { text, full };
  }
  return { text: new Date(time).toLocaleDateString(locale, { dateStyle: 'long' }), full };
}
