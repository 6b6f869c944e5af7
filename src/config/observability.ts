import { isIP } from 'node:net';
import { ConfigError } from './errors';

/** pino's levels, most verbose first, and `silent` for none. */
export const LOG_LEVELS = Object.freeze(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const);
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `json`: one JSON object a line (for collectors). `pretty`: one short readable line (for people). */
export type LogFormat = 'json' | 'pretty';

/** How a service logs and where it serves its Prometheus metrics. */
export interface ObservabilitySettings {
  /** PARLEY_LOG_LEVEL; default info. */
  readonly logLevel: LogLevel;
  /**
   * PARLEY_LOG_FORMAT. Unset: pretty when not in production and stdout is a terminal, else JSON
   * (decided when the logger is made, since only then is it known where the lines go).
   */
  readonly logFormat: LogFormat | undefined;
  /** PARLEY_METRICS_PORT: unset turns the metrics listener off; 0 picks a free port. */
  readonly metricsPort: number | undefined;
  /** PARLEY_METRICS_HOST: the interface the metrics listener binds; default loopback only. */
  readonly metricsHost: string;
}

type Read = (name: string) => string | undefined;

export function logLevel(value: string): LogLevel {
  const level = LOG_LEVELS.find((candidate) => candidate === value.toLowerCase());
  if (level === undefined) throw new ConfigError('PARLEY_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')} (got "${value}")`);
  return level;
}

function logFormat(value: string | undefined): LogFormat | undefined {
  if (value === undefined || value === 'json' || value === 'pretty') return value;
  throw new ConfigError('PARLEY_LOG_FORMAT', `must be json or pretty (got "${value}")`);
}

function metricsPort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new ConfigError('PARLEY_METRICS_PORT', `must be a TCP port number from 0 to 65535 (got "${value}")`);
  }
  return Number(value);
}

/** A host name or an IPv4/IPv6 address: no scheme, port, path or spaces. */
function metricsHost(value: string): string {
  if (isIP(value) === 0 && !/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})$/.test(value)) {
    throw new ConfigError('PARLEY_METRICS_HOST', `must be a host name or an IP address to listen on (got "${value}")`);
  }
  return value;
}

/** Reads the logging and metrics settings; `read` gives a trimmed value, or undefined when blank. */
export function observabilitySettings(read: Read): ObservabilitySettings {
  return {
    logLevel: logLevel(read('PARLEY_LOG_LEVEL') ?? 'info'),
    logFormat: logFormat(read('PARLEY_LOG_FORMAT')),
    metricsPort: metricsPort(read('PARLEY_METRICS_PORT')),
    metricsHost: metricsHost(read('PARLEY_METRICS_HOST') ?? '127.0.0.1'),
  };
}
