import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A blog owner's project, made the way the package README says: `npm pack` in the Parley
 * repository, then `npm install` of the tarball in a fresh directory. No network: the package
 * has no dependencies to fetch, and what the examples need besides (express, Node's type
 * declarations) is linked from this repository's node_modules.
 */

export const REPOSITORY_ROOT = path.resolve(__dirname, '../../..');

/** What `npm pack --json` says about the tarball it wrote. */
export interface PackedTarball {
  readonly filename: string;
  /** Bytes of the .tgz. */
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
  readonly files: readonly { readonly path: string; readonly size: number }[];
}

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a shell, not of the `npm test` that may be running us: npm passes its
 * configuration to scripts as npm_* variables, and they would steer the npm commands below.
 */
function shellEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
}

/** Runs a command; rejects with its output when it fails. */
export function run(command: string, args: readonly string[], cwd: string, timeoutMs = 60_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: shellEnvironment(), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${error.message}\n${stdout}\n${stderr}`));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

/** `npm pack ./packages/verify`, run from the repository root as the README says; builds first (prepack). */
export async function packVerifier(destination: string): Promise<{ tarballPath: string; tarball: PackedTarball }> {
  const { stdout } = await run('npm', ['pack', './packages/verify', '--json', '--pack-destination', destination], REPOSITORY_ROOT);
  const [tarball] = JSON.parse(stdout) as PackedTarball[];
  if (tarball === undefined) throw new Error(`npm pack reported no tarball: ${stdout}`);
  return { tarballPath: path.join(destination, tarball.filename), tarball };
}

/** A new project in `directory` with the tarball installed, as the README's install step does. */
export async function installInNewProject(directory: string, tarballPath: string): Promise<void> {
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(path.join(directory, 'package.json'), JSON.stringify({ name: 'my-blog', version: '1.0.0', private: true }, null, 2));
  await run('npm', ['install', tarballPath, '--offline', '--no-audit', '--no-fund'], directory);
}

/**
 * Makes `packageName` (e.g. express) resolvable from `directory` by a symlink to this repository's
 * copy. Node and TypeScript follow the link to its real path, where the package's own
 * dependencies are found.
 */
export function linkFromRepository(directory: string, packageName: string): void {
  const link = path.join(directory, 'node_modules', packageName);
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(path.join(REPOSITORY_ROOT, 'node_modules', packageName), link, 'dir');
}

/** Every file under `directory`, as paths relative to it. */
export function filesUnder(directory: string): string[] {
  return fs
    .readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)));
}
