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

/**
 * fastify 5.12's light-my-request (behind app.inject) requires cookie 2, an ESM-only package that
 * Node 20 loads natively (require(esm)) but jest's module runtime cannot: compile just that file.
 * For the projects that load Fastify.
 */
module.exports.compilingEsmCookie = function compilingEsmCookie(config) {
  return {
    ...config,
    transform: {
      ...config.transform,
      '/node_modules/cookie/dist/.+\\.js$': [
        'ts-jest',
        {
          tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true },
        },
      ],
    },
    transformIgnorePatterns: ['/node_modules/(?!cookie/dist/)'],
  };
};
