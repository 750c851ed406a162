'use strict';
/**
 * A replay inject clicked twice: the second replay must give the same alert
 * rows as the first and send nothing to the late output. Without a reset the
 * watermark stays at the end of the first replay and every record of the
 * second one is late. Each example's replay inject resets first (along the
 * records' wires), and each example has a reset inject of its own.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const should = require('should');
const { helper, NODE_MODULES, readExample, instrument, canonical } = require('../support/example-flows');
const gen = require('../../dist/tools/traffic-generator');
const { generateLines } = require('../../dist/tools/log-lines');

/** The sample's scenario, shorter and with fewer bystanders (the same beacons, so every example alerts). */
const scenario = (schema) => {
  const s = gen.sampleScenario(schema);
  return {
    ...s,
    hours: 3,
    noiseHosts: 4,
    noisePerHour: 20,
    beacons: s.beacons.map((b) => ({ ...b, durationSeconds: Math.min(b.durationSeconds, 3 * 3600 - 300) })),
  };
};
const jsonLines = (records) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

const EXAMPLES = [
  'WireData beaconing (Sentinel rule).json',
  'Palo Alto beaconing (Sentinel rule).json',
  'WireData beaconing from Zeek conn.log.json',
  'Beacon hunt (per pair, 7-day history).json',
];

/** Clicks an inject and collects what the flow sends until the flush that ends the file has left the scorer. */
function click(injectId) {
  const alerts = helper.getNode('probe-alerts');
  const below = helper.getNode('probe-below');
  const late = helper.getNode('probe-late');
  const result = { rows: [], late: [] };
  return new Promise((resolve) => {
    const onLate = (msg) => result.late.push(...[].concat(msg.payload ?? []));
    // the alert output carries alert rows only; control messages leave the scorer on its second output
    const onAlert = (msg) => result.rows.push(...[].concat(msg.payload).map(({ Notify, ...row }) => row));
    const onBelow = (msg) => {
      if (!msg.flush) return;
      alerts.removeListener('input', onAlert);
      below.removeListener('input', onBelow);
      late.removeListener('input', onLate);
      resolve(result);
    };
    alerts.on('input', onAlert);
    below.on('input', onBelow);
    late.on('input', onLate);
    helper.getNode(injectId).receive({});
  });
}

describe('example flows: replaying twice', function () {
  let dir;
  const saved = {};
  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-replay-'));
    const env = {
      NETBEACON_WIREDATA_FILE: path.join(dir, 'wiredata.jsonl'),
      NETBEACON_CSL_FILE: path.join(dir, 'csl.jsonl'),
      NETBEACON_ZEEK_FILE: path.join(dir, 'conn.log'),
    };
    fs.writeFileSync(env.NETBEACON_WIREDATA_FILE, jsonLines(gen.generateRecords(scenario('wiredata'))));
    fs.writeFileSync(env.NETBEACON_CSL_FILE, jsonLines(gen.generateRecords(scenario('csl'))));
    fs.writeFileSync(
      env.NETBEACON_ZEEK_FILE,
      generateLines(scenario('wiredata'), 'zeek-tsv')
        .map((l) => l.line)
        .join('\n') + '\n',
    );
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    return helper.startServer();
  });
  after(function () {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(dir, { recursive: true, force: true });
    return helper.stopServer();
  });
  afterEach(() => helper.unload());

  it("every example has a reset inject whose message reaches its stateful nodes along the records' wires", function () {
    const names = fs.readdirSync(path.join(__dirname, '..', '..', 'examples')).filter((f) => f.endsWith('.json'));
    let checked = 0;
    for (const name of names) {
      const flow = readExample(name);
      const byId = new Map(flow.map((n) => [n.id, n]));
      const stateful = flow.filter((n) => ['beacon-delta', 'beacon-partition'].includes(n.type));
      // a worker gets its reset from the ingest, over MQTT
      if (!stateful.length || flow.some((n) => n.type === 'mqtt in')) continue;
      const reset = flow.find((n) => n.type === 'inject' && n.name === 'reset');
      should.exist(reset, name);
      reset.props.should.containDeep([{ p: 'reset', v: 'true', vt: 'bool' }]);
      // follow the first output of each node (where records and control messages go on)
      const reached = new Set();
      const walk = (id) => {
        if (reached.has(id) || !byId.has(id)) return;
        reached.add(id);
        for (const next of byId.get(id).wires?.[0] ?? []) walk(next);
      };
      walk(reset.id);
      for (const n of stateful) reached.has(n.id).should.be.true(`${name}: the reset does not reach ${n.id}`);
      checked++;
    }
    checked.should.be.above(6);
  });

  for (const name of EXAMPLES) {
    it(`${name}: the same alerts the second time, none late`, async function () {
      const flow = readExample(name);
      const replayInject = flow.find((n) => n.type === 'inject' && /^replay\b/.test(n.name));
      const resetInject = flow.find((n) => n.type === 'inject' && n.name === 'reset');
      should.exist(replayInject);
      should.exist(resetInject);
      const info = instrument(flow);
      await helper.load(NODE_MODULES, info.nodes);
      const first = await click(replayInject.id);
      const second = await click(replayInject.id);
      first.rows.length.should.be.above(0);
      first.late.should.be.empty();
      second.late.should.be.empty();
      should(canonical(second.rows)).deepEqual(canonical(first.rows));
      // the reset inject on its own clears what the flow holds: a replay after it gives the same again
      helper.getNode(resetInject.id).receive({});
      const third = await click(replayInject.id);
      third.late.should.be.empty();
      should(canonical(third.rows)).deepEqual(canonical(first.rows));
      fs.rmSync(info.tmp, { recursive: true, force: true });
    });
  }
});
