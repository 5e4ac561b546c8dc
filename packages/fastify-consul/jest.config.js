'use strict';
const base = require('../../jest.config.base.js');

const config = base(__dirname, '@consulkit/fastify');

// fastify 5.12's light-my-request (behind app.inject) requires cookie 2, an ESM-only package that
// Node 20 loads natively (require(esm)) but jest's module runtime cannot: compile just that file.
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
