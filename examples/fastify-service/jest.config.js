'use strict';
const base = require('../../jest.config.base.js');

/** The origin started in-process (`start()` of src/start.ts) against a real Consul agent. */
const config = base(__dirname, 'example-fastify-service');

// fastify 5.12 requires light-my-request, which requires cookie 2, an ESM-only package that Node 20
// loads natively (require(esm)) but jest's module runtime cannot: compile just that file (as the
// @consulkit/fastify project does).
module.exports = {
  ...config,
  transform: {
    ...config.transform,
    '/node_modules/cookie/dist/.+\\.js$': [
      'ts-jest',
      {
        tsconfig: {
          allowJs: true,
          module: 'commonjs',
          target: 'ES2022',
          isolatedModules: true,
        },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!cookie/dist/)'],
};
