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

/**
 * Checks the arguments against the command's options before anything runs; `--` ends options.
 * Commands still read their own positional arguments and options.
 */
export function checkCommandLine(name: string, line: CommandLine, args: readonly string[]): void {
  const options = line.options ?? {};
  let positional = 0;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === '--') {
      positional += args.length - index - 1;
      break;
    }
    if (arg.startsWith('-') && arg !== '-') {
      const [option] = arg.split('=', 1) as [string];
      const kind = Object.hasOwn(options, option) ? options[option] : undefined;
      if (kind === undefined) throw new UsageError(`unknown option "${option}" for parley ${name}\n\n${line.usage}`);
      if (kind === 'value' && !arg.includes('=')) index += 1;
      continue;
    }
    positional += 1;
  }
  if (line.maxArguments !== undefined && positional > line.maxArguments) {
    throw new UsageError(`parley ${name} takes ${line.maxArguments === 0 ? 'no arguments' : `at most ${line.maxArguments} arguments`}\n\n${line.usage}`);
  }
}
