'use strict';
const base = require('../../jest.config.base.js');

module.exports = base.compilingEsmCookie(base(__dirname, '@consulkit/fastify'));
