'use strict';
/**
 * Flow nodes the end-to-end tests put around a chain: an HTTP feed
 * (POST /<name>/records takes an array of records and is answered at once;
 * POST /<name>/control takes {checkpoint|flush: true}, answered by the
 * caller's `done` http response once that control message has come out)
 * and a file node appending one JSON line per message.
 */

/** The HTTP feed of `entry` on tab `z`; node ids are `${name}_…`, the control answer is `${name}_done`. */
function httpFeed(name, z, entry) {
  const id = (s) => `${name}_${s}`;
  return [
    { id: id('in_records'), z, type: 'http in', url: `/${name}/records`, method: 'post', upload: false, swaggerDoc: '', wires: [[entry, id('ok')]] },
    { id: id('ok'), z, type: 'http response', statusCode: '', headers: {}, wires: [] },
    { id: id('in_control'), z, type: 'http in', url: `/${name}/control`, method: 'post', upload: false, swaggerDoc: '', wires: [[id('control')]] },
    {
      id: id('control'),
      z,
      type: 'change',
      rules: [
        { t: 'set', p: 'checkpoint', pt: 'msg', to: 'payload.checkpoint = true', tot: 'jsonata' },
        { t: 'set', p: 'flush', pt: 'msg', to: 'payload.flush = true', tot: 'jsonata' },
        { t: 'delete', p: 'payload', pt: 'msg' },
      ],
      wires: [[entry]],
    },
    { id: id('done'), z, type: 'http response', statusCode: '', headers: {}, wires: [] },
  ];
}

/** A file node appending each message's payload as a line (relative names land in the user directory). */
function fileNode(id, z, filename) {
  return { id, z, type: 'file', filename, filenameType: 'str', appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'utf8', wires: [] };
}

/** The rows a file node wrote: batches arrive as arrays (one line each); control messages write empty lines. */
function jsonLines(file) {
  return require('fs')
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => /^[[{]/.test(l))
    .flatMap((l) => [].concat(JSON.parse(l)));
}

/**
 * A Node-RED process with a `localfilesystem` context store named "file",
 * running `chainTab(name, store)` twice: a reference copy without a store
 * and a resumed copy with it. `send` posts records in parts of 500;
 * `restored` counts the nodes that said they restored state so far.
 */
async function referenceAndResumed(prefix, chainTab) {
  const fs = require('fs');
  const os = require('os');
  const path = require('path');
  const { NodeRedProcess, freePort } = require('./node-red-process');
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), `netbeacon-${prefix}-`));
  const red = new NodeRedProcess(userDir, await freePort(), {
    contextStorage: { default: { module: 'memory' }, file: { module: 'localfilesystem' } },
  });
  const flows = [...chainTab('reference', ''), ...chainTab('resumed', 'file')];
  const send = async (name, part) => {
    for (let i = 0; i < part.length; i += 500) await red.post(`/${name}/records`, part.slice(i, i + 500));
  };
  const restored = () => (red.log.match(/state restored from context store "file"/g) || []).length;
  await red.start();
  await red.deploy(flows);
  return { red, userDir, flows, send, restored };
}

module.exports = { httpFeed, fileNode, jsonLines, referenceAndResumed };
