'use strict';
const { helper, should, node, catchNode, flowWith } = require('./harness');
const partitionNode = node('beacon-partition');
const { partitionOf } = require('../../dist/core/partition/partition');

const completeNode = require(require('path').join(require('../support/node-red').CORE_NODES, 'core', 'common', '24-complete.js'));

/** The harness flow plus a Complete node watching n1, so a test knows when n1 has finished every message. */
const flowWithComplete = (config) => [
  ...flowWith('beacon-partition', config),
  { id: 'k2', z: 'f1', type: 'complete', scope: ['n1'], uncaught: false, wires: [['d1']] },
  { id: 'd1', z: 'f1', type: 'helper' },
];

/**
 * Sends messages to n1 and collects what o1 and the Catch node got, until n1
 * has completed each one: `failures` of them with done(err), which reaches
 * Catch instead of Complete.
 */
async function run(messages, failures = 0) {
  const got = { o1: [], c1: [] };
  let completed = 0;
  let resolve;
  const all = new Promise((r) => (resolve = r));
  const check = () => completed === messages.length - failures && got.c1.filter((m) => m.error.source.id === 'n1').length >= failures && resolve();
  helper.getNode('o1').on('input', (m) => got.o1.push(m));
  helper.getNode('c1').on('input', (m) => got.c1.push(m) && check());
  helper.getNode('d1').on('input', () => ++completed && check());
  for (const m of messages) helper.getNode('n1').receive(m);
  await all;
  await new Promise(setImmediate); // the last sends are delivered on the next turns
  await new Promise(setImmediate);
  return got;
}

describe('beacon-partition node', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());
  const load = (config) => helper.load([partitionNode, catchNode, completeNode], flowWithComplete(config));
  const ip = (i) => `10.1.${i >> 8}.${i & 255}`;

  it('loads with its defaults and an absent mode, count and prefix (ingest, 4 partitions, netbeacon/records)', async function () {
    await load({});
    const got = await run([{ payload: { LocalIP: '10.0.0.1' } }]);
    got.o1.should.have.length(1);
    got.o1[0].topic.should.equal('netbeacon/records/1');
    got.o1[0].payload.should.eql({ LocalIP: '10.0.0.1' });
  });

  it('ingest: regroups a batch into one array per partition, order kept within each, other properties carried', async function () {
    await load({ keyFields: 'SourceIP', count: '3', topicPrefix: 'fw/p' });
    const batch = Array.from({ length: 60 }, (_, i) => ({ SourceIP: ip(i % 11), i }));
    const got = await run([{ payload: batch, device: 'fw1' }]);
    got.o1.length.should.be.within(2, 3);
    const seen = [];
    for (const m of got.o1) {
      const part = Number(m.topic.split('/').pop());
      m.topic.should.equal(`fw/p/${part}`);
      m.device.should.equal('fw1');
      m.payload.should.be.an.Array();
      m.payload.every((r) => partitionOf(r, ['SourceIP'], 3) === part).should.be.true();
      m.payload.map((r) => r.i).should.eql(m.payload.map((r) => r.i).sort((a, b) => a - b));
      seen.push(...m.payload);
    }
    seen.length.should.equal(60);
  });

  it('ingest: a control message goes to every partition after the records, as a payload MQTT can carry', async function () {
    await load({ count: '4' });
    const got = await run([{ payload: [{ LocalIP: '10.0.0.1' }], flush: true }]);
    got.o1.map((m) => m.topic).should.eql(['netbeacon/records/1', 'netbeacon/records/0', 'netbeacon/records/1', 'netbeacon/records/2', 'netbeacon/records/3']);
    got.o1.slice(1).forEach((m) => m.payload.should.eql({ netbeaconControl: { flush: true } }));
    got.o1.slice(1).forEach((m) => should(m.flush).be.undefined());
  });

  it('ingest: a record that is not an object is reported once through Catch, the others go on', async function () {
    await load({ count: '2' });
    const got = await run([{ payload: [{ LocalIP: '10.0.0.1' }, 'junk', 7] }]);
    got.o1.flatMap((m) => m.payload).should.eql([{ LocalIP: '10.0.0.1' }]);
    got.c1.should.have.length(1);
    got.c1[0].error.message.should.match(/2 of 3 records rejected/);
  });

  it('refuses invalid settings with a red status and an error naming them', async function () {
    await load({ count: 'many' });
    helper
      .getNode('n1')
      .error.args.map((a) => String(a[0]))
      .join()
      .should.match(/count: a whole number from 1 to 65536/);
    await helper.unload();
    await load({ mode: 'take', take: '3-1' });
    helper
      .getNode('n1')
      .error.args.map((a) => String(a[0]))
      .join()
      .should.match(/take: partitions like 0-3/);
    await helper.unload();
    await load({ count: '' }); // what Node-RED makes of ${NETBEACON_PARTITION_COUNT} when it is not set
    helper
      .getNode('n1')
      .error.args.map((a) => String(a[0]))
      .join()
      .should.match(/NETBEACON_PARTITION_COUNT/);
  });

  it('worker: keeps its partitions, counts and drops the others, parses JSON text', async function () {
    await load({ mode: 'take', take: '1-2' });
    const got = await run([
      { topic: 'netbeacon/records/0', payload: [{ LocalIP: 'a' }] },
      { topic: 'netbeacon/records/1', payload: [{ LocalIP: 'b' }] },
      { topic: 'netbeacon/records/2', payload: Buffer.from(JSON.stringify({ LocalIP: 'c' })) },
      { topic: 'netbeacon/records/3', payload: [{ LocalIP: 'd' }] },
    ]);
    got.o1.map((m) => m.payload).should.eql([[{ LocalIP: 'b' }], { LocalIP: 'c' }]);
  });

  it('worker: a control payload becomes msg flags again, once per round of its partitions', async function () {
    await load({ mode: 'take', take: '0-1' });
    const c = (p, flags) => ({ topic: `netbeacon/records/${p}`, payload: { netbeaconControl: flags } });
    const got = await run([c(0, { checkpoint: true }), c(1, { checkpoint: true }), c(1, { flush: true }), c(0, { flush: true })]);
    got.o1.should.have.length(2);
    got.o1[0].should.have.property('checkpoint', true);
    should(got.o1[0].payload).be.undefined();
    got.o1[1].should.have.property('flush', true);
  });

  it('worker: a topic that is not <prefix>/<partition> or a payload that is not JSON is an error, not a crash', async function () {
    await load({ mode: 'take', take: '0-3' });
    const got = await run(
      [
        { topic: 'elsewhere/1', payload: [] },
        { topic: 'netbeacon/records/1', payload: '{oops' },
        { topic: 'netbeacon/records/1', payload: [{ LocalIP: 'x' }] },
      ],
      2,
    );
    got.c1
      .map((m) => m.error.message)
      .join('\n')
      .should.match(/is not netbeacon\/records\/<partition>/)
      .and.match(/is not JSON/);
    got.o1.should.have.length(1);
  });

  it('ingest then worker: every record reaches exactly the worker of its partition', async function () {
    const ingest = { id: 'in', z: 'f1', type: 'beacon-partition', count: '4', wires: [['w01', 'w23']] };
    await helper.load(partitionNode, [
      { id: 'f1', type: 'tab' },
      ingest,
      { id: 'w01', z: 'f1', type: 'beacon-partition', mode: 'take', take: '0-1', wires: [['o01']] },
      { id: 'w23', z: 'f1', type: 'beacon-partition', mode: 'take', take: '2, 3', wires: [['o23']] },
      { id: 'o01', z: 'f1', type: 'helper' },
      { id: 'o23', z: 'f1', type: 'helper' },
    ]);
    const out = { o01: [], o23: [] };
    const flushed = Promise.all(
      ['o01', 'o23'].map((id) => new Promise((resolve) => helper.getNode(id).on('input', (m) => (m.flush ? resolve() : out[id].push(...m.payload))))),
    );
    const batch = Array.from({ length: 300 }, (_, i) => ({ LocalIP: ip(i % 37), i }));
    helper.getNode('in').receive({ payload: batch.slice(0, 150) });
    helper.getNode('in').receive({ payload: batch.slice(150), flush: true });
    await flushed;
    (out.o01.length + out.o23.length).should.equal(300);
    out.o01.every((r) => partitionOf(r, ['LocalIP'], 4) < 2).should.be.true();
    out.o23.every((r) => partitionOf(r, ['LocalIP'], 4) >= 2).should.be.true();
  });
});
