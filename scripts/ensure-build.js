#!/usr/bin/env node
// Builds when dist/ is missing or older than the sources (the console's too), so `npm start` works on a fresh clone.
const { execSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const markers = [join(root, 'dist', 'src', 'main.js'), join(root, 'dist', 'console', 'index.html')];

function newestModification(directory) {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestModification(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function ensureBuild() {
  const newestSource = Math.max(...['src', 'migrations', 'scripts', 'web'].map((folder) => newestModification(join(root, folder))));
  if (markers.every((marker) => existsSync(marker) && statSync(marker).mtimeMs >= newestSource)) return;
  console.log('Building the service (npm run build)...');
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}

module.exports = { ensureBuild };
if (require.main === module) ensureBuild();
