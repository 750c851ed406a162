'use strict';
/**
 * End to end: state survives a process restart and redeploys. A real
 * Node-RED process with a `localfilesystem` context store runs the WireData
 * example chain twice, fed over HTTP on 127.0.0.1: a reference copy gets all
 * records at once; the other copy (delta and histogram state in the file
 * store) gets them in four parts, with a SIGTERM and a fresh start after the
 * first, a full redeploy through the Admin API after the second and a
 * "modified nodes" redeploy after the third. Both must write the same alerts,
 * equal to the KQL oracle's.
 */
const fs = require('fs');
const path = require('path');
const should = require('should');
const oracle = require('../oracle/kql-batch');
const gen = require('../../dist/tools/traffic-generator');
const { ROOT } = require('./support/node-red-process');
const { httpFeed, fileNode, jsonLines, referenceAndResumed } = require('./support/feed-nodes');

const example = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'WireData beaconing (Sentinel rule).json'), 'utf8'));
const CHAIN = ['wd_filter', 'wd_delta', 'wd_hist', 'wd_score'];

/**
 * The example's chain on its own tab, fed by HTTP: POST /<name>/records takes
 * an array of records (answered at once), POST /<name>/control takes
 * {checkpoint|flush: true} and is answered when that control message has come
 * out of the scorer, i.e. after every earlier record went through the chain
 * (and, for a checkpoint, after the state was saved).
 */
function chainTab(name, store) {
  const id = (s) => `${name}_${s}`;
  const nodes = example
    .filter((n) => CHAIN.includes(n.id))
    .map((n) => ({ ...n, id: id(n.id), z: id('tab'), wires: n.wires.map((w) => w.filter((t) => CHAIN.includes(t)).map(id)) }));
  // the scorer keeps the cells it alerted early, so a restart does not notify them twice
  for (const n of nodes) if (n.type !== 'beacon-ip-filter') Object.assign(n, { store, checkpointEvery: 0 });
  const scorer = nodes.find((n) => n.type === 'beacon-scorer');
  scorer.wires[0].push(id('alerts'));
  scorer.wires[1].push(id('is_control')); // control messages leave on the second output, off the alert hand-offs
  const z = id('tab');
  return [
    { id: z, type: 'tab', label: `restart test: ${name}` },
    ...nodes,
    ...httpFeed(name, z, id('wd_filter')),
    {
      id: id('is_control'),
      z,
      type: 'switch',
      property: 'checkpoint = true or flush = true',
      propertyType: 'jsonata',
      rules: [{ t: 'true' }],
      checkall: 'true',
      outputs: 1,
      wires: [[id('done')]],
    },
    fileNode(id('alerts'), z, `alerts-${name}.jsonl`),
  ];
}

const allRows = jsonLines;
/** The final rows, as the KQL query gives them (early alerts and the streaming marks left out). */
const readRows = (file) =>
  allRows(file)
    .filter((r) => r.Final !== false)
    .map(({ Final, Notify, AlertId, ...row }) => row);
/** The cells notified (first alert of each), in order. */
const notified = (file) =>
  allRows(file)
    .filter((r) => r.Notify === true)
    .map((r) => `${r.TimeGenerated} ${r.LocalIP} ${r.RemoteIP} ${r.RemotePortNumber}`);
const canonical = (rows) => rows.map((r) => JSON.stringify(r)).sort();

describe('state across restart and redeploys (real Node-RED, localfilesystem context store)', function () {
  let red;
  let userDir;
  after(function () {
    red?.kill();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('alerts after SIGTERM + restart, a full and a modified-nodes redeploy equal the uninterrupted run and the oracle', async function () {
    // arrival up to 200 s out of order: the reorder buffer is part of what must survive
    const records = gen.generateRecords({ ...gen.sampleScenario('wiredata'), disorderSeconds: 200 });
    const expected = oracle.wireDataRule(records);
    expected.length.should.be.above(3);

    let send;
    let restored;
    let flows;
    ({ red, userDir, flows, send, restored } = await referenceAndResumed('restart', chainTab));
    await send('reference', records);
    await red.post('/reference/control', { flush: true });

    const q = Math.floor(records.length / 4);
    const parts = [records.slice(0, q), records.slice(q, 2 * q), records.slice(2 * q, 3 * q), records.slice(3 * q)];

    await send('resumed', parts[0]);
    await red.post('/resumed/control', { checkpoint: true }); // a barrier: everything sent has been processed
    await red.stop();
    await red.start();
    restored().should.equal(3); // delta, histogram and scorer

    await send('resumed', parts[1]);
    await red.post('/resumed/control', { checkpoint: true });
    await red.deploy(flows, 'full');
    restored().should.equal(6);

    await send('resumed', parts[2]);
    await red.post('/resumed/control', { checkpoint: true });
    const renamed = flows.map((n) => (n.id === 'resumed_wd_delta' || n.id === 'resumed_wd_hist' ? { ...n, name: 'renamed' } : n));
    await red.deploy(renamed, 'nodes');
    restored().should.equal(8);

    await send('resumed', parts[3]);
    await red.post('/resumed/control', { flush: true });
    await red.stop();

    const reference = readRows(path.join(userDir, 'alerts-reference.jsonl'));
    const resumed = readRows(path.join(userDir, 'alerts-resumed.jsonl'));
    canonical(reference).should.eql(canonical(expected));
    canonical(resumed).should.eql(canonical(reference));
    // early alerts survive the restarts too: every alerting cell notified once, as in the uninterrupted run
    const once = notified(path.join(userDir, 'alerts-resumed.jsonl'));
    new Set(once).size.should.equal(once.length);
    once
      .slice()
      .sort()
      .should.eql(notified(path.join(userDir, 'alerts-reference.jsonl')).sort());
    once.length.should.equal(expected.length);
    // one AlertId per cell across its early and final rows and the restarts between them
    const ids = new Map();
    for (const r of allRows(path.join(userDir, 'alerts-resumed.jsonl'))) {
      const cell = `${r.TimeGenerated} ${r.LocalIP} ${r.RemoteIP} ${r.RemotePortNumber}`;
      ids.set(cell, new Set([...(ids.get(cell) ?? []), r.AlertId]));
    }
    ids.size.should.equal(expected.length);
    for (const [cell, set] of ids) [cell, set.size, typeof [...set][0]].should.eql([cell, 1, 'string']);
    should(red.warnings()).eql([]);
  });
});
