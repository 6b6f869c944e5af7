/**
 * Jest runs TypeScript through @swc/jest. oidc-provider and jose ship only ES modules, which Jest
 * on Node 20 cannot load natively, so they (and their ESM dependencies) are transformed too;
 * openid-client (a dev dependency, for the third-party client test) brings oauth4webapi.
 */
const esmPackages = ['oidc-provider', 'jose', 'openid-client', 'oauth4webapi'];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // packages/verify/test: the verifier package's own tests (it is packed and installed there).
  roots: ['<rootDir>/test', '<rootDir>/packages/verify/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/cluster/'],
  transform: {
    '^.+\\.(t|j|mj)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  setupFiles: ['<rootDir>/test/setup.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 30000,
};
