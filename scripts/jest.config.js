'use strict';
const base = require('../jest.config.base.js');

/**
 * Tests of the test command itself: the verdict of scripts/summary.cjs, and scripts/run-jest.mjs run
 * in a child process against the fixture jest projects of test/fixtures (plain .js, so no real
 * project's testMatch picks them up).
 */
module.exports = base(__dirname, 'scripts');
