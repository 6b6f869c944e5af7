/**
 * The cluster suite (`npm run test:cluster`): the scale-out stores for real. Its own tests
 * (test/cluster) and the suites below run again with every gateway and comment service on a
 * PostgreSQL database of its own (test/helpers/postgres.ts), so every store is held to the same
 * behaviour as on SQLite. It fails, never skips, when PostgreSQL is missing.
 */
const base = require('./jest.config.js');

/** Suites repeated on PostgreSQL; those that look behind the service into its SQLite file are not. */
const REPEATED_ON_POSTGRES = [
  'test/flows/',
  'test/comments/api.test.ts',
  'test/comments/idempotency.test.ts',
  'test/comments/moderation.test.ts',
  'test/comments/moderation-api.test.ts',
  'test/comments/moderation-premoderation.test.ts',
  'test/comments/own-comments.test.ts',
  'test/comments/moderation-instances.test.ts',
  'test/comments/concurrent-writers.test.ts',
  'test/comments/commenter-data.test.ts',
  'test/gateway/erasure-store.test.ts',
  'test/store/oidc-adapter.test.ts',
  'test/store/session-store.test.ts',
];

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/cluster/**/*.test.ts', ...REPEATED_ON_POSTGRES.map((entry) => `<rootDir>/${entry}${entry.endsWith('/') ? '**/*.test.ts' : ''}`)],
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/test/e2e/',
    // These read gateway.sqlite (the dev mailbox, the stored hashes) to check what was kept.
    '<rootDir>/test/flows/email-sign-in-failures.test.ts',
    '<rootDir>/test/flows/email-over-smtp.test.ts',
  ],
  globalSetup: '<rootDir>/test/cluster/global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.ts',
};
