'use strict';
const base = require('../../jest.config.base.js');

/**
 * The reliability and security suite: faults, load and bad input against real agents. Bounded by
 * default (it runs in `npm test`); `CHAOS_FULL=1` (set by `npm run test:chaos`) runs the full counts.
 */
module.exports = base(__dirname, 'chaos');
