#!/usr/bin/env node
// Fails the build when the console's JavaScript grows past its budget (the 250 KB gzipped):
// the people on school networks download all of it before the first screen.
const { gzipSync } = require('node:zlib');
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const BUDGET_BYTES = 250 * 1024;
const assets = join(__dirname, '..', 'dist', 'console', 'assets');

const scripts = readdirSync(assets).filter((name) => name.endsWith('.js'));
if (scripts.length === 0) {
  console.error(`No console JavaScript in ${assets}: build it first (npm run build).`);
  process.exit(1);
}
const gzippedBytes = scripts.reduce((sum, name) => sum + gzipSync(readFileSync(join(assets, name)), { level: 9 }).length, 0);
const kilobytes = (gzippedBytes / 1024).toFixed(1);
if (gzippedBytes > BUDGET_BYTES) {
  console.error(`Console JavaScript is ${kilobytes} KB gzipped, over the ${BUDGET_BYTES / 1024} KB budget.`);
  process.exit(1);
}
console.log(`Console JavaScript: ${kilobytes} KB gzipped (budget ${BUDGET_BYTES / 1024} KB).`);
