'use strict';
/**
 * State in a context store, inside the test runtime: redeploys (full and
 * modified nodes) carry the delta and histogram state over, messages that
 * arrive while a node restores wait in order, msg.checkpoint is passed on
 * only once the store holds the state, a removed node deletes its state,
 * and a failing store is reported without losing a message.
 */
const should = require('should');
const { helper, node, catchNode } = require('./harness');
const Memory = require(require('../support/node-red').resolveInNodeRed('@node-red/runtime/lib/nodes/context/memory'));
const { STATE_KEY } = require('../../dist/nodes/support/persistence');
const deltaNode = node('beacon-delta');
const histogramNode = node('beacon-histogram');
const scorerNode = node('beacon-scorer');

const at = (s) => new Date(Date.UTC(2024, 0, 1, 10, 0, 0) + s * 1000).toISOString();
const rec = (s, local = '10.0.0.1') => ({ TimeGenerated: at(s), LocalIP: local, RemoteIP: '8.8.8.8', RemotePortNumber: 443, SentBytes: 10 });

/** A memory store whose reads and writes can be held back, and made to fail, by the test. */
function gatedStore() {
  const store = Memory({});
  const gate = { holdReads: false, holdWrites: false, queue: [], failWrites: false, writes: 0 };
  const later = (held, fn) => (held ? gate.queue.push(fn) : fn());
  const { get, set } = store;
  store.get = function (scope, key, cb) {
    later(gate.holdReads, () => get.call(store, scope, key, cb));
  };
  store.set = function (scope, key, value, cb) {
    gate.writes++;
    if (gate.failWrites) return cb(new Error('disk full'));
    later(gate.holdWrites, () => set.call(store, scope, key, value, cb));
  };
  gate.release = () => {
    gate.holdReads = gate.holdWrites = false;
    for (const fn of gate.queue.splice(0)) fn();
  };
  gate.saved = (id) => store._getOne(`${id}:f1`, STATE_KEY);
  return { store, gate };
}

let gate;
const tab = { id: 'f1', type: 'tab' };
const probes = [
  { id: 'o1', z: 'f1', type: 'helper' },
  { id: 'o2', z: 'f1', type: 'helper' },
  { id: 'k1', z: 'f1', type: 'catch', scope: null, uncaught: false, wires: [['c1']] },
  { id: 'c1', z: 'f1', type: 'helper' },
];
const deltaFlow = (extra = {}) => [
  tab,
  { id: 'n1', z: 'f1', type: 'beacon-delta', keyFields: 'LocalIP', lateness: 120, store: 'gated', checkpointEvery: 0, ...extra, wires: [['o1'], ['o2']] },
  ...probes,
];

/** Starts the test runtime with a gated context store, then deploys `flow`. */
async function start(flow) {
  const made = gatedStore();
  gate = made.gate;
  helper.settings({ contextStorage: { default: { module: 'memory' }, gated: { module: () => made.store } } });
  await helper.load([deltaNode, histogramNode, scorerNode, catchNode], []);
  await helper._context.load();
  await helper.setFlows(flow, 'full');
}

/** Collects what reaches the probes until a control message comes out (output 1; a scorer's output 2). */
function collect(until = (m) => m.flush) {
  const got = { o1: [], o2: [], c1: [] };
  const done = new Promise((resolve, reject) => {
    for (const id of ['o1', 'o2', 'c1']) {
      helper.getNode(id).on('input', (msg) => {
        got[id].push(msg);
        if (id !== 'c1' && until(msg)) setImmediate(() => resolve(got));
      });
    }
    setTimeout(() => reject(new Error('no control message came out')), 5000).unref();
  });
  return { got, done };
}

const deltas = (msgs) => msgs.filter((m) => !m.flush && !m.checkpoint).map((m) => [m.payload.TimeGenerated, m.payload.TimeDeltainSeconds]);

describe('beacon-delta and beacon-histogram: state in a context store', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(async () => {
    gate?.release();
    await helper.unload();
    helper.settings({});
  });

  for (const type of ['full', 'nodes']) {
    it(`keeps the delta state across a "${type}" redeploy: the deltas equal an uninterrupted run`, async function () {
      const first = [rec(0), rec(60), rec(30, '10.0.0.2'), rec(120)];
      const second = [rec(100, '10.0.0.2'), rec(180), rec(240)];
      // uninterrupted
      await start(deltaFlow());
      let run = collect();
      for (const payload of [...first, ...second]) helper.getNode('n1').receive({ payload });
      helper.getNode('n1').receive({ flush: true });
      const whole = deltas((await run.done).o1);
      await helper.unload();

      await start(deltaFlow());
      for (const payload of first) helper.getNode('n1').receive({ payload });
      const seen = [];
      helper.getNode('o1').on('input', (m) => seen.push(m));
      // a modified-nodes deploy restarts only the changed node (here: a new name)
      await helper.setFlows(deltaFlow({ name: type === 'nodes' ? 'renamed' : '' }), type);
      gate.saved('n1').should.have.property('format', 'netbeacon-state');
      run = collect();
      for (const payload of second) helper.getNode('n1').receive({ payload });
      helper.getNode('n1').receive({ flush: true });
      const resumed = [...deltas(seen), ...deltas((await run.done).o1)];
      resumed.should.eql(whole);
      whole.should.have.length(5);
    });
  }

  it('queues messages that arrive while it restores, then handles them in order', async function () {
    await start(deltaFlow());
    for (const payload of [rec(0), rec(60)]) helper.getNode('n1').receive({ payload });
    gate.holdReads = true; // the next start's read waits
    await helper.setFlows(deltaFlow({ name: 'restart' }), 'nodes');
    const run = collect();
    for (const payload of [rec(120), rec(180)]) helper.getNode('n1').receive({ payload });
    helper.getNode('n1').receive({ flush: true });
    run.got.o1.should.have.length(0); // nothing handled before the state is back
    gate.queue.length.should.be.above(0);
    gate.release();
    deltas((await run.done).o1).should.eql([
      [at(0), 60],
      [at(60), 60],
      [at(120), 60],
    ]);
  });

  it('passes msg.checkpoint on only once the store holds the state', async function () {
    await start(deltaFlow());
    helper.getNode('n1').receive({ payload: rec(0) });
    gate.holdWrites = true;
    const run = collect((m) => m.checkpoint);
    helper.getNode('n1').receive({ checkpoint: true, topic: 'before maintenance' });
    helper.getNode('n1').receive({ payload: rec(300) });
    should(gate.saved('n1')).be.undefined();
    run.got.o1.should.have.length(0); // neither the checkpoint nor the record after it went ahead of the write
    gate.release();
    const got = await run.done;
    got.o1[0].checkpoint.should.be.true();
    got.o1[0].topic.should.equal('before maintenance');
    // a first record waits with the records held apart until a second one confirms its time: both are saved state
    const { buffered, held } = gate.saved('n1').state;
    [...buffered, ...held].map(([, r]) => r.TimeGenerated).should.eql([at(0)]);
  });

  it('keeps the histogram open cells across a redeploy', async function () {
    const flow = [
      tab,
      {
        id: 'n1',
        z: 'f1',
        type: 'beacon-histogram',
        binSeconds: 3600,
        groupFields: 'LocalIP',
        minDelta: 10,
        sumFields: 'SentBytes',
        closeAfter: 0,
        store: 'gated',
        checkpointEvery: 0,
        wires: [['o1'], ['o2']],
      },
      ...probes,
    ];
    const withDelta = (s, d) => ({ ...rec(s), TimeDeltainSeconds: d, nextTimeGenerated: at(s + d) });
    await start(flow);
    for (const s of [0, 60, 120]) helper.getNode('n1').receive({ payload: withDelta(s, 60) });
    await helper.setFlows(flow, 'full');
    const run = collect();
    helper.getNode('n1').receive({ payload: withDelta(180, 30) });
    helper.getNode('n1').receive({ flush: true });
    const rows = (await run.done).o1.filter((m) => !m.flush).map((m) => m.payload);
    rows.should.have.length(1);
    rows[0].TotalEvents.should.equal(4);
    rows[0].DeltaCounts.should.eql({ 30: 1, 60: 3 });
    rows[0].TotalSentBytes.should.equal(40);
  });

  it('keeps the alert gate of the scorer (pairs already reported) across a redeploy: the repeat stays suppressed', async function () {
    const flow = [
      tab,
      {
        id: 'n1',
        z: 'f1',
        type: 'beacon-scorer',
        method: 'kql',
        minTotalEvents: 15,
        minBeaconPercent: 95,
        rearmHours: 24,
        store: 'gated',
        checkpointEvery: 0,
        wires: [['o1'], ['o2']],
      },
      ...probes,
    ];
    const row = (hour) => ({
      TimeGenerated: at(hour * 3600).replace('.000Z', 'Z'),
      LocalIP: '10.0.0.1',
      RemoteIP: '8.8.8.8',
      RemotePortNumber: 443,
      TotalEvents: 20,
      DeltaCounts: { 60: 20 },
      BinSeconds: 3600,
      GroupFields: ['LocalIP', 'RemoteIP', 'RemotePortNumber'],
    });
    await start(flow);
    let run = collect();
    helper.getNode('n1').receive({ payload: row(0) });
    helper.getNode('n1').receive({ flush: true });
    (await run.done).o1.filter((m) => !m.flush).length.should.equal(1);
    await helper.setFlows(flow, 'full');
    gate.saved('n1').gate.stage.should.equal('alert-gate');
    run = collect();
    helper.getNode('n1').receive({ payload: row(1) });
    helper.getNode('n1').receive({ flush: true });
    const got = await run.done;
    got.o1.filter((m) => !m.flush).length.should.equal(0);
    got.o2[0].payload.Suppressed.should.match(/^repeat/);
  });

  it('keeps the cells the scorer alerted early across a redeploy: their final row is not notified again', async function () {
    const flow = [
      tab,
      {
        id: 'n1',
        z: 'f1',
        type: 'beacon-scorer',
        method: 'kql',
        minTotalEvents: 15,
        minBeaconPercent: 95,
        store: 'gated',
        checkpointEvery: 0,
        wires: [['o1'], ['o2']],
      },
      ...probes,
    ];
    const row = (extra) => ({
      TimeGenerated: '2024-01-01T10:00:00Z',
      LocalIP: '10.0.0.1',
      RemoteIP: '8.8.8.8',
      RemotePortNumber: 443,
      TotalEvents: 30,
      DeltaCounts: { 60: 30 },
      BinSeconds: 3600,
      GroupFields: ['LocalIP', 'RemoteIP', 'RemotePortNumber'],
      ...extra,
    });
    await start(flow);
    let run = collect();
    helper.getNode('n1').receive({ payload: row({ Final: false, PendingDeltas: 1 }) });
    helper.getNode('n1').receive({ flush: true });
    const early = (await run.done).o1.filter((m) => !m.flush);
    early.map((m) => [m.notify, m.payload.Final]).should.eql([[true, false]]);
    await helper.setFlows(flow, 'full');
    run = collect();
    helper.getNode('n1').receive({ payload: row({ Final: true, TotalEvents: 31, DeltaCounts: { 60: 31 } }) });
    helper.getNode('n1').receive({ flush: true });
    const final = (await run.done).o1.filter((m) => !m.flush);
    final.map((m) => [m.notify, m.payload.Final, m.payload.Notify]).should.eql([[false, true, false]]);
  });

  it('a cell notified before a restart and a reset is not notified again when the same events are replayed; its AlertId stays', async function () {
    const flow = [
      tab,
      {
        id: 'n1',
        z: 'f1',
        type: 'beacon-scorer',
        method: 'kql',
        minTotalEvents: 15,
        minBeaconPercent: 95,
        store: 'gated',
        checkpointEvery: 0,
        wires: [['o1'], ['o2']],
      },
      ...probes,
    ];
    const row = () => ({
      TimeGenerated: '2024-01-01T10:00:00Z',
      LocalIP: '10.0.0.1',
      RemoteIP: '8.8.8.8',
      RemotePortNumber: 443,
      TotalEvents: 30,
      DeltaCounts: { 60: 30 },
      BinSeconds: 3600,
      GroupFields: ['LocalIP', 'RemoteIP', 'RemotePortNumber'],
    });
    await start(flow);
    let run = collect();
    helper.getNode('n1').receive({ payload: row() });
    helper.getNode('n1').receive({ flush: true });
    const first = (await run.done).o1;
    first.map((m) => m.notify).should.eql([true]);
    await helper.setFlows(flow, 'full');
    run = collect();
    helper.getNode('n1').receive({ reset: true });
    helper.getNode('n1').receive({ payload: row() });
    helper.getNode('n1').receive({ flush: true });
    const again = (await run.done).o1;
    again.map((m) => [m.notify, m.payload.Notify]).should.eql([[false, false]]);
    again[0].payload.AlertId.should.equal(first[0].payload.AlertId);
  });

  it('deletes its saved state when the node is removed from the flow', async function () {
    await start(deltaFlow());
    helper.getNode('n1').receive({ payload: rec(0) });
    await helper.setFlows([tab, ...probes], 'full');
    should(gate.saved('n1')).be.undefined();
  });

  it('warns and starts empty when the saved state was made with other key fields', async function () {
    await start(deltaFlow());
    helper.getNode('n1').receive({ payload: rec(0) });
    await helper.setFlows(deltaFlow({ keyFields: 'LocalIP, RemoteIP' }), 'nodes');
    const n1 = helper.getNode('n1');
    const run = collect();
    n1.receive({ payload: rec(60) });
    n1.receive({ flush: true });
    deltas((await run.done).o1).should.eql([]);
    const warned = helper.log().args.filter((a) => a[0].level === helper.log().WARN && /other settings/.test(a[0].msg));
    warned.should.have.length(1);
  });

  it('reports a failing store with node.error and still passes every message on', async function () {
    await start(deltaFlow());
    gate.failWrites = true;
    const run = collect((m) => m.checkpoint);
    helper.getNode('n1').receive({ payload: rec(0) });
    helper.getNode('n1').receive({ checkpoint: true });
    const got = await run.done;
    got.o1.should.have.length(1);
    const errors = helper.log().args.filter((a) => a[0].level === helper.log().ERROR && /disk full/.test(a[0].msg));
    errors.should.have.length(1);
  });

  it('without a store, passes msg.checkpoint straight on and never touches context', async function () {
    await start(deltaFlow({ store: '' }));
    const run = collect((m) => m.checkpoint);
    helper.getNode('n1').receive({ payload: rec(0) });
    helper.getNode('n1').receive({ checkpoint: true });
    (await run.done).o1.should.have.length(1);
    gate.writes.should.equal(0);
  });

  it('a store settings.js does not configure: Node-RED falls back to its default store, the node warns why and still works', async function () {
    // the examples' scorers name 'file'; this runtime configures only 'gated'
    await start(deltaFlow({ store: 'file' }));
    const run = collect();
    helper.getNode('n1').receive({ payload: rec(0) });
    helper.getNode('n1').receive({ payload: rec(60) });
    helper.getNode('n1').receive({ flush: true });
    deltas((await run.done).o1).should.eql([[at(0), 60]]);
    const warnings = helper
      .log()
      .args.filter((a) => a[0].level === helper.log().WARN && a[0].id === 'n1')
      .map((a) => a[0].msg);
    warnings.should.have.length(1);
    warnings[0].should.match(
      /context store "file" is not in settings\.js contextStorage \(it has default, gated\).*a restart forgets it.*file: \{ module: 'localfilesystem' \}/,
    );
    gate.writes.should.equal(0);
  });

  it('rejects a negative checkpoint interval as an invalid setting', async function () {
    await start(deltaFlow({ checkpointEvery: -5 }));
    const errors = helper.log().args.filter((a) => a[0].level === helper.log().ERROR && /checkpointEvery: /.test(a[0].msg));
    errors.should.have.length(1);
  });
});
