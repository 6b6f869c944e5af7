import { UsageError } from './usage-error';

/**
 * What every `parley` command shares on its command line: `--help` (or `-h`) anywhere prints the
 * command's own usage and runs nothing, and an option the command does not know is an error,
 * never silently ignored (a mistyped `--dry-run` must not import for real).
 */
export interface CommandLine {
  /** The command's usage, printed for --help and after a usage error. */
  readonly usage: string;
  /** Options it takes (e.g. `--dry-run`, or `--format` with a value); none by default. */
  readonly options?: Readonly<Record<string, 'flag' | 'value'>>;
  /** Most positional arguments it takes (actions included); unlimited when absent. */
  readonly maxArguments?: number;
}

const HELP = new Set(['--help', '-h']);

export function asksForHelp(args: readonly string[]): boolean {
  return args.some((arg) => HELP.has(arg)) || args[0] === 'help';
}

/** A command line taken apart: positional arguments, and the options given (a flag's value is true). */
export interface ParsedCommandLine {
  readonly positional: readonly string[];
  readonly options: ReadonlyMap<string, string | true>;
}

/**
 * Takes the arguments apart against the command's options, before anything runs: an unknown
 * option, a value option without its value (`--format wxr` or `--format=wxr`), a flag given a
 * value, or too many positional arguments is a UsageError. `--` ends options.
 */
export function parseCommandLine(name: string, line: CommandLine, args: readonly string[]): ParsedCommandLine {
  const declared = line.options ?? {};
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === '--') {
      positional.push(...args.slice(index + 1));
      break;
    }
    // Only `--name` is an option: comment ids and subjects are base64url and may start with `-`.
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const option = equals === -1 ? arg : arg.slice(0, equals);
    const kind = Object.hasOwn(declared, option) ? declared[option] : undefined;
    if (kind === undefined) throw new UsageError(`unknown option "${option}" for parley ${name}\n\n${line.usage}`);
    if (kind === 'value') {
      const value = equals === -1 ? args[(index += 1)] : arg.slice(equals + 1);
      if (value === undefined || value === '') throw new UsageError(`${option} needs a value\n\n${line.usage}`);
      options.set(option, value);
    } else {
      if (equals !== -1) throw new UsageError(`${option} takes no value\n\n${line.usage}`);
      options.set(option, true);
    }
  }
  if (line.maxArguments !== undefined && positional.length > line.maxArguments) {
    throw new UsageError(`parley ${name} takes ${line.maxArguments === 0 ? 'no arguments' : `at most ${line.maxArguments} arguments`}\n\n${line.usage}`);
  }
  return { positional, options };
}
