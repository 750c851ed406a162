'use strict';
const { helper, should, node, catchNode, flowWith, exchange, records } = require('./harness');
const histogramNode = node('beacon-histogram');

const at = (s) => new Date(Date.UTC(2024, 0, 1, 10, 0, 0) + s * 1000).toISOString();
const d = (s, delta, extra = {}) => ({
  TimeGenerated: at(s),
  nextTimeGenerated: at(s + delta),
  TimeDeltainSeconds: delta,
  LocalIP: '10.0.0.1',
  RemoteIP: '8.8.8.8',
  RemotePortNumber: 443,
  SentBytes: 1,
  ReceivedBytes: 2,
  ...extra,
});

describe('beacon-histogram node', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  const load = (config = {}) =>
    helper.load(
      [histogramNode, catchNode],
      flowWith('beacon-histogram', {
        binSeconds: 3600,
        groupFields: 'LocalIP, RemoteIP, RemotePortNumber',
        minDelta: 10,
        sumFields: 'SentBytes, ReceivedBytes',
        closeAfter: 3600,
        ...config,
      }),
    );

  it('emits one row per (bin, group) on flush, with counts per delta, totals and sums', async function () {
    await load();
    const got = await exchange([d(0, 60), d(60, 60), d(120, 5), d(180, 61), d(200, 60, { RemotePortNumber: 80 })].map((payload) => ({ payload })));
    const rows = records(got.o1);
    rows.should.have.length(2);
    const main = rows.find((r) => r.RemotePortNumber === 443);
    main.should.containDeep({ TimeGenerated: '2024-01-01T10:00:00Z', TotalEvents: 3, TotalSentBytes: 3, TotalReceivedBytes: 6, DeltaCounts: { 60: 2, 61: 1 } });
    got.o1.filter((m) => !m.flush).forEach((m) => m.payload.should.not.be.an.Array());
  });

  it('skip when 0: a record whose field is the number 0 adds no delta, on single records and arrays (KQL where RemotePortNumber != "0")', async function () {
    await load({ skipZero: 'RemotePortNumber' });
    const input = [d(0, 60), d(60, 60, { RemotePortNumber: 0 }), d(120, 60, { RemotePortNumber: null }), d(180, 60, { RemotePortNumber: '0' })];
    const got = await exchange([{ payload: input.slice(0, 2) }, ...input.slice(2).map((payload) => ({ payload }))]);
    const rows = records(got.o1);
    rows
      .map((r) => [r.RemotePortNumber, r.TotalEvents])
      .sort()
      .should.eql(
        [
          ['0', 1],
          [443, 1],
          [null, 1],
        ].sort(),
      );
  });

  it('closes a bin by event time once the watermark passes its end plus close-after', async function () {
    await load({ closeAfter: 60 });
    const got = await exchange([{ payload: [d(0, 60), d(3000, 700)] }], { flush: false });
    got.o1.should.have.length(1);
    got.o1[0].payload.should.be.an.Array().and.have.length(1);
    got.o1[0].payload[0].TimeGenerated.should.equal('2024-01-01T10:00:00Z');
  });

  it('certain after: an early row (Final: false) once the watermark passes bin end + certain after, again when its pending delta comes; Final: true on close', async function () {
    await load({ closeAfter: 86400, certainAfter: 300, certainKey: 'LocalIP' });
    // 10.0.0.1's last event of the hour has its delta (next at 11:00); 10.0.0.2's event at 10:59:30 still waits for its next one
    const got = await exchange([
      { payload: [d(0, 60), d(60, 3540), d(1000, 2570, { LocalIP: '10.0.0.2' }), d(3600, 301)] },
      { payload: d(3570, 3630, { LocalIP: '10.0.0.2' }) },
    ]);
    const early = got.o1
      .filter((m) => !m.flush)
      .map((m) =>
        []
          .concat(m.payload)
          .filter((r) => r.Final === false)
          .map((r) => [r.LocalIP, r.TimeGenerated, r.TotalEvents, r.PendingDeltas, r.AsOf]),
      )
      .filter((rows) => rows.length > 0);
    early.should.eql([
      [
        ['10.0.0.1', '2024-01-01T10:00:00Z', 2, 0, '2024-01-01T11:05:01Z'],
        ['10.0.0.2', '2024-01-01T10:00:00Z', 1, 1, '2024-01-01T11:05:01Z'],
      ],
      [['10.0.0.2', '2024-01-01T10:00:00Z', 2, 0, '2024-01-01T11:05:01Z']],
    ]);
    const final = records(got.o1).filter((r) => r.Final === true);
    final
      .map((r) => [r.LocalIP, r.TimeGenerated, r.TotalEvents])
      .sort()
      .should.eql([
        ['10.0.0.1', '2024-01-01T10:00:00Z', 2],
        ['10.0.0.1', '2024-01-01T11:00:00Z', 1],
        ['10.0.0.2', '2024-01-01T10:00:00Z', 2],
      ]);
    helper.getNode('n1').status.lastCall.args[0].text.should.match(/3 early/);
  });

  it('certain after: a host silent after the bin leaves its cell with one delta pending', async function () {
    await load({ closeAfter: 86400, certainAfter: 0, certainKey: 'LocalIP' });
    const got = await exchange([{ payload: [d(0, 60), d(60, 60), d(120, 60, { LocalIP: '10.0.0.9' }), d(180, 3700, { LocalIP: '10.0.0.9' })] }], {
      flush: false,
    });
    const early = records(got.o1).filter((r) => r.Final === false);
    early
      .map((r) => [r.LocalIP, r.PendingDeltas])
      .should.eql([
        ['10.0.0.1', 1],
        ['10.0.0.9', 0],
      ]);
  });

  it('certain after needs the delta key among the group fields; absent, rows carry no Final (flows saved before it)', async function () {
    await load({ certainAfter: 300, certainKey: 'SourceIP' });
    helper.getNode('n1').status.lastCall.args[0].should.containDeep({ fill: 'red', text: 'invalid settings' });
    helper.unload();
    await load({ closeAfter: 0 });
    const got = await exchange([{ payload: [d(0, 60), d(3600, 4000)] }]);
    records(got.o1).forEach((r) => should(r.Final).be.undefined());
  });

  it('sends deltas for a closed bin to output 2', async function () {
    await load({ closeAfter: 0 });
    const got = await exchange([{ payload: d(0, 3700) }, { payload: d(100, 30, { tag: 'late' }) }]);
    records(got.o2)
      .map((r) => r.tag)
      .should.eql(['late']);
    helper.getNode('n1').status.lastCall.args[0].fill.should.equal('yellow');
  });

  it('honours bin size, groups, minimum delta and sum fields', async function () {
    await load({ binSeconds: 86400, groupFields: 'LocalIP', minDelta: 59, sumFields: 'SentBytes' });
    const got = await exchange([{ payload: [d(0, 60), d(4000, 60, { RemoteIP: '1.1.1.1' }), d(8000, 59)] }]);
    const rows = records(got.o1);
    rows.should.have.length(1);
    rows[0].should.containDeep({ TimeGenerated: '2024-01-01T00:00:00Z', LocalIP: '10.0.0.1', TotalEvents: 2, TotalSentBytes: 2, DeltaCounts: { 60: 2 } });
    should(rows[0].TotalReceivedBytes).be.undefined();
  });

  it('reset discards open bins and passes on', async function () {
    await load();
    const got = await exchange([{ payload: d(0, 60) }, { reset: true }, { payload: d(10, 70) }]);
    records(got.o1)
      .map((r) => r.DeltaCounts)
      .should.eql([{ 70: 1 }]);
  });

  it('reports records without a delta to Catch and counts the rest', async function () {
    await load();
    const got = await exchange([{ payload: [d(0, 60), { TimeGenerated: at(0) }] }]);
    got.c1.should.have.length(1);
    got.c1[0].error.message.should.match(/TimeDeltainSeconds is not a number: missing/);
    records(got.o1)[0].TotalEvents.should.equal(1);
  });

  it('refuses a fractional bin size', async function () {
    await load({ binSeconds: 1.5 });
    helper
      .getNode('n1')
      .error.args.map((a) => String(a[0]))
      .join()
      .should.match(/bin size/);
  });
});
