import fs from 'node:fs';
import path from 'node:path';
import { loadSettings, assertProductionReady, ConfigError, type Settings } from './config';
import { UsageError } from './commands/usage-error';
import { asksForHelp, parseCommandLine, type CommandLine } from './commands/command-line';
import { COMMENTS_COMMAND_LINE, KEYS_USAGE, TOKENS_USAGE } from './commands/usage';

const USAGE = `usage: parley <command> [--help]
       parley --version

  gateway        the sign-in gateway (OpenID Connect provider) on PARLEY_GATEWAY_PORT (4000)
  comments       the comment service on PARLEY_COMMENTS_PORT (4100); moderation: parley comments --help
  emulators      Twitter and Facebook emulators on PARLEY_EMULATOR_PORT (4300), development only
  demo           gateway, emulators and a demo blog page on PARLEY_DEMO_PORT (4200)
  keys rotate    add a new signing key (the old one stays published until its tokens expire)
  keys list      show the signing keys
  tokens revoke <site> <sub>   revoke a commenter's tokens at a site (refused everywhere within seconds)

\`parley <command> --help\` explains one command. Settings come from config/parley.json and the
environment; see README.md.`;

type Stoppable = { close(): Promise<void> };
type Command = (settings: Settings, args: readonly string[]) => Promise<Stoppable | void>;

interface CommandSpec extends CommandLine {
  readonly run: Command;
}

const serviceUsage = (name: string, what: string) => `usage: parley ${name}

  ${what}
  Runs until stopped (SIGINT or SIGTERM). Settings come from config/parley.json and the
  environment; see README.md.`;

const COMMANDS: Record<string, CommandSpec> = {
  // Commands load their modules only when run, so a configuration error is reported before
  // oidc-provider (and its runtime warning) is even loaded.
  gateway: {
    usage: serviceUsage('gateway', 'the sign-in gateway (OpenID Connect provider) on PARLEY_GATEWAY_PORT (4000)'),
    maxArguments: 0,
    run: async (settings) => {
      const { runGateway } = await import('./commands/gateway');
      const running = await runGateway(settings);
      running.gateway.logger.info(
        { port: running.server.port, issuer: settings.gateway.issuer },
        `parley gateway: listening on port ${running.server.port}, issuer ${settings.gateway.issuer}`,
      );
      return running;
    },
  },
  comments: {
    ...COMMENTS_COMMAND_LINE,
    run: async (settings, args) => (await import('./commands/comments')).runComments(settings, args),
  },
  demo: {
    usage: serviceUsage('demo', 'gateway, comment service, emulators and a demo blog page on PARLEY_DEMO_PORT (4200), development only'),
    maxArguments: 0,
    run: async (settings) => (await import('./commands/demo')).runDemo(settings),
  },
  emulators: {
    usage: serviceUsage('emulators', 'Twitter and Facebook emulators on PARLEY_EMULATOR_PORT (4300), development only'),
    maxArguments: 0,
    run: async (settings) => (await import('./commands/emulators')).runEmulators(settings),
  },
  keys: { usage: KEYS_USAGE, maxArguments: 1, run: async (settings, args) => (await import('./commands/keys')).runKeys(settings, args) },
  tokens: { usage: TOKENS_USAGE, maxArguments: 3, run: async (settings, args) => (await import('./commands/tokens')).runTokens(settings, args) },
};

/** This installation's version, from package.json (one folder above src/ and dist/ alike). */
export function parleyVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

function stopOnSignals(running: Stoppable): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`parley: ${signal} received, stopping`);
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/**
 * Runs one `parley` command. Returns the exit code for commands that end (or fail to start);
 * long-running services keep the process alive until a signal stops them.
 */
export async function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    // `parley help <command>` is that command's --help.
    const topic = name === 'help' && args[0] !== undefined && Object.hasOwn(COMMANDS, args[0]) ? COMMANDS[args[0]] : undefined;
    console.log(topic?.usage ?? USAGE);
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-v' || name === '-V') {
    console.log(`parley ${parleyVersion()}`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(`parley: unknown ${name.startsWith('-') ? 'option' : 'command'} "${name}"\n\n${USAGE}`);
    return 1;
  }
  // Help is printed before settings are read or anything starts: it never starts a server.
  if (asksForHelp(args)) {
    console.log(command.usage);
    return 0;
  }
  try {
    // Refused before settings are read; each command reads its own arguments again.
    parseCommandLine(name, command, args);
    const settings = loadSettings(env);
    // Serving refuses insecure production settings; one-off commands (keys, moderation) do not serve.
    const serves = name !== 'keys' && name !== 'tokens' && !(name === 'comments' && args.length > 0);
    if (serves) assertProductionReady(settings, { servesGateway: name !== 'comments' });
    const running = await command.run(settings, args);
    if (running) stopOnSignals(running);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      console.error(`parley: ${error.message}`);
      return 1;
    }
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`parley: a port is already in use (${(error as Error).message}); stop the other process or change the PARLEY_*_PORT setting`);
      return 1;
    }
    console.error(`parley: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}

if (require.main === module) {
  // A stray rejection is logged, not fatal: one bad request must not take the service down.
  process.on('unhandledRejection', (reason) => {
    console.error(`parley: unhandled rejection: ${(reason as Error)?.message ?? String(reason)}`);
  });
  run(process.argv.slice(2)).then((code) => {
    if (code !== 0) process.exit(code);
  });
}
