#!/usr/bin/env node
// `npm start`: build if needed, then run the service (it creates and migrates its database itself).
const { join } = require('node:path');
const { ensureBuild } = require('./ensure-build');

ensureBuild();
require(join(__dirname, '..', 'dist', 'src', 'main.js'));
