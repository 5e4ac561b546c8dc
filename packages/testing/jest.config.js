'use strict';
const base = require('../../jest.config.base.js');

module.exports = base(__dirname, '@consulkit/testing');
