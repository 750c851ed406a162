'use strict';
/**
 * beacon-pairs: pairs released by event time in bounded batches (a flush
 * passed on after the last one), rows a periodic scorer alerts on, the
 * byte cap warned naming its size, and state carried across a redeploy
 * through a context store.
 */
const should = require('should');
const { helper, node, catchNode, flowWith, exchange, records } = require('./harness');
const pairsNode = node('beacon-pairs');
const scorerNode = node('beacon-scorer');

const T0 = Date.UTC(2024, 0, 1, 0, 0, 0) / 1000;
const at = (s) => new Date((T0 + s) * 1000).toISOString();
const rec = (s, local = '10.0.0.1', net = '45.1.2.0/24', port = 443) => ({ TimeGenerated: at(s), LocalIP: local, RemoteNetwork: net, RemotePortNumber: port });
/** a 300 s beacon of `n` connections from `start` */
const chunks = (list, n) => Array.from({ length: Math.ceil(list.length / n) }, (_, i) => ({ payload: list.slice(i * n, i * n + n) }));
const beacon = (n, start = 0, local = '10.0.0.1') => Array.from({ length: n }, (_, i) => rec(start + i * 300, local));

describe('beacon-pairs node', function () {
  this.timeout(20000);
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  const load = (config = {}) => helper.load([pairsNode, catchNode], flowWith('beacon-pairs', { ...config }));

  it('on flush sends every pair with enough intervals as a scorer row, in batches of at most batchRows, and passes the flush on after them', async function () {
    await load({ batchRows: 3, scoreEvery: 86400 });
    const input = [];
    for (let h = 0; h < 7; h++) input.push(...beacon(20, 0, `10.0.0.${h + 1}`));
    input.push(rec(50, '10.0.9.9')); // one-shot: never sent
    const got = await exchange([{ payload: input }]);
    const batches = got.o1.filter((m) => !m.flush);
    batches.map((m) => m.payload.length).should.eql([3, 3, 1]);
    got.o1[got.o1.length - 1].flush.should.be.true();
    const rows = records(got.o1);
    rows.should.have.length(7);
    rows[0].should.containDeep({ TotalEvents: 19, DeltaCounts: { 300: 19 }, Connections: 20, LocalIP: '10.0.0.1', RemotePortNumber: 443 });
    got.c1.should.have.length(0);
  });

  it('scores by event time: a scoring boundary crossed releases the pairs active since the last scoring; a pair quiet since is not sent again', async function () {
    await load({ scoreEvery: 3600 });
    // pair A beacons during the first hour only; pair B goes on into the second
    const a = beacon(12, 0, '10.0.0.1');
    const b = beacon(24, 0, '10.0.0.2');
    const first = [...a, ...b.slice(0, 12)];
    const got = await exchange([{ payload: first }, { payload: b.slice(12) }, { payload: [rec(7300, '10.0.0.3')] }]);
    const sent = got.o1.filter((m) => !m.flush).map((m) => m.payload.map((r) => r.LocalIP));
    // hour 1 → 2 boundary (at the second message): A and B; at the flush: only B, which kept connecting
    sent.should.eql([['10.0.0.1', '10.0.0.2'], ['10.0.0.2']]);
    should(got.o2).have.length(0); // one output: nothing is ever "late"
  });

  it('what is scored depends on the records alone: one record a message, batches of 7 and one batch give the same rows', async function () {
    const input = [];
    for (let i = 0; i < 200; i++) input.push(rec(i * 300 + (i % 3), `10.0.0.${1 + (i % 4)}`));
    const runs = [];
    for (const messages of [input.map((r) => ({ payload: r })), chunks(input, 7), [{ payload: input }]]) {
      await load({ scoreEvery: 3600 });
      runs.push(records((await exchange(messages.map((m) => ({ payload: JSON.parse(JSON.stringify(m.payload)) })))).o1));
      await helper.unload();
    }
    runs[0].length.should.be.above(10);
    runs[1].should.eql(runs[0]);
    runs[2].should.eql(runs[0]);
  });

  it('rows feed an unchanged periodic scorer, which alerts on the beacon and not on a random poller', async function () {
    await helper.load(
      [pairsNode, scorerNode, catchNode],
      [
        { id: 'f1', type: 'tab' },
        { id: 'n1', z: 'f1', type: 'beacon-pairs', scoreEvery: 86400, wires: [['s1']] },
        { id: 's1', z: 'f1', type: 'beacon-scorer', method: 'periodic', minTotalEvents: 10, maxPValue: 0.001, wires: [['o1'], ['o2']] },
        { id: 'o1', z: 'f1', type: 'helper' },
        { id: 'o2', z: 'f1', type: 'helper' },
        { id: 'c1', z: 'f1', type: 'helper' },
      ],
    );
    let x = 12345;
    const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    const random = [];
    for (let t = 0, i = 0; i < 60; i++) random.push(rec((t += Math.round(-Math.log(1 - rnd()) * 300)), '10.0.0.7', '99.9.9.0/24'));
    const got = await exchange([{ payload: [...beacon(60), ...random].sort((p, q) => (p.TimeGenerated < q.TimeGenerated ? -1 : 1)) }]);
    const alerts = records(got.o1);
    alerts.map((r) => r.LocalIP).should.eql(['10.0.0.1']);
    got.o1.find((m) => !m.flush).notify.should.be.true();
  });

  it('sends only the pairs that can alert (periodic at Send at p, or at strobe rate); the scorer alerts on exactly what it alerts on with every pair sent', async function () {
    let x = 777;
    const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    const input = [...beacon(60), ...beacon(60, 7, '10.0.0.2')];
    for (let p = 0; p < 6; p++)
      for (let t = 0, i = 0; i < 60; i++) input.push(rec((t += Math.round(-Math.log(1 - rnd()) * 300)), `10.0.1.${p}`, '99.9.9.0/24'));
    for (let i = 0; i < 4000; i++) input.push(rec(3600 + i * 0.5, '10.0.0.9', '88.8.8.0/24')); // 4,000 in half an hour: the scorer's strobe class
    input.sort((p, q) => (p.TimeGenerated < q.TimeGenerated ? -1 : 1));
    const run = async (send) => {
      await helper.load(
        [pairsNode, scorerNode, catchNode],
        [
          { id: 'f1', type: 'tab' },
          { id: 'n1', z: 'f1', type: 'beacon-pairs', scoreEvery: 86400, ...send, wires: [['s1', 'o3']] },
          { id: 's1', z: 'f1', type: 'beacon-scorer', method: 'periodic', minTotalEvents: 10, strobePerHour: 3600, wires: [['o1'], ['o2']] },
          { id: 'o1', z: 'f1', type: 'helper' },
          { id: 'o2', z: 'f1', type: 'helper' },
          { id: 'o3', z: 'f1', type: 'helper' },
          { id: 'c1', z: 'f1', type: 'helper' },
        ],
      );
      const sent = [];
      helper.getNode('o3').on('input', (msg) => sent.push(msg));
      const got = await exchange([{ payload: JSON.parse(JSON.stringify(input)) }]);
      await helper.unload();
      got.c1.should.have.length(0);
      return { sent: records(sent).map((r) => r.LocalIP), alerts: records(got.o1) };
    };
    const all = await run({ sendPValue: 1 });
    const some = await run({});
    all.sent.should.have.length(9);
    some.sent.should.eql(['10.0.0.1', '10.0.0.2', '10.0.0.9']); // the random pollers' rows are not even built
    some.alerts.should.eql(all.alerts);
    some.alerts.map((r) => `${r.LocalIP} ${r.AlertClass}`).should.eql(['10.0.0.1 beacon', '10.0.0.2 beacon', '10.0.0.9 strobe']);
  });

  it('a pair beaconing for 3 days, scored every 12 h, is notified once per re-arm period of its events (24 h), each time under a new AlertId', async function () {
    await helper.load(
      [pairsNode, scorerNode, catchNode],
      [
        { id: 'f1', type: 'tab' },
        { id: 'n1', z: 'f1', type: 'beacon-pairs', scoreEvery: 43200, wires: [['s1']] },
        {
          id: 's1',
          z: 'f1',
          type: 'beacon-scorer',
          method: 'periodic',
          minTotalEvents: 10,
          rearmHours: 24,
          srcField: 'LocalIP',
          dstField: 'RemoteNetwork',
          portField: 'RemotePortNumber',
          wires: [['o1'], ['o2']],
        },
        { id: 'o1', z: 'f1', type: 'helper' },
        { id: 'o2', z: 'f1', type: 'helper' },
        { id: 'c1', z: 'f1', type: 'helper' },
      ],
    );
    // 3 days of a 300 s beacon, an hour at a time
    const all = beacon((3 * 86400) / 300);
    const messages = [];
    for (let i = 0; i < all.length; i += 12) messages.push({ payload: all.slice(i, i + 12) });
    const got = await exchange(messages);
    const alerts = got.o1.filter((m) => !m.flush);
    const repeats = records(got.o2).filter((r) => /^repeat/.test(r.Suppressed || ''));
    // scorings at 12, 24, 36, 48, 60 h and the flush (72 h): reported at 12, 36 and 60 h; the rest are repeats
    alerts.map((m) => m.notify).should.eql([true, true, true]);
    repeats.should.have.length(3);
    new Set(alerts.map((m) => m.payload[0].AlertId)).size.should.equal(3);
  });

  it('under a byte cap, evicts one-shot pairs, never the beacon, and warns naming the cap', async function () {
    await load({ maxMegabytes: 0.0625, scoreEvery: 86400 });
    const n1 = helper.getNode('n1');
    const warnings = [];
    n1.warn = (text) => warnings.push(String(text));
    const input = [...beacon(30)];
    // 4,000 one-shot pairs: ~24 B each with their hash slots (20-byte rows), well past the 64 KiB cap
    for (let i = 0; i < 4000; i++) input.push(rec(10 + i, `10.1.${i >> 8}.${i & 255}`, `77.${i >> 8}.${i & 255}.0/24`));
    input.sort((p, q) => (p.TimeGenerated < q.TimeGenerated ? -1 : 1));
    const got = await exchange([{ payload: input }]);
    records(got.o1)
      .map((r) => r.LocalIP)
      .should.eql(['10.0.0.1']);
    warnings.some((w) => /pairs evicted under the byte cap .*\(cap 0\.1 MB\)/.test(w)).should.be.true(warnings.join('\n'));
    n1.status.should.be.a.Function();
  });
});
