import fs from 'node:fs';
import path from 'node:path';

/**
 * The folder holding Parley's package.json. Found by walking up from this file because the code
 * runs both from src/ (tests) and bundled into dist/ (the `parley` command).
 */
export const PROJECT_ROOT: string = (() => {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'config'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
})();
