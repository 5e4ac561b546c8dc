'use strict';
const base = require('../../jest.config.base.js');

/** The origin started in-process (`start()` of src/start.ts) against a real Consul agent. */
module.exports = base.compilingEsmCookie(base(__dirname, 'example-fastify-service'));
