/** Every number a page shows is written one way: "10,000", "1 minute", "4 tries". */
const NUMBERS = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatNumber(value: number): string {
  return NUMBERS.format(value);
}

/** A count with its noun: `count(1, 'try', 'tries')` is "1 try", `count(10000, 'minute')` "10,000 minutes". */
export function count(value: number, singular: string, plural = `${singular}s`): string {
  return `${formatNumber(value)} ${value === 1 ? singular : plural}`;
}
