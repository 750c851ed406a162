#!/usr/bin/env node
// `npm run build`: compiles src/ into dist/ from an empty folder, so a deleted
// source never leaves a stale .js behind to ship, then copies the editor files
// (HTML, message catalogs, icons) beside the compiled nodes, where Node-RED
// looks for them.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });

const EDITOR_FILE = /\.(html|json|svg|png)$/;
function copyEditorFiles(from, to) {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyEditorFiles(source, target);
    else if (EDITOR_FILE.test(entry.name)) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(source, target);
    }
  }
}
for (const dir of ['nodes', 'plugins']) copyEditorFiles(path.join(root, 'src', dir), path.join(dist, dir));
