'use strict';
const { helper, node, catchNode, flowWith, exchange, records } = require('./harness');
const deltaNode = node('beacon-delta');

const at = (s) => new Date(Date.UTC(2024, 0, 1, 10, 0, 0) + s * 1000).toISOString();
const rec = (s, extra = {}) => ({ TimeGenerated: at(s), LocalIP: '10.0.0.1', RemoteIP: '8.8.8.8', RemotePortNumber: 443, ...extra });

describe('beacon-delta node', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  const load = (config = {}) =>
    helper.load(
      [deltaNode, catchNode],
      flowWith('beacon-delta', { keyFields: 'LocalIP', timeField: 'TimeGenerated', tieFields: 'RemoteIP, RemotePortNumber', lateness: 0, ...config }),
    );

  it('attaches TimeDeltainSeconds and nextTimeGenerated to the earlier event, one message each', async function () {
    await load();
    const got = await exchange([rec(0), rec(60), rec(120)].map((payload) => ({ payload, topic: 't' })));
    const out = records(got.o1);
    out.map((r) => r.TimeDeltainSeconds).should.eql([60, 60]);
    out[0].nextTimeGenerated.should.equal(at(60));
    got.o1[0].topic.should.equal('t');
  });

  it('answers an array with arrays', async function () {
    await load();
    const got = await exchange([{ payload: [rec(0), rec(30), rec(90)] }]);
    // what the batch could release at once, then the rest when the flush releases the buffer
    got.o1[0].payload.should.be.an.Array();
    got.o1[0].payload.map((r) => r.TimeDeltainSeconds).should.eql([30]);
    got.o1[1].payload.map((r) => r.TimeDeltainSeconds).should.eql([60]);
    got.o1[2].flush.should.be.true();
  });

  it('honours its key, time, tie and output field settings', async function () {
    await load({ keyFields: 'src, dst', timeField: 'ts', tieFields: 'port', deltaField: 'gap', nextTimeField: 'nextTs' });
    const r = (s, dst, port) => ({ ts: Date.UTC(2024, 0, 1) + s * 1000, src: 'a', dst, port });
    const got = await exchange([{ payload: [r(0, 'x', 2), r(0, 'x', 1), r(10, 'y', 1), r(40, 'x', 1)] }]);
    const out = records(got.o1);
    out
      .map((e) => [e.dst, e.port, e.gap])
      .should.eql([
        ['x', 1, 0],
        ['x', 2, 40],
      ]);
    out[1].nextTs.should.equal(Date.UTC(2024, 0, 1) + 40000);
  });

  it('reorders within the lateness and sends later arrivals to output 2', async function () {
    await load({ lateness: 60 });
    const got = await exchange([rec(0), rec(100), rec(50), rec(300), rec(20, { tag: 'late' })].map((payload) => ({ payload })));
    records(got.o1)
      .map((r) => r.TimeDeltainSeconds)
      .should.eql([50, 50, 200]);
    records(got.o2)
      .map((r) => r.tag)
      .should.eql(['late']);
    helper.getNode('n1').status.lastCall.args[0].fill.should.equal('yellow');
    helper.getNode('n1').status.lastCall.args[0].text.should.match(/1 late/);
  });

  it('holds a record dated far ahead apart by default: counted in the status, warned of, out on output 2 marked at the flush', async function () {
    await load({ lateness: 60 });
    const feed = [];
    for (let i = 0; i < 12; i++) feed.push(rec(i * 30 + (i % 4 === 1 ? 70 : 0), { LocalIP: `10.0.0.${i % 2}` }));
    const deltas = (got) => records(got.o1).map((r) => `${r.LocalIP} ${r.TimeGenerated} ${r.TimeDeltainSeconds}`);
    const clean = await exchange(feed.map((payload) => ({ payload: { ...payload } })));
    deltas(clean).length.should.equal(10);
    await helper.unload();
    await load({ lateness: 60 });
    feed.splice(5, 0, rec(0, { TimeGenerated: '2099-12-31T23:59:00Z', tag: 'forged' }));
    const got = await exchange(feed.map((payload) => ({ payload })));
    deltas(got).should.eql(deltas(clean));
    records(got.o2).should.eql([{ ...feed[5], LateReason: 'ahead' }]);
    const n = helper.getNode('n1');
    n.warn.args
      .map((a) => String(a[0]))
      .filter((w) => /dated more than 900 s ahead of the watermark .*0 held apart while the feed moved on, 1 given up/.test(w))
      .should.have.length(1);
    n.status.lastCall.args[0].text.should.match(/1 ahead/);
    n.status.lastCall.args[0].fill.should.equal('yellow');
    // 0 turns the guard off: the same line then releases everything and makes the reordered records late
    await helper.unload();
    await load({ lateness: 60, futureTolerance: 0 });
    const unguarded = await exchange(feed.map((payload) => ({ payload: { ...payload } })));
    records(unguarded.o2).length.should.be.above(1);
  });

  it('refuses a future tolerance that is not a number of seconds ≥ 0, naming it', async function () {
    for (const bad of ['-5', 'soon']) {
      await load({ futureTolerance: bad });
      const n = helper.getNode('n1');
      n.status.lastCall.args[0].should.containDeep({ fill: 'red', text: 'invalid settings' });
      n.error.args
        .map((a) => String(a[0]))
        .some((e) => /future tolerance/.test(e))
        .should.be.true();
      await helper.unload();
    }
  });

  it('reset forgets the keys and passes on', async function () {
    await load();
    const got = await exchange([{ payload: rec(0) }, { reset: true }, { payload: rec(-100) }, { payload: rec(-40) }]);
    records(got.o1)
      .map((r) => r.TimeDeltainSeconds)
      .should.eql([60]);
    got.o2.should.be.empty();
    got.o1.filter((m) => m.reset).should.have.length(1);
  });

  it('reports bad records to Catch once per message, naming field and value, and processes the rest', async function () {
    await load();
    const got = await exchange([{ payload: [rec(0), { TimeGenerated: 'garbage', LocalIP: 'x' }, 42, rec(30)] }, { payload: null }]);
    got.c1.should.have.length(2);
    got.c1[0].error.message.should.match(/2 of 4 records rejected; first: TimeGenerated is not a timestamp: "garbage"/);
    got.c1[1].error.message.should.match(/msg\.payload is not a record/);
    records(got.o1)
      .map((r) => r.TimeDeltainSeconds)
      .should.eql([30]);
  });

  it('shows records, keys and buffered events in its status', async function () {
    await load({ lateness: 3600 });
    await exchange([{ payload: [rec(0), rec(10, { LocalIP: '10.0.0.2' })] }], { flush: false });
    helper.getNode('n1').receive({ flush: true });
    await new Promise((r) => setImmediate(r));
    helper.getNode('n1').status.lastCall.args[0].should.eql({ fill: 'green', shape: 'dot', text: '2 rec · 2 keys · 0 buf' });
  });

  it('caps tracked keys: evictions turn the status yellow and are warned about once per minute of event time', async function () {
    await load({ maxKeys: 4 });
    const flood = [];
    for (let i = 0; i < 300; i++) flood.push(rec(i * 0.1, { LocalIP: `10.9.${i >> 8}.${i & 255}` })); // 30 s of event time
    await exchange([{ payload: flood }, { payload: flood.map((r, i) => ({ ...r, TimeGenerated: at(100 + i * 0.1) })) }]);
    const n1 = helper.getNode('n1');
    n1.status.lastCall.args[0].fill.should.equal('yellow');
    n1.status.lastCall.args[0].text.should.match(/evicted/);
    const warnings = n1.warn.args.map((a) => String(a[0])).filter((w) => /keys forgotten \(cap 4\)/.test(w));
    // two messages in two different minutes of event time: two reports, not one per record
    warnings.should.have.length(2);
  });

  it('refuses a negative lateness', async function () {
    await load({ lateness: -5 });
    helper
      .getNode('n1')
      .error.args.map((a) => String(a[0]))
      .join()
      .should.match(/lateness/);
  });
});
