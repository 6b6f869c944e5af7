/**
 * Browser tests (test/e2e): playwright-core driving Debian's Chromium against the real gateway,
 * comment service, emulators and demo page on loopback. One file at a time: each starts its own
 * servers and browser. They fail, never skip, when Chromium is missing (`npm run test:e2e`).
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.test.ts'],
  transform: base.transform,
  transformIgnorePatterns: base.transformIgnorePatterns,
  setupFiles: base.setupFiles,
  globalSetup: '<rootDir>/test/e2e/support/global-setup.ts',
  maxWorkers: 1,
  testTimeout: 120000,
  slowTestThreshold: 30,
};
