'use strict';
const base = require('../../jest.config.base.js');

// jest reads `testTimeout` only from the root config, not from a project's (the base sets it in
// vain), so this project sets its timeout in a setup file: real agents take seconds, not 5 s.
module.exports = base(__dirname, '@consulkit/testing', {
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
});
