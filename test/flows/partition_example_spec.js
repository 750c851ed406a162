'use strict';
/**
 * The partition example run as shipped (its mqtt out disabled): the replay
 * inject sends every sample record through the ingest partition once, on
 * the topic of its key's partition; the worker beside it keeps exactly the
 * records of partitions 0-1 and passes each control message on once; a
 * second click gives the same again (the replay resets first).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const should = require('should');
const { helper, NODE_MODULES } = require('../support/example-flows');
const { CORE_NODES } = require('../support/node-red');
const gen = require('../../dist/tools/traffic-generator');
const { partitionOf } = require('../../dist/core/partition/partition');

const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'Partition records for a transport you wire yourself (MQTT).json');
const MODULES = [...NODE_MODULES, require('../../dist/nodes/beacon-partition.js'), require(path.join(CORE_NODES, 'core', 'network', '10-mqtt.js'))];

/** A shorter day of the sample scenario (the same kinds of traffic). */
const records = () => gen.generateRecords({ ...gen.sampleScenario('wiredata'), hours: 2, noiseHosts: 4, noisePerHour: 20 });

/** Clicks the replay inject; resolves with what left the ingest and the worker once the worker passed the flush on. */
function click(injectId) {
  const ingest = helper.getNode('probe-ingest');
  const worker = helper.getNode('probe-worker');
  const out = { ingest: [], worker: [], controls: [] };
  return new Promise((resolve) => {
    const onIngest = (msg) => out.ingest.push(msg);
    const onWorker = (msg) => {
      if (msg.payload === undefined) out.controls.push(msg.flush ? 'flush' : msg.reset ? 'reset' : 'other');
      else out.worker.push(...[].concat(msg.payload));
      if (msg.flush) {
        ingest.removeListener('input', onIngest);
        worker.removeListener('input', onWorker);
        resolve(out);
      }
    };
    ingest.on('input', onIngest);
    worker.on('input', onWorker);
    helper.getNode(injectId).receive({});
  });
}

describe('the partition example (MQTT out disabled)', function () {
  this.timeout(60000);
  let dir;
  let saved;
  const sample = records();
  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-partition-'));
    const file = path.join(dir, 'wiredata.jsonl');
    fs.writeFileSync(file, sample.map((r) => JSON.stringify(r)).join('\n') + '\n');
    saved = process.env.NETBEACON_WIREDATA_FILE;
    process.env.NETBEACON_WIREDATA_FILE = file;
    return helper.startServer();
  });
  after(function () {
    if (saved === undefined) delete process.env.NETBEACON_WIREDATA_FILE;
    else process.env.NETBEACON_WIREDATA_FILE = saved;
    fs.rmSync(dir, { recursive: true, force: true });
    return helper.stopServer();
  });
  afterEach(() => helper.unload());

  it('routes each record to its partition topic, and the worker keeps partitions 0-1 only, twice alike', async function () {
    const flow = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8'));
    const z = flow.find((n) => n.type === 'tab').id;
    const ingestNode = flow.find((n) => n.type === 'beacon-partition' && n.mode === 'split');
    const workerNode = flow.find((n) => n.type === 'beacon-partition' && n.mode === 'take');
    flow.find((n) => n.type === 'mqtt out').d.should.be.true();
    ingestNode.wires[0].push('probe-ingest');
    workerNode.wires[0].push('probe-worker');
    flow.push({ id: 'probe-ingest', type: 'helper', z, wires: [] }, { id: 'probe-worker', type: 'helper', z, wires: [] });
    await helper.load(MODULES, flow);
    const replay = flow.find((n) => n.type === 'inject' && n.name === 'replay sample file');

    const count = Number(ingestNode.count);
    const expected = sample.filter((r) => partitionOf(r, ['LocalIP'], count) < 2);
    expected.length.should.be.above(0).and.below(sample.length);
    for (const round of [1, 2]) {
      const out = await click(replay.id);
      const published = out.ingest.filter((m) => !m.payload?.netbeaconControl && !Array.isArray(m.payload));
      published.length.should.equal(sample.length, `round ${round}`);
      for (const m of published) m.topic.should.equal(`netbeacon/records/${partitionOf(m.payload, ['LocalIP'], count)}`);
      should(out.worker).eql(expected, `round ${round}`);
      // the reset that starts the replay and the flush that ends it, once each
      out.controls.should.eql(['reset', 'flush']);
    }
  });
});
