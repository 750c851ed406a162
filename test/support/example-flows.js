'use strict';
/**
 * Loads an example flow from examples/ into node-red-node-test-helper with
 * the core nodes it uses, adds probe nodes on the outputs that matter, and
 * replays records through it the way the file input would.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const helper = require('node-red-node-test-helper');

const ROOT = path.join(__dirname, '..', '..');
const { CORE_NODES: CORE } = require('./node-red');

/** Every node module an example flow can use: ours and the core ones. */
const NODE_MODULES = [
  require(path.join(ROOT, 'dist', 'nodes', 'beacon-ip-filter.js')),
  require(path.join(ROOT, 'dist', 'nodes', 'beacon-delta.js')),
  require(path.join(ROOT, 'dist', 'nodes', 'beacon-histogram.js')),
  require(path.join(ROOT, 'dist', 'nodes', 'beacon-pairs.js')),
  require(path.join(ROOT, 'dist', 'nodes', 'beacon-scorer.js')),
  require(path.join(ROOT, 'dist', 'nodes', 'beacon-parse.js')),
  require(path.join(ROOT, 'dist', 'nodes', 'beacon-format.js')),
  ...[
    'common/20-inject.js',
    'common/21-debug.js',
    'common/25-catch.js',
    'common/90-comment.js',
    'function/10-switch.js',
    'function/15-change.js',
    'parsers/70-JSON.js',
    'storage/10-file.js',
    'network/21-httprequest.js',
    'network/31-tcpin.js',
  ].map((f) => require(path.join(CORE, 'core', f))),
];

const EXAMPLES = {
  wiredata: 'WireData beaconing (Sentinel rule).json',
  paloalto: 'Palo Alto beaconing (Sentinel rule).json',
  zeek: 'WireData beaconing from Zeek conn.log.json',
};

function readExample(name) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', EXAMPLES[name] || name), 'utf8'));
}

/**
 * The example flow, with probes: `probe-alerts` on the scorer's alert
 * output, `probe-below` on its second output, `probe-late` on every late
 * output. File outputs are pointed into a temporary folder.
 */
function instrument(flow) {
  const nodes = JSON.parse(JSON.stringify(flow));
  const tab = nodes.find((n) => n.type === 'tab');
  const z = tab ? tab.id : undefined;
  const scorer = nodes.find((n) => n.type === 'beacon-scorer');
  const json = nodes.find((n) => n.type === 'json');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-flow-'));
  if (scorer) scorer.wires[0].push('probe-alerts');
  if (scorer) scorer.wires[1].push('probe-below');
  for (const n of nodes) {
    if (n.type === 'beacon-delta' || n.type === 'beacon-histogram') n.wires[1].push('probe-late');
    if (n.type === 'file') n.filename = path.join(tmp, path.basename(n.filename));
  }
  nodes.push(
    { id: 'probe-alerts', type: 'helper', z, wires: [] },
    { id: 'probe-below', type: 'helper', z, wires: [] },
    { id: 'probe-late', type: 'helper', z, wires: [] },
  );
  // records enter after the JSON parser; raw log lines enter at the parse node
  const entryId = json ? json.wires[0][0] : nodes.find((n) => n.type === 'beacon-parse').id;
  return { nodes, entryId, tmp };
}

/**
 * Replays records into the node after the JSON parser (one record per
 * message, or arrays of `batchSize`): a reset first, a flush last, both along
 * the same wires; resolves once the flush has left the scorer (on its second
 * output, after every alert: control messages never take the alert output).
 */
function replay(flowInfo, records, { batchSize = 0, source = null, afterBatch = null } = {}) {
  const entry = helper.getNode(flowInfo.entryId);
  const alerts = helper.getNode('probe-alerts');
  const late = helper.getNode('probe-late');
  const below = helper.getNode('probe-below');
  // alerts/below: final rows, as the KQL query gives them; early: alerts sent before their cell closed (Final: false)
  const result = { alerts: [], below: [], late: [], messages: [], early: [], notified: [] };
  const finished = new Promise((resolve) => {
    const onLate = (msg) => result.late.push(...[].concat(msg.payload));
    const onBelow = (msg) => {
      if (msg.flush) {
        alerts.removeListener('input', onAlert);
        late.removeListener('input', onLate);
        below.removeListener('input', onBelow);
        return resolve(result);
      }
      if (msg.reset || msg.checkpoint) return;
      // the scorer's second output adds FailedThresholds to the KQL row
      for (const row of [].concat(msg.payload)) {
        const { FailedThresholds, ...kqlRow } = row;
        if (row.Final !== false) result.below.push(finalRow(kqlRow));
      }
    };
    const onAlert = (msg) => {
      result.messages.push(msg);
      for (const row of [].concat(msg.payload)) {
        if (row.Final === false) result.early.push(row);
        else result.alerts.push(finalRow(row));
        if (row.Notify !== false && msg.notify) result.notified.push(row);
      }
    };
    alerts.on('input', onAlert);
    late.on('input', onLate);
    below.on('input', onBelow);
  });
  return (async () => {
    // start from a clean state: earlier replays in the same flow used other times
    entry.receive({ reset: true });
    if (source) {
      // batches from a generator, each through the flow before the next is made (memory tests)
      for (const batch of source) {
        entry.receive({ payload: batch });
        await forgetSpyCalls();
        afterBatch?.();
      }
    }
    const messages = batchSize > 0 ? chunk(records, batchSize) : records;
    for (let i = 0; i < messages.length; i++) {
      entry.receive({ payload: messages[i] });
      if (i % 500 === 499) await forgetSpyCalls();
    }
    entry.receive({ flush: true });
    const result = await finished;
    await forgetSpyCalls();
    return result;
  })();
}

/** A final row without the streaming marks (Final, Notify, AlertId), which the KQL query has no column for. */
function finalRow(row) {
  const { Final, Notify, AlertId, ...kql } = row;
  return kql;
}

function chunk(items, size) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The helper's sinon spies keep every call, with a stack trace: node
 * send/status/error … and the runtime log, which Node-RED calls for a metric
 * on every send and receive. Long replays would exhaust the heap. Let queued
 * messages move on, then drop the recorded calls (replay tests assert on
 * outputs, not on spies).
 */
async function forgetSpyCalls() {
  await new Promise((resolve) => setImmediate(resolve));
  for (const name of ['send', 'status', 'log', 'warn', 'error', 'debug', 'trace']) {
    const spy = helper._NodePrototype && helper._NodePrototype[name];
    if (spy && typeof spy.resetHistory === 'function') spy.resetHistory();
  }
  if (helper._logSpy && typeof helper._logSpy.resetHistory === 'function') helper._logSpy.resetHistory();
}

/** Rows as sorted JSON text, so two outputs compare as sets with every column. */
function canonical(rows) {
  return rows.map((r) => JSON.stringify(r)).sort();
}

module.exports = { helper, NODE_MODULES, readExample, instrument, replay, canonical, ROOT };
