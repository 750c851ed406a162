'use strict';
const path = require('path');
const sinon = require('sinon');
const { helper, should, node, catchNode, flowWith, exchange, records } = require('./harness');
const scorerNode = node('beacon-scorer');

const row = (counts, extra = {}) => ({
  TimeGenerated: '2024-01-01T10:00:00Z',
  LocalIP: '10.0.0.1',
  RemoteIP: '8.8.8.8',
  RemotePortNumber: 443,
  TotalEvents: Object.values(counts).reduce((a, b) => a + b, 0),
  TotalSentBytes: 5,
  TotalReceivedBytes: 6,
  DeltaCounts: counts,
  BinSeconds: 3600,
  GroupFields: ['LocalIP', 'RemoteIP', 'RemotePortNumber'],
  ...extra,
});

describe('beacon-scorer node', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  const load = (config = {}) =>
    helper.load(
      [scorerNode, catchNode],
      flowWith('beacon-scorer', {
        minTotalEvents: 15,
        minModeCount: '',
        minBeaconPercent: 95,
        entities: 'IPCustomEntity=RemoteIP',
        title: 'WireData beaconing',
        ...config,
      }),
    );

  it('alerts on output 1 with a one-line topic; 19 of 20 (95.0 %) goes to output 2', async function () {
    await load();
    const got = await exchange([{ payload: row({ 60: 20 }) }, { payload: row({ 60: 19, 61: 1 }, { RemoteIP: '9.9.9.9' }) }]);
    const alerts = got.o1.filter((m) => !m.flush);
    alerts.should.have.length(1);
    alerts[0].topic.should.match(/^WireData beaconing: beacon 10\.0\.0\.1 → 8\.8\.8\.8:443 every 60 s, 20\/20 \(100 %\)/);
    // what decided, for formatters that word the alert's "why"
    alerts[0].rule.should.eql({ name: 'WireData beaconing', method: 'kql', thresholds: ['TotalEvents > 15', 'BeaconPercent > 95'] });
    alerts[0].payload.should.containDeep({
      MostFrequentTimeDeltaCount: 20,
      MostFrequentTimeDeltainSeconds: 60,
      BeaconPercent: 100,
      IPCustomEntity: '8.8.8.8',
      histogram: { 60: 20 },
    });
    got.o2[0].payload.BeaconPercent.should.equal(95);
    got.o2[0].payload.FailedThresholds.should.eql(['BeaconPercent > 95']);
  });

  it('early rows: alerts only on a certain verdict, notifies each cell once; a batch splits what was already notified', async function () {
    await load();
    const early = (counts, extra = {}) => row(counts, { Final: false, PendingDeltas: 1, ...extra });
    const got = await exchange([
      // 20 of 20: certain whatever the pending delta; 19 of 19: one more other delta makes 95.0 %, not > 95: waits
      { payload: [early({ 60: 20 }), early({ 60: 19 }, { RemoteIP: '9.9.9.9' })] },
      // the same cell again (complete now): already alerted, nothing sent
      { payload: early({ 60: 21 }, { PendingDeltas: 0 }) },
      // final rows: the early-alerted cell (not notified again) and the waiting one (notified now)
      { payload: [row({ 60: 21 }, { Final: true }), row({ 60: 20 }, { RemoteIP: '9.9.9.9', Final: true })] },
    ]);
    const alerts = got.o1.filter((m) => !m.flush);
    alerts
      .map((m) => [m.notify, m.payload.map((r) => [r.RemoteIP, r.Final, r.Notify])])
      .should.eql([
        [true, [['8.8.8.8', false, true]]],
        [true, [['9.9.9.9', true, true]]],
        [false, [['8.8.8.8', true, false]]],
      ]);
    alerts[1].topic.should.match(/^WireData beaconing: beacon 10\.0\.0\.1 → 9\.9\.9\.9:443 every 60 s/);
    records(got.o2).should.be.empty();
    // one cell, one AlertId: the early row's and the final row's
    alerts[2].payload[0].AlertId.should.equal(alerts[0].payload[0].AlertId);
    alerts[1].payload[0].AlertId.should.not.equal(alerts[0].payload[0].AlertId);
    helper.getNode('n1').status.lastCall.args[0].text.should.match(/2 alerts \(1 early\)/);
  });

  it('rows without Final (no early verdicts) alert and notify as before', async function () {
    await load();
    const got = await exchange([{ payload: row({ 60: 20 }) }]);
    const alerts = got.o1.filter((m) => !m.flush);
    alerts.map((m) => m.notify).should.eql([true]);
    should(alerts[0].payload.Final).be.undefined();
    should(alerts[0].payload.Notify).be.undefined();
  });

  it('answers arrays with arrays, and a topic counting the alerts', async function () {
    await load();
    const got = await exchange([{ payload: [row({ 60: 20 }), row({ 30: 40 }, { RemoteIP: '9.9.9.9' }), row({ 60: 3 })] }]);
    got.o1[0].payload.should.have.length(2);
    got.o1[0].topic.should.match(/^WireData beaconing: beacon .* \(\+1 more\)$/);
    got.o1[0].topic.length.should.be.belowOrEqual(120);
    got.o2[0].payload.should.have.length(1);
  });

  it('applies the Palo Alto thresholds and entities', async function () {
    await load({
      minTotalEvents: 30,
      minModeCount: 25,
      minBeaconPercent: 80,
      entities: 'IPCustomEntity=DestinationIP, AccountCustomEntity=SourceUserID, HostCustomEntity=DeviceName',
    });
    const pa = (counts) => ({
      TimeGenerated: '2024-01-01T10:00:00Z',
      DeviceName: 'fw',
      SourceUserID: '',
      SourceIP: '10.0.0.1',
      DestinationIP: '8.8.8.8',
      DestinationPort: 443,
      TotalEvents: Object.values(counts).reduce((a, b) => a + b, 0),
      TotalSentBytes: 0,
      TotalReceivedBytes: 0,
      DeltaCounts: counts,
      GroupFields: ['DeviceName', 'SourceUserID', 'SourceIP', 'DestinationIP', 'DestinationPort'],
    });
    const got = await exchange([{ payload: [pa({ 60: 26, 61: 5 }), pa({ 60: 25, 61: 6 })] }]);
    got.o1[0].payload.should.have.length(1);
    got.o1[0].payload[0].should.containDeep({ HostCustomEntity: 'fw', AccountCustomEntity: '', IPCustomEntity: '8.8.8.8' });
    got.o2[0].payload[0].FailedThresholds.should.eql(['MostFrequentTimeDeltaCount > 25']);
  });

  it('an empty threshold is not applied', async function () {
    await load({ minTotalEvents: '', minBeaconPercent: '' });
    const got = await exchange([{ payload: row({ 60: 1 }) }]);
    records(got.o1).should.have.length(1);
  });

  it('reports rows it cannot score to Catch and scores the rest; shows counts in status', async function () {
    await load();
    const got = await exchange([{ payload: [row({ 60: 20 }), { TimeGenerated: 'x' }] }]);
    got.c1.should.have.length(1);
    got.c1[0].error.message.should.match(/DeltaCounts is not a histogram object/);
    got.o1[0].payload.should.have.length(1);
    helper.getNode('n1').status.lastCall.args[0].should.eql({ fill: 'red', shape: 'dot', text: '1 scored · 1 alerts' });
  });

  it('with nothing wired to output 2, makes no rows for it and alerts, notifies, counts and reports as when wired; a rewiring deploy brings them back', async function () {
    const scorer = require(path.join(__dirname, '..', '..', 'dist', 'core', 'scorer', 'scorer'));
    const early = (counts, extra = {}) => row(counts, { Final: false, PendingDeltas: 0, ...extra });
    const traffic = () => [
      // an alert, a miss on BeaconPercent, two misses under TotalEvents (one a batch), an unscorable row under TotalEvents
      { payload: row({ 60: 20 }) },
      { payload: row({ 60: 19, 61: 1 }, { RemoteIP: '9.9.9.9' }) },
      { payload: [row({ 60: 3 }, { RemoteIP: '1.1.1.1' }), row({ 60: 2, 90: 1 }, { RemoteIP: '2.2.2.2' })] },
      { payload: row({ 60: 'three' }, { RemoteIP: '3.3.3.3', TotalEvents: 3 }) },
      // an early alert whose final row comes out below threshold (disorder): still counted as contradicted
      { payload: early({ 60: 20 }, { RemoteIP: '4.4.4.4' }) },
      { payload: row({ 60: 3 }, { RemoteIP: '4.4.4.4', Final: true }) },
    ];
    const run = async (missWires) => {
      const flow = flowWith('beacon-scorer', {
        minTotalEvents: 15,
        minModeCount: '',
        minBeaconPercent: 95,
        entities: 'IPCustomEntity=RemoteIP',
        title: 'WireData beaconing',
      });
      flow[1].wires = [['o1'], missWires];
      await helper.load([scorerNode, catchNode], flow);
      const spy = sinon.spy(scorer, 'scoreRow');
      try {
        // the flush leaves on output 2, unwired in one run: wait for the messages, not for it
        const got = await exchange([...traffic(), { flush: true }], { flush: false });
        return { got, scored: spy.callCount, status: helper.getNode('n1').status.lastCall.args[0].text };
      } finally {
        spy.restore();
      }
    };
    const wired = await run(['o2']);
    await helper.unload();
    const unwired = await run([]);
    const view = (r) => ({
      alerts: r.got.o1.filter((m) => !m.flush).map((m) => [m.topic, m.notify, records([m])]),
      errors: r.got.c1.map((m) => m.error.message),
      status: r.status,
    });
    view(unwired).should.eql(view(wired));
    view(wired).status.should.equal('6 scored · 2 alerts (1 early) · 1 early verdicts contradicted');
    view(wired).errors.should.have.length(1);
    records(wired.got.o2)
      .map((r) => r.RemoteIP)
      .should.eql(['9.9.9.9', '1.1.1.1', '2.2.2.2', '4.4.4.4']);
    records(unwired.got.o2).should.be.empty();
    // the three rows under TotalEvents with no early alert waiting were never scored
    (wired.scored - unwired.scored).should.equal(3);

    // wiring output 2 while running: a deploy of modified nodes whose wires alone changed does not restart
    // the node but calls its updateWires (Flow.start, diff.rewired); the misses must come from then on
    helper.getNode('n1').updateWires([['o1'], ['o2']]);
    const again = await exchange([{ payload: row({ 60: 3 }, { RemoteIP: '5.5.5.5' }) }]);
    records(again.o2)
      .map((r) => r.RemoteIP)
      .should.eql(['5.5.5.5']);
  });

  it('the alert output carries alert rows only: flush, reset and checkpoint leave on output 2, no message is empty', async function () {
    await load();
    const got = await exchange([
      { reset: true },
      { payload: [row({ 60: 3 }), row({ 60: 19, 61: 1 })] }, // a batch without an alert
      { payload: [] },
      { checkpoint: true },
      { payload: row({ 60: 20 }), topic: 'kept' },
    ]);
    got.o1.should.have.length(1);
    for (const m of got.o1) {
      should(m.flush || m.reset || m.checkpoint).not.be.ok();
      [].concat(m.payload).length.should.be.above(0);
    }
    got.o1[0].payload.AlertId.should.match(/^[0-9a-f]{20}$/);
    got.o2
      .filter((m) => m.flush || m.reset || m.checkpoint)
      .map((m) => Object.keys(m).filter((k) => ['flush', 'reset', 'checkpoint'].includes(k)))
      .should.eql([['reset'], ['checkpoint'], ['flush']]);
  });

  it('refuses malformed entities', async function () {
    await load({ entities: 'IPCustomEntity' });
    helper
      .getNode('n1')
      .error.args.map((a) => String(a[0]))
      .join()
      .should.match(/Name=Field/);
  });
});
