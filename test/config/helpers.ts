import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/config';

/**
 * Runs `action`, which must stop with a ConfigError, and returns that error after checking the
 * shape every ConfigError promises: the stable code, and a message that starts with the setting.
 */
export function configErrorFrom(action: () => unknown): ConfigError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) throw new Error('expected a ConfigError, but nothing was thrown');
  expect(thrown).toBeInstanceOf(ConfigError);
  const error = thrown as ConfigError;
  expect(error.code).toBe('ERR_CONFIG');
  expect(error.name).toBe('ConfigError');
  expect(error.message.startsWith(`${error.setting}: `)).toBe(true);
  return error;
}

/** A fresh temporary folder; remove it with `removeTempDirs` after each test. */
const created: string[] = [];
export function tempDir(prefix = 'parley-config-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes `value` as JSON (or a raw string as is) to `dir/name` and returns the absolute path. */
export function writeFile(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}
