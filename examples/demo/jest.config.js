'use strict';
const base = require('../../jest.config.base.js');

/** The e2e demo test: runs the built demo (`dist/main.js --ci`) as a child process. */
module.exports = base(__dirname, '@consulkit/example-demo');
