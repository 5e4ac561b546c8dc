'use strict';

/** Root jest config: one project per workspace package; the harness provisions Consul once. */
module.exports = {
  projects: [
    '<rootDir>/packages/testing',
    '<rootDir>/packages/core',
    '<rootDir>/packages/fastify-consul',
    '<rootDir>/packages/nest-consul',
    '<rootDir>/examples/demo',
    '<rootDir>/examples/fastify-service',
    '<rootDir>/examples/nest-service',
    '<rootDir>/tests/chaos',
    '<rootDir>/scripts',
  ],
  globalSetup: '<rootDir>/packages/testing/dist/jest/global-setup.js',
  globalTeardown: '<rootDir>/packages/testing/dist/jest/global-teardown.js',
  maxWorkers: process.env.JEST_MAX_WORKERS ?? 2,
  // A global option: project configs cannot set it in multi-project mode.
  testTimeout: 60_000,
};
