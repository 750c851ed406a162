'use strict';
/**
 * The hunt profile's settings, through the nodes as the editor saves them:
 * the filter's direction and mode any, the histogram's hop, bytes field,
 * sub-bins and delta buckets, the scorer's methods, strobe, allow-list,
 * prevalence and re-arm (suppressed rows on output 2 with the reason), and
 * invalid values refused with a readable error.
 */
const { helper, should, node, catchNode, flowWith, exchange, records, errorsOf } = require('./harness');

const filterNode = node('beacon-ip-filter');
const histogramNode = node('beacon-histogram');
const scorerNode = node('beacon-scorer');

const { iso, delta } = require('../support/delta-rows');

describe('hunt settings through the nodes', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('filter: source must be internal (default networks) and mode any', async function () {
    await helper.load([filterNode, catchNode], flowWith('beacon-ip-filter', { field: 'RemoteIP', mode: 'any', sourceField: 'LocalIP' }));
    const got = await exchange([
      {
        payload: [
          { LocalIP: '10.136.0.18', RemoteIP: '10.136.0.16' },
          { LocalIP: '120.245.134.197', RemoteIP: '10.0.0.5' },
          { LocalIP: '10.0.0.9', RemoteIP: '52.1.2.3' },
        ],
      },
    ]);
    records(got.o1)
      .map((r) => r.RemoteIP)
      .should.eql(['10.136.0.16', '52.1.2.3']);
    records(got.o2)
      .map((r) => r.LocalIP)
      .should.eql(['120.245.134.197']);
  });

  it('filter: custom internal networks; an invalid one is refused', async function () {
    await helper.load([filterNode, catchNode], flowWith('beacon-ip-filter', { mode: 'public', sourceField: 'LocalIP', internal: '64.225.56.201/32' }));
    const got = await exchange([
      {
        payload: [
          { LocalIP: '64.225.56.201', RemoteIP: '91.189.91.157' },
          { LocalIP: '10.0.0.1', RemoteIP: '91.189.91.157' },
        ],
      },
    ]);
    records(got.o1)
      .map((r) => r.LocalIP)
      .should.eql(['64.225.56.201']);
    await helper.unload();
    await helper.load([filterNode, catchNode], flowWith('beacon-ip-filter', { sourceField: 'LocalIP', internal: 'not-a-network' }));
    errorsOf('n1')
      .join()
      .should.match(/not-a-network/);
  });

  it('histogram: hop, bytes field, sub-bins and delta buckets from the settings', async function () {
    await helper.load(
      [histogramNode, catchNode],
      flowWith('beacon-histogram', {
        binSeconds: 86400,
        hopSeconds: 43200,
        groupFields: 'LocalIP, RemoteIP, RemotePortNumber',
        minDelta: 0,
        sumFields: 'SentBytes',
        closeAfter: 86400,
        bytesField: 'SentBytes',
        subBins: 24,
        deltaBucket: '10s',
      }),
    );
    const got = await exchange([{ payload: [delta(0, 58), delta(58, 61), delta(119, 63)] }]);
    const rows = records(got.o1);
    rows.length.should.equal(2); // the record time falls in two 24 h windows hopping every 12 h
    rows.every((r) => r.HopSeconds === 43200 && r.DeltaCounts[60] === 3 && r.ByteCounts[300] === 3 && r.SubBinCounts.length === 24).should.be.true();
  });

  it('histogram: a hop that does not divide the bin and a bad bucket are refused', async function () {
    await helper.load([histogramNode, catchNode], flowWith('beacon-histogram', { binSeconds: 3600, hopSeconds: 7 }));
    errorsOf('n1').join().should.match(/hop/);
    await helper.unload();
    await helper.load([histogramNode, catchNode], flowWith('beacon-histogram', { binSeconds: 3600, deltaBucket: 'ten' }));
    errorsOf('n1').join().should.match(/10s/);
  });

  const row = (hour, extra = {}) => ({
    TimeGenerated: iso(hour * 3600).replace('.000Z', 'Z'),
    LocalIP: '10.0.0.9',
    RemoteIP: '52.1.2.3',
    RemotePortNumber: 443,
    TotalEvents: 60,
    DeltaCounts: { 58: 20, 60: 20, 62: 20 },
    BinSeconds: 3600,
    GroupFields: ['LocalIP', 'RemoteIP', 'RemotePortNumber'],
    ...extra,
  });

  it('scorer: window method passes a jittered row the kql method fails', async function () {
    await helper.load([scorerNode, catchNode], flowWith('beacon-scorer', { method: 'window', windowPercent: 5, minTotalEvents: 15, minBeaconPercent: 95 }));
    let got = await exchange([{ payload: row(0) }]);
    records(got.o1).length.should.equal(1);
    records(got.o1)[0].AlertClass.should.equal('beacon');
    await helper.unload();
    await helper.load([scorerNode, catchNode], flowWith('beacon-scorer', { method: 'kql', minTotalEvents: 15, minBeaconPercent: 95 }));
    got = await exchange([{ payload: row(0) }]);
    records(got.o1).length.should.equal(0);
  });

  it('scorer: stats weights from the settings change the score', async function () {
    await helper.load(
      [scorerNode, catchNode],
      flowWith('beacon-scorer', { method: 'stats', minScore: 0, minTotalEvents: '', minBeaconPercent: '', weights: '0, 1, 0, 0' }),
    );
    // all weight on data size: constant bytes give 1 whatever the intervals
    const got = await exchange([{ payload: row(0, { DeltaCounts: { 1: 5, 500: 5, 4000: 5 }, TotalEvents: 15, ByteCounts: { 300: 15 } }) }]);
    records(got.o1)[0].Score.should.equal(1);
  });

  it('scorer: stats method adds the score and its parts', async function () {
    await helper.load([scorerNode, catchNode], flowWith('beacon-scorer', { method: 'stats', minScore: 0.8, minTotalEvents: '', minBeaconPercent: '' }));
    const got = await exchange([{ payload: row(0, { ByteCounts: { 300: 60 } }) }]);
    const alert = records(got.o1)[0];
    alert.Score.should.be.above(0.9);
    alert.DataSizeScore.should.equal(1);
    got.o1[0].topic.should.match(/median interval \d+ s, score 0\.9/);
  });

  it('scorer: allow-list and re-arm send suppressed alerts to output 2 with the reason; strobes are their own class', async function () {
    await helper.load(
      [scorerNode, catchNode],
      flowWith('beacon-scorer', {
        method: 'window',
        windowPercent: 5,
        minTotalEvents: 15,
        minBeaconPercent: 95,
        strobePerHour: 3600,
        allow: 'port 123 # NTP\ndst 17.0.0.0/8 # Apple',
        rearmHours: 6,
      }),
    );
    const got = await exchange(
      [
        row(0),
        row(1),
        row(0, { RemotePortNumber: 123 }),
        row(2, { RemoteIP: '17.1.1.1' }),
        row(3, { LocalIP: '10.0.0.10', TotalEvents: 9000, DeltaCounts: { 0: 9000 } }),
      ].map((payload) => ({ payload })),
    );
    const alerts = records(got.o1);
    alerts
      .map((a) => [a.LocalIP, a.AlertClass])
      .should.eql([
        ['10.0.0.9', 'beacon'],
        ['10.0.0.10', 'strobe'],
      ]);
    alerts[0].PatternHours.should.equal(1);
    const suppressed = records(got.o2)
      .filter((r) => r.Suppressed)
      .map((r) => r.Suppressed);
    suppressed.length.should.equal(3);
    suppressed[0].should.match(/^repeat: /);
    suppressed.slice(1).should.eql(['allow-list: NTP', 'allow-list: Apple']);
  });

  it('scorer: invalid method, allow-list or threshold is refused with a readable error', async function () {
    for (const bad of [{ method: 'rita' }, { allow: 'dest 1.2.3.4' }, { rearmHours: 'soon' }, { weights: '0.5, 0.5' }]) {
      await helper.load([scorerNode, catchNode], flowWith('beacon-scorer', bad));
      should(errorsOf('n1').join()).match(new RegExp(`invalid setting: ${Object.keys(bad)[0]}: `)); // names the setting as the flow file does
      await helper.unload();
    }
  });
});
