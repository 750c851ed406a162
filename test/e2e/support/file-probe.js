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

/**
 * The nodes that write `flushed` to a file when a flush message reaches
 * `${prefix}_flushed` (wire the flow's control output there): a switch on
 * msg.flush, a change giving it a payload (the file node writes nothing
 * without one, and appends no newline to a message that carries the last
 * line's msg.parts) and a file probe.
 */
function flushProbe(prefix, z, filename, y = 900) {
  return [
    {
      id: `${prefix}_flushed`,
      type: 'switch',
      z,
      property: 'flush',
      propertyType: 'msg',
      rules: [{ t: 'true' }],
      checkall: 'true',
      repair: false,
      outputs: 1,
      x: 900,
      y,
      wires: [[`${prefix}_flush_mark`]],
    },
    {
      id: `${prefix}_flush_mark`,
      type: 'change',
      z,
      rules: [
        { t: 'set', p: 'payload', pt: 'msg', to: 'flushed', tot: 'str' },
        { t: 'delete', p: 'parts', pt: 'msg' },
      ],
      x: 900,
      y: y + 40,
      wires: [[`${prefix}_flush_file`]],
    },
    fileProbe(`${prefix}_flush_file`, z, filename, y + 80),
  ];
}

module.exports = { fileProbe, flushProbe, jsonLines };
