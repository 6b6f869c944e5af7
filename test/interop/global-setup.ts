import { spawnSync } from 'node:child_process';
import baseGlobalSetup from '../global-setup';
import { DEBIAN_PYTHON } from './python-interop';

/**
 * The interop suite needs Debian's Python with PyJWT and cryptography: without them it fails at
 * once with the command that installs them. It never skips.
 */
export default function globalSetup(): void {
  const probe = spawnSync(DEBIAN_PYTHON, ['-c', 'import jwt, cryptography; print(jwt.__version__)'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    const why = probe.error?.message ?? probe.stderr.trim().split('\n').pop();
    throw new Error(
      `npm run test:interop needs ${DEBIAN_PYTHON} with PyJWT and cryptography (${why}). ` +
        'On Debian: sudo apt-get install -y python3-jwt python3-cryptography',
    );
  }
  baseGlobalSetup();
}
