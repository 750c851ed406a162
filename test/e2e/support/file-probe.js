'use strict';
/** A file node that writes what reaches it as JSON lines, and the reader of such a file, for end-to-end tests. */
const fs = require('fs');

const fileProbe = (id, z, filename, y = 900) => ({
  id,
  type: 'file',
  z,
  name: 'test probe',
  filename,
  filenameType: 'str',
  appendNewline: true,
  createDir: true,
  overwriteFile: 'false',
  encoding: 'utf8',
  x: 900,
  y,
  wires: [],
});

/** The complete lines of a file being written (the last, unfinished one is left for later), as JSON. */
const jsonLines = (file) =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .slice(0, -1)
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l))
    : [];

module.exports = { fileProbe, jsonLines };
