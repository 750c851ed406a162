#!/usr/bin/env node
// Runs before `npm run build`: tsc compiles src/ into the project root but never
// deletes what a removed or renamed source compiled to, and `files` publishes
// core/, input/, tools/, nodes/ and plugins/ whole, so a stale .js would ship
// (and could be loaded). Deletes every compiled .js whose src/*.ts is gone.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const compiled = ['core', 'input', 'tools', 'dev', 'nodes', 'plugins'];
// nodes/ and plugins/ also hold tracked files (.html, locales, icons): only .js there is compiled
let removed = 0;
function sweep(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) sweep(file);
    else if (entry.name.endsWith('.js')) {
      const source = path.join(root, 'src', path.relative(root, file)).replace(/\.js$/, '.ts');
      if (!fs.existsSync(source)) {
        fs.unlinkSync(file);
        removed++;
      }
    }
  }
}
for (const d of compiled) sweep(path.join(root, d));
if (removed) process.stdout.write(`removed ${removed} compiled file(s) whose source is gone\n`);
