/** One entry of a service's log, as pino wrote it (see src/observability/logger.ts). */
export interface LogEntry {
  readonly level: string;
  readonly time: string;
  readonly service: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** Parses the JSON lines a service's `log` option collected; a line that is not JSON fails the test. */
export function logEntries(lines: readonly string[]): LogEntry[] {
  return lines.map((line) => JSON.parse(line) as LogEntry);
}

/** The warnings and errors among them: what an operator is meant to act on. */
export function problemEntries(lines: readonly string[]): LogEntry[] {
  return logEntries(lines).filter((entry) => entry.level === 'warn' || entry.level === 'error' || entry.level === 'fatal');
}
