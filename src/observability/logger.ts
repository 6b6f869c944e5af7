import pino, { type DestinationStream, type Logger } from 'pino';
import type { ObservabilitySettings } from '../config/observability';
import { prettyLogLine } from './pretty-log-line';

export type { Logger } from 'pino';

/**
 * Where a service's log lines go instead of stdout: each entry as one JSON line, without its
 * newline. Tests pass `() => undefined` to silence a service, or collect the lines to read them.
 */
export type LogSink = (line: string) => void;

export interface ServiceLoggerOptions {
  /** The service, in every entry: `gateway`, `comments`. */
  readonly service: string;
  readonly settings: Pick<ObservabilitySettings, 'logLevel' | 'logFormat'>;
  readonly production: boolean;
  /** Replaces stdout; lines are always JSON then. */
  readonly sink?: LogSink | undefined;
}

/** Writes each entry to stdout synchronously, formatted for a person (see pretty-log-line.ts). */
function prettyStdout(): DestinationStream {
  return { write: (line: string) => void process.stdout.write(prettyLogLine(line)) };
}

function sinkStream(sink: LogSink): DestinationStream {
  return { write: (line: string) => sink(line.endsWith('\n') ? line.slice(0, -1) : line) };
}

/** Pretty when asked, or by default for a person at a terminal outside production. */
function wantsPretty(options: ServiceLoggerOptions): boolean {
  if (options.settings.logFormat !== undefined) return options.settings.logFormat === 'pretty';
  return !options.production && process.stdout.isTTY === true;
}

/**
 * The service's pino logger: one JSON object a line, `level` as its name, `time` in ISO 8601,
 * `service` in every entry. Writes are synchronous on the main thread (no transport worker):
 * a line is out before the request that caused it is answered, and nothing is lost on exit.
 */
export function createServiceLogger(options: ServiceLoggerOptions): Logger {
  const destination = options.sink
    ? sinkStream(options.sink)
    : wantsPretty(options)
      ? prettyStdout()
      : pino.destination({ fd: 1, sync: true });
  return pino(
    {
      level: options.settings.logLevel,
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Errors as type, message, code and stack only: never the request or response objects some
      // libraries hang on their errors, which carry headers and cookies.
      serializers: { err: errorFields },
    },
    destination,
  );
}

interface ErrorFields {
  readonly type: string;
  readonly message: string;
  readonly code?: string;
  readonly stack?: string;
}

/** Something@something: an SMTP server's refusal, for one, names the recipient. */
const EMAIL_ADDRESS = /[^\s<>"'@,;:()]+@[^\s<>"'@,;:()]+/g;

/** An error's text with any email address in it replaced by `[email]`. */
function withoutEmailAddresses(text: string): string {
  return text.replace(EMAIL_ADDRESS, '[email]');
}

/** The fields an error is logged with: its type, code, message and stack, email addresses removed. */
export function errorFields(error: unknown): ErrorFields {
  if (!(error instanceof Error)) return { type: typeof error, message: withoutEmailAddresses(String(error)) };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: withoutEmailAddresses(error.message),
    ...(typeof code === 'string' ? { code } : {}),
    ...(error.stack !== undefined ? { stack: withoutEmailAddresses(error.stack) } : {}),
  };
}
