#!/usr/bin/env node
'use strict';
// A committed shim so npm can link the bin at install time, before dist/ is built.
require('../dist/cli.js');
