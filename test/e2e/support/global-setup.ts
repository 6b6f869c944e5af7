import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { assertChromium } from './chromium';

/** Before any browser test: Chromium must be there (fail, never skip), and widget.js fresh. */
export default function globalSetup(): void {
  assertChromium();
  execFileSync(process.execPath, [path.join(__dirname, '..', '..', '..', 'scripts', 'build.js')], { stdio: 'inherit' });
}
