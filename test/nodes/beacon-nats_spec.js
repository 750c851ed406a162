'use strict';
/**
 * The stream ingest and stream worker nodes in Node-RED (the test helper)
 * against a real nats-server: what the ingest publishes, the worker detects
 * with the same rows as one instance, per-partition flushes, status and
 * settings errors.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { helper, node } = require('./harness');
const gen = require('../../dist/tools/traffic-generator');
const { generateLines } = require('../../dist/tools/log-lines');
const { DetectionChain } = require('../../dist/stream/detection-chain');
const { EXAMPLE_CHAIN, exampleWorker } = require('../stream/support/example-chain');
const { NatsServer, findNatsServer, until } = require('../stream/support/nats-server');

const natsNode = node('beacon-nats');
const ingestNode = node('beacon-nats-ingest');
const workerNode = node('beacon-nats-worker');

function records(seed) {
  const beacons = Array.from({ length: 10 }, (_, i) => ({
    src: `10.7.${i}.${5 + i}`,
    dst: `52.${30 + i}.1.${9 + i}`,
    port: 443,
    periodSeconds: [30, 60, 90][i % 3],
    jitter: 0,
    jitterMode: 'one-sided',
    startOffsetSeconds: i * 7,
    durationSeconds: 2 * 3600,
    sentBytes: 100 + i,
    receivedBytes: 200 + i,
    user: '',
  }));
  return generateLines({ ...gen.DEFAULT_OPTIONS, seed, hours: 3, beacons, noiseHosts: 4, noisePerHour: 20, disorderSeconds: 100 }, 'zeek-tsv')
    .map((r) => r.record)
    .filter(Boolean);
}

const key = (row) => JSON.stringify([row.TimeGenerated, row.LocalIP, row.RemoteIP, row.RemotePortNumber]);

describe('beacon-nats-ingest and beacon-nats-worker nodes (real nats-server)', function () {
  this.timeout(30000);
  let server;
  let dir;
  let n = 0;

  before(async function () {
    if (!findNatsServer()) {
      if (process.env.CI) throw new Error('nats-server not installed (Debian package nats-server)');
      console.log('      skipped: nats-server is not installed (Debian package nats-server)');
      this.skip();
    }
    server = await NatsServer.start();
  });
  after(async () => server && server.destroy());
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-node-'));
  });
  afterEach(async () => {
    await helper.unload();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function flow(extra = {}) {
    const stream = `nodes${process.pid}_${++n}`;
    return [
      { id: 'f1', type: 'tab' },
      { id: 'cfg', type: 'beacon-nats', servers: server.url, stream, partitions: 6, maxAgeHours: 1, maxGigabytes: 1, ...extra.cfg },
      { id: 'in', z: 'f1', type: 'beacon-nats-ingest', nats: 'cfg', keyFields: 'LocalIP', wires: [['acked']] },
      { id: 'acked', z: 'f1', type: 'helper' },
      {
        id: 'w',
        z: 'f1',
        type: 'beacon-nats-worker',
        nats: 'cfg',
        workerId: 'w1',
        checkpointDir: dir,
        leaseSeconds: 2,
        profile: exampleWorker().profile,
        chain: exampleWorker().chain,
        ...extra.worker,
        wires: [['alerts'], ['rows'], ['control']],
      },
      { id: 'alerts', z: 'f1', type: 'helper' },
      { id: 'rows', z: 'f1', type: 'helper' },
      { id: 'control', z: 'f1', type: 'helper' },
    ];
  }

  it('the worker writes the rows one instance writes, and one flush per partition', async function () {
    const input = records(11);
    await helper.load([natsNode, ingestNode, workerNode], flow());
    const got = { alerts: [], rows: [], control: [], acked: 0 };
    helper.getNode('alerts').on('input', (m) => got.alerts.push(m));
    helper.getNode('rows').on('input', (m) => got.rows.push(...m.payload));
    helper.getNode('control').on('input', (m) => got.control.push(m));
    helper.getNode('acked').on('input', () => got.acked++);
    const ingest = helper.getNode('in');
    for (let i = 0; i < input.length; i += 100) ingest.receive({ payload: input.slice(i, i + 100) });
    ingest.receive({ flush: true });
    await until('a flush from each of the 6 partitions', () => got.control.filter((m) => m.flush).length === 6);
    got.acked.should.equal(Math.ceil(input.length / 100) + 1);
    got.control
      .map((m) => m.partition)
      .sort()
      .should.eql([0, 1, 2, 3, 4, 5]);
    const single = new DetectionChain(EXAMPLE_CHAIN.chain).push(input, true);
    single.alerts.length.should.be.above(3);
    got.alerts
      .map((m) => key(m.payload))
      .sort()
      .should.eql(single.alerts.map(key).sort());
    got.alerts.every((m) => m.notify === true && typeof m.payload.AlertId === 'string' && /beaconing/.test(m.topic)).should.be.true();
    got.rows.map(key).sort().should.eql(single.rows.map(key).sort());
    fs.readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .length.should.equal(6);
  });

  it('an unusable configuration is an error on the node, not a crash', async function () {
    await helper.load([natsNode, ingestNode, workerNode], flow({ cfg: { stream: 'bad.name' } }));
    const w = helper.getNode('w');
    const cfg = helper.getNode('cfg');
    cfg.invalid.should.match(/stream name/);
    // the worker says why it does not run, on the node and to Catch/the log
    await until('the worker to report it', () => w.error.called);
    w.error.args.map((a) => String(a[0])).should.matchAny(/NATS configuration is invalid: stream: a stream name/);
    w.status.lastCall.args[0].fill.should.equal('red');
  });
});
