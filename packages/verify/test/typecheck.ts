import fs from 'node:fs';
import path from 'node:path';
import { REPOSITORY_ROOT, run } from './blog-project';

/**
 * `tsc --noEmit` over a blog owner's TypeScript files, in a folder of their project, with the
 * compiler options given, strict and with every declaration file checked (skipLibCheck off, so a
 * mistake in the package's declarations shows). Resolves with the files the compiler read, which
 * tells which of the package's entry declarations `exports` led it to; rejects with tsc's report.
 */
export async function typecheck(
  directory: string,
  compilerOptions: Readonly<Record<string, unknown>>,
  sources: Readonly<Record<string, string>>,
): Promise<string[]> {
  fs.mkdirSync(directory, { recursive: true });
  for (const [fileName, source] of Object.entries(sources)) fs.writeFileSync(path.join(directory, fileName), source);
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022'],
      types: ['node'],
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      ...compilerOptions,
    },
    files: Object.keys(sources),
  };
  fs.writeFileSync(path.join(directory, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  const tsc = path.join(REPOSITORY_ROOT, 'node_modules/typescript/bin/tsc');
  const { stdout } = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--listFiles'], directory);
  return stdout.split('\n').filter((line) => line.length > 0);
}
