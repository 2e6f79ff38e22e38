#!/usr/bin/env node
// `npm start`: builds when the build is missing or older than the sources, then runs the service.
const { execSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const entry = join(root, 'dist', 'src', 'main.js');

function newestModification(directory) {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestModification(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const sources = ['src', 'migrations', 'scripts'].map((folder) => newestModification(join(root, folder)));
if (!existsSync(entry) || Math.max(...sources) > statSync(entry).mtimeMs) {
  console.log('Building the service (npm run build)...');
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}
require(entry);
