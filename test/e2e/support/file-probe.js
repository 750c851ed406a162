'use strict';
/** A file node that writes what reaches it as JSON lines, and the reader of such a file, for end-to-end tests. */
const fs = require('fs');

/** The line a flush marker writes into a data file (jsonLines leaves it out). */
const FLUSH_MARK = 'flushed';

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
        .filter((l) => l.trim() !== '' && l !== FLUSH_MARK)
        .map((l) => JSON.parse(l))
    : [];

/**
 * The nodes that write FLUSH_MARK into the data files `into` (ids of file
 * nodes) when a flush message reaches `${prefix}_flushed` (wire the flow's
 * control output there): a switch on msg.flush and a change giving it a
 * payload (the file node writes nothing without one, and appends no newline
 * to a message that carries the last line's msg.parts). The mark goes through
 * the data file's own node, whose queue writes in arrival order: once a file
 * holds the mark it holds every row sent before the flush. (A marker in a
 * file of its own could be written before the data node's last rows.)
 */
function flushMarker(prefix, z, into, y = 900) {
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
        { t: 'set', p: 'payload', pt: 'msg', to: FLUSH_MARK, tot: 'str' },
        { t: 'delete', p: 'parts', pt: 'msg' },
      ],
      x: 900,
      y: y + 40,
      wires: [[...into]],
    },
  ];
}

/** How many flush marks `file` holds. */
const flushMarks = (file) =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l === FLUSH_MARK).length
    : 0;

module.exports = { fileProbe, flushMarker, flushMarks, jsonLines, FLUSH_MARK };
