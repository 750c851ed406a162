'use strict';
/**
 * Feeding a live example as a device would: the example's flow with its
 * syslog in node on a free port and probe file nodes (records leaving the
 * input, its counters, the flush marked in the alert file), and util-linux logger
 * sending a capture's lines to it.
 */
const { execFile, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { ROOT } = require('./node-red-process');
const { fileProbe, flushMarker, flushMarks, jsonLines } = require('./file-probe');

const EXAMPLES = {
  pu: 'Palo Alto beaconing from CEF over UDP syslog.json',
  pt: 'Palo Alto beaconing from PAN-OS CSV over TCP syslog.json',
  zt: 'WireData beaconing from Zeek JSON over TCP.json',
};
// the logger's body: the generated line without the syslog header it was rendered with (logger adds its own)
const body = (line) => line.replace(/^<\d+>(?:1 \S+ \S+ - - - - |[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ )/, '');
/** Records written by a probe file node: one JSON array (a batch) per line. */
const recordCount = (file) => jsonLines(file).reduce((n, batch) => n + [].concat(batch).length, 0);

function loggerAvailable() {
  const probe = spawnSync('logger', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? null : (probe.stderr || probe.error?.message || 'logger not found').trim();
}

/**
 * One live example ready to deploy: its syslog-in node on `port` (plus any
 * overrides), ids prefixed with `as` when it runs twice, and probe file nodes
 * for the records leaving the input and its counters; the flush leaving the
 * scorer is marked in the alert file (see `flushed`).
 */
function liveFlow(name, as, port, inputOverrides = {}) {
  const p = Object.keys(EXAMPLES).find((k) => EXAMPLES[k] === name);
  const nodes = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', name), 'utf8').replaceAll(`"${p}_`, `"${as}_`));
  const input = nodes.find((n) => n.type === 'beacon-syslog-in');
  Object.assign(input, { port, ...inputOverrides });
  const alerts = nodes.find((n) => n.type === 'file');
  alerts.filename = `alerts-${as}.jsonl`;
  const z = input.z;
  input.wires[0].push(`${as}_probe_records`);
  input.wires[2].push(`${as}_probe_counters`);
  nodes.find((n) => n.type === 'beacon-scorer').wires[1].push(`${as}_probe_flushed`); // control messages leave on the second output
  nodes.push(
    fileProbe(`${as}_probe_records`, z, `records-${as}.jsonl`, 800),
    fileProbe(`${as}_probe_counters`, z, `counters-${as}.jsonl`, 800),
    ...flushMarker(`${as}_probe`, z, [alerts.id], 840),
  );
  return nodes;
}

/** Whether the flush has left flow `as`'s scorer (in `userDir`): its mark is in the alert file, after every alert row. */
const flushed = (userDir, as) => flushMarks(path.join(userDir, `alerts-${as}.jsonl`)) > 0;

function runLogger(args, file, tag = 'PAN-OS') {
  return new Promise((resolve, reject) =>
    execFile('logger', [...args, '--server', '127.0.0.1', '--size', '8192', '-t', tag, '-f', file], (err, _out, stderr) =>
      err ? reject(new Error(`logger: ${stderr || err.message}`)) : resolve(),
    ),
  );
}

module.exports = { EXAMPLES, body, jsonLines, recordCount, loggerAvailable, liveFlow, flushed, runLogger };
