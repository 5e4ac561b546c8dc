'use strict';
const base = require('../../jest.config.base.js');

/** The edge started in-process (`start()` of src/start.ts) against a real Consul agent. */
module.exports = base(__dirname, 'example-nest-service');
