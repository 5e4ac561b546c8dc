'use strict';
const path = require('node:path');

/** One jest project per package: real-Consul integration tests and pure unit tests live side by side. */
module.exports = function projectConfig(dir, displayName, overrides = {}) {
  return {
    displayName,
    rootDir: dir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    moduleFileExtensions: ['ts', 'js', 'json'],
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.jest.json') }],
    },
    testTimeout: 60_000,
    ...overrides,
  };
};
