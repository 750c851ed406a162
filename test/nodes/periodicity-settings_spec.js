'use strict';
/**
 * The periodicity, prevalence and grouping settings through the nodes as the editor saves them: the
 * filter's destination network, the histogram's sources per destination, the
 * scorer's periodic method and maximum p-value; absent settings keep old
 * flows' behaviour; invalid values are refused with a readable error.
 */
const { helper, should, node, catchNode, flowWith, exchange, records, errorsOf } = require('./harness');

const filterNode = node('beacon-ip-filter');
const histogramNode = node('beacon-histogram');
const scorerNode = node('beacon-scorer');

const { iso, delta } = require('../support/delta-rows');
const row = (counts, extra = {}) => ({
  TimeGenerated: iso(0).replace('.000Z', 'Z'),
  LocalIP: '10.0.0.9',
  RemoteIP: '52.1.2.3',
  RemotePortNumber: 443,
  TotalEvents: Object.values(counts).reduce((a, b) => a + b, 0),
  DeltaCounts: counts,
  BinSeconds: 86400,
  GroupFields: ['LocalIP', 'RemoteIP', 'RemotePortNumber'],
  ...extra,
});
// intervals of a 300 s beacon with half its callbacks dropped, and of random polling (exponential, mean 300 s)
const dropped = { 296: 20, 300: 30, 304: 20, 600: 25, 601: 10, 900: 12, 1200: 6 };
const random = {};
for (let i = 0; i < 120; i++) {
  const d = Math.max(1, Math.round(-Math.log(1 - (i + 0.5) / 120) * 300));
  random[d] = (random[d] || 0) + 1;
}

describe('periodicity, prevalence and grouping settings through the nodes', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('filter: destination network writes the /24 (IPv4) and /48 (IPv6) of kept records; absent = off', async function () {
    await helper.load([filterNode, catchNode], flowWith('beacon-ip-filter', { mode: 'public', networkField: 'RemoteNetwork' }));
    let got = await exchange([{ payload: [{ RemoteIP: '45.61.1.77' }, { RemoteIP: '2606:4700:4700::1111' }, { RemoteIP: '10.0.0.1' }] }]);
    records(got.o1)
      .map((r) => r.RemoteNetwork)
      .should.eql(['45.61.1.0/24', '2606:4700:4700::/48']);
    should(records(got.o2)[0].RemoteNetwork).be.undefined();
    await helper.unload();
    await helper.load([filterNode, catchNode], flowWith('beacon-ip-filter', { mode: 'public', networkField: 'Net', networkPrefix: '16, 32' }));
    got = await exchange([{ payload: [{ RemoteIP: '45.61.1.77' }] }]);
    records(got.o1)[0].Net.should.equal('45.61.0.0/16');
    await helper.unload();
    await helper.load([filterNode, catchNode], flowWith('beacon-ip-filter', { mode: 'public' }));
    got = await exchange([{ payload: [{ RemoteIP: '45.61.1.77' }] }]);
    Object.keys(records(got.o1)[0]).should.eql(['RemoteIP']);
  });

  it('filter: a prefix out of range is refused', async function () {
    await helper.load([filterNode, catchNode], flowWith('beacon-ip-filter', { networkField: 'Net', networkPrefix: '33' }));
    errorsOf('n1')
      .join()
      .should.match(/networkPrefix: IPv4 bits/);
  });

  it('histogram: sources per destination stamps every row of a window with the same count, decided when it closes; absent = no field', async function () {
    const traffic = [
      delta(0, 60, { LocalIP: '10.0.0.1' }),
      delta(10, 60, { LocalIP: '10.0.0.2' }),
      delta(20, 60, { LocalIP: '10.0.0.3' }),
      delta(30, 60, { LocalIP: '10.0.0.3', RemotePortNumber: 80 }),
      delta(40, 60, { RemoteIP: '52.9.9.9' }),
    ];
    await helper.load(
      [histogramNode, catchNode],
      flowWith('beacon-histogram', { binSeconds: 3600, minDelta: 0, closeAfter: 0, prevalence: 'LocalIP, RemoteIP' }),
    );
    let got = await exchange([{ payload: traffic, flush: true }]);
    const rows = records(got.o1);
    rows
      .filter((r) => r.RemoteIP === '52.1.2.3')
      .map((r) => r.DestinationSources)
      .should.eql([3, 3, 3, 3]);
    rows.find((r) => r.RemoteIP === '52.9.9.9').DestinationSources.should.equal(1);
    await helper.unload();
    await helper.load([histogramNode, catchNode], flowWith('beacon-histogram', { binSeconds: 3600, minDelta: 0, closeAfter: 0 }));
    got = await exchange([{ payload: traffic, flush: true }]);
    records(got.o1)
      .every((r) => !('DestinationSources' in r))
      .should.be.true();
  });

  it('histogram: sources per destination must name two fields', async function () {
    await helper.load([histogramNode, catchNode], flowWith('beacon-histogram', { prevalence: 'LocalIP' }));
    errorsOf('n1')
      .join()
      .should.match(/source, destination/);
  });

  it('scorer: periodic method alerts on a beacon with half its callbacks dropped, not on random polling with a constant size', async function () {
    await helper.load([scorerNode, catchNode], flowWith('beacon-scorer', { method: 'periodic', minTotalEvents: 10, minBeaconPercent: '' }));
    const got = await exchange([{ payload: row(dropped) }, { payload: row(random, { LocalIP: '10.0.0.10', ByteCounts: { 512: 120 } }) }]);
    const alerts = records(got.o1);
    alerts.map((a) => a.LocalIP).should.eql(['10.0.0.9']);
    alerts[0].PeriodSeconds.should.be.within(290, 310);
    alerts[0].PeriodPValue.should.be.below(0.001);
    // the band's figures only: no share of the single most frequent interval beside them
    got.o1[0].topic.should.match(/every ~\d+ s \([\d.]+–[\d.]+ s\), \d+\/\d+ in /);
    got.o1[0].topic.should.not.match(/%/);
    const below = records(got.o2)[0];
    below.FailedThresholds.should.eql(['PeriodPValue <= 0.001']);
    below.PeriodPValue.should.be.above(0.001);
  });

  it('scorer: maximum p-value from the settings; absent = 0.001; out of range is refused', async function () {
    // random polling plus a small pile at 300 s: p ≈ 0.12, periodic only when the threshold allows it
    const weak = { ...random, 300: (random[300] || 0) + 12 };
    await helper.load([scorerNode, catchNode], flowWith('beacon-scorer', { method: 'periodic', minTotalEvents: '', minBeaconPercent: '', maxPValue: 1 }));
    let got = await exchange([{ payload: row(weak) }]);
    records(got.o1).length.should.equal(1);
    await helper.unload();
    await helper.load([scorerNode, catchNode], flowWith('beacon-scorer', { method: 'periodic', minTotalEvents: '', minBeaconPercent: '' }));
    got = await exchange([{ payload: row(weak) }]);
    records(got.o1).length.should.equal(0);
    await helper.unload();
    for (const bad of [0, 2, 'often']) {
      await helper.load([scorerNode, catchNode], flowWith('beacon-scorer', { method: 'periodic', maxPValue: bad }));
      should(errorsOf('n1').join()).match(/p-value/);
      await helper.unload();
    }
  });

  it('scorer: the prevalence limit uses the window count when the row carries it, suppressing every source with the reason', async function () {
    await helper.load([scorerNode, catchNode], flowWith('beacon-scorer', { method: 'periodic', minTotalEvents: '', minBeaconPercent: '', maxSources: 5 }));
    const got = await exchange(
      ['10.0.0.1', '10.0.0.2']
        .map((src) => ({ payload: row(dropped, { LocalIP: src, DestinationSources: 40 }) }))
        .concat([{ payload: row(dropped, { LocalIP: '10.0.0.3', RemoteIP: '45.1.1.1', DestinationSources: 1 }) }]),
    );
    records(got.o1)
      .map((a) => a.LocalIP)
      .should.eql(['10.0.0.3']);
    records(got.o2)
      .map((r) => r.Suppressed)
      .should.eql(['prevalent destination: 40 internal sources poll it in this window', 'prevalent destination: 40 internal sources poll it in this window']);
  });
});
