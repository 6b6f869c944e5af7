/**
 * The interop suite (`npm run test:interop`): the verification examples for other languages in
 * docs/, run against a real gateway on loopback. It needs Debian's Python with python3-jwt
 * (/usr/bin/python3), so it is not part of `npm test`; it fails, never skips, without it.
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/interop'],
  // Not *.test.ts: jest.config.js (npm test) looks at every *.test.ts under test/, and must not run these.
  testMatch: ['**/*.interop.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: '<rootDir>/test/interop/global-setup.ts',
  testTimeout: 60000,
};
