/**
 * One log entry as a short line for a person at a terminal, made in-process (no worker thread,
 * no pino-pretty): `12:04:05.120 INFO  gateway GET /token 200 12.3ms [3f2a…]`, or the message
 * with its remaining fields as key=value.
 */

const LEVEL_NAMES: Readonly<Record<string, string>> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR', fatal: 'FATAL' };
/** Fields shown in the line's fixed places, not repeated as key=value. */
const PLACED_FIELDS = new Set(['level', 'time', 'service', 'msg', 'reqId', 'method', 'route', 'status', 'durationMs', 'err']);

function clockTime(time: unknown): string {
  const date = new Date(typeof time === 'string' || typeof time === 'number' ? time : Date.now());
  return Number.isNaN(date.getTime()) ? String(time) : date.toISOString().slice(11, 23);
}

function shown(value: unknown): string {
  return typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
}

/** Formats one JSON log line (as pino writes it); a line that is not JSON is passed through. */
export function prettyLogLine(jsonLine: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine.endsWith('\n') ? jsonLine : `${jsonLine}\n`;
  }
  const level = LEVEL_NAMES[String(entry['level'])] ?? String(entry['level']).toUpperCase();
  const parts = [clockTime(entry['time']), level, String(entry['service'] ?? '')];
  if (entry['route'] !== undefined) {
    parts.push(String(entry['method']), String(entry['route']), String(entry['status']), `${String(entry['durationMs'])}ms`);
  } else {
    parts.push(String(entry['msg'] ?? ''));
  }
  const extra = Object.entries(entry)
    .filter(([key]) => !PLACED_FIELDS.has(key))
    .map(([key, value]) => `${key}=${shown(value)}`);
  if (extra.length > 0) parts.push(extra.join(' '));
  if (typeof entry['reqId'] === 'string') parts.push(`[${entry['reqId']}]`);
  const error = entry['err'] as { stack?: unknown; message?: unknown } | undefined;
  const errorText = error ? `\n  ${String(error.stack ?? error.message)}` : '';
  return `${parts.join(' ')}${errorText}\n`;
}
