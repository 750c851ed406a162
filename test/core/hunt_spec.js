'use strict';
/**
 * The hunt profile's core pieces: hopping windows and per-window detail in
 * the histogram, the window and stats score methods, strobes, the alert gate
 * (allow-list, prevalence, repeat suppression) and the filter's direction.
 */
const should = require('should');
const { HistogramAggregator, newHistogramOutput, WIREDATA_HISTOGRAM } = require('../../dist/core/histogram');
const { scoreRow, WIREDATA_SCORER } = require('../../dist/core/scorer/scorer');
const { AlertGate, parseAllowList, DEFAULT_ALLOW_LIST } = require('../../dist/core/scorer/alert-gate');
const { ipFilterDropReason, DEFAULT_INTERNAL } = require('../../dist/core/filter/ip-filter');
const { CidrSet, splitList } = require('../../dist/core/common/address');

const { iso, delta } = require('../support/delta-rows');

function histogramRows(options, records) {
  const h = new HistogramAggregator({ ...WIREDATA_HISTOGRAM, closeAfterSeconds: 86400, ...options });
  const out = newHistogramOutput();
  for (const r of records) h.add(r, out);
  h.flush(out);
  return out;
}

describe('hunt profile: histogram windows and detail', function () {
  it('hopping windows: a pattern straddling the bin edge is whole in the window that spans it', function () {
    // one call every 10 min from 21:00 to 03:00: split 50/50 by daily bins, whole in the 18:00-18:00 window
    const records = [];
    for (let s = 21 * 3600; s < 27 * 3600; s += 600) records.push(delta(s, 600));
    const tumbling = histogramRows({ binSeconds: 86400, minDelta: 0 }, records).rows;
    tumbling.map((r) => r.TotalEvents).should.eql([18, 18]);
    const hopping = histogramRows({ binSeconds: 86400, hopSeconds: 21600, minDelta: 0 }, records).rows;
    Math.max(...hopping.map((r) => r.TotalEvents)).should.equal(36);
    hopping.every((r) => r.HopSeconds === 21600).should.be.true();
    // every record lands in bin/hop = 4 windows
    hopping.reduce((n, r) => n + r.TotalEvents, 0).should.equal(36 * 4);
  });

  it('delta buckets: the deltas of a jittered beacon collapse into one or two buckets; the exact scorer then passes it', function () {
    const { parseDeltaBucket, bucketDelta } = require('../../dist/core/histogram');
    parseDeltaBucket('10s').should.eql({ kind: 'seconds', size: 10 });
    parseDeltaBucket('10 %').should.eql({ kind: 'percent', size: 10 });
    should(parseDeltaBucket('')).be.null();
    should(() => parseDeltaBucket('ten')).throw(/10s/);
    should(() => parseDeltaBucket('150%')).throw();
    [55, 58, 60, 64].map((d) => bucketDelta(d, { kind: 'seconds', size: 10 })).should.eql([60, 60, 60, 60]);
    new Set([57, 58, 59, 60, 61, 62, 63].map((d) => bucketDelta(d, { kind: 'percent', size: 10 }))).size.should.be.belowOrEqual(2);
    // ±4 s around 60 s, exact vs 10 s buckets
    const records = [];
    for (let i = 0; i < 60; i++) records.push(delta(i * 60, 56 + (i % 9)));
    const exact = histogramRows({ minDelta: 10 }, records).rows;
    const bucketed = histogramRows({ minDelta: 10, deltaBucket: { kind: 'seconds', size: 10 } }, records).rows;
    scoreRow(exact[0], WIREDATA_SCORER).alert.should.be.false();
    scoreRow(bucketed[0], WIREDATA_SCORER).alert.should.be.true();
    bucketed[0].DeltaCounts.should.eql({ 60: 60 });
  });

  it('count all connections: a strobe whose intervals are all under the minimum delta still has a row, with Connections', function () {
    const records = [];
    for (let i = 0; i < 5000; i++) records.push(delta(i, 1));
    histogramRows({ minDelta: 2 }, records).rows.should.eql([]); // as KQL: no qualifying interval, no row
    const rows = histogramRows({ minDelta: 2, countConnections: true }, records).rows;
    rows
      .map((r) => [r.TotalEvents, r.Connections])
      .should.eql([
        [0, 3600],
        [0, 1400],
      ]);
    const strobe = scoreRow(rows[0], { ...WIREDATA_SCORER, strobePerHour: 3600 });
    strobe.alert.should.be.true();
    strobe.row.AlertClass.should.equal('strobe');
  });

  it('refuses a hop that does not divide the bin', function () {
    should(() => new HistogramAggregator({ ...WIREDATA_HISTOGRAM, hopSeconds: 7 })).throw(/divid/);
  });

  it('keeps bytes per connection, hourly sub-bins, first and last time per window', function () {
    const records = [delta(0, 60, { SentBytes: 100 }), delta(60, 60, { SentBytes: 100 }), delta(3700, 60, { SentBytes: 250 })];
    const out = histogramRows({ binSeconds: 86400, minDelta: 0, bytesField: 'SentBytes', subBins: 24 }, records);
    const row = out.rows[0];
    row.ByteCounts.should.eql({ 100: 2, 250: 1 });
    row.SubBinCounts.slice(0, 3).should.eql([2, 1, 0]);
    row.SubBinCounts.length.should.equal(24);
    row.FirstSeen.should.equal(iso(0).replace('.000Z', 'Z'));
    row.LastSeen.should.equal(iso(3700).replace('.000Z', 'Z'));
  });

  it('snapshots keep hop, bytes and sub-bins', function () {
    const options = {
      ...WIREDATA_HISTOGRAM,
      binSeconds: 86400,
      hopSeconds: 43200,
      minDelta: 0,
      bytesField: 'SentBytes',
      subBins: 24,
      closeAfterSeconds: 86400,
    };
    const a = new HistogramAggregator(options);
    a.add(delta(0, 60), newHistogramOutput());
    const b = new HistogramAggregator(options);
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    const out = newHistogramOutput();
    b.flush(out);
    out.rows.length.should.equal(2);
    out.rows[0].ByteCounts.should.eql({ 300: 1 });
  });
});

describe('hunt profile: score methods', function () {
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
  // a 60 s beacon with 20 % one-sided jitter: 48…60 s, each second about equally often
  const jittered = Object.fromEntries(Array.from({ length: 13 }, (_, i) => [String(48 + i), 20]));

  it('kql: a 20 % jittered beacon fails (its modal second is 1/13 of the intervals)', function () {
    scoreRow(row(jittered), WIREDATA_SCORER).alert.should.be.false();
  });

  it('window: the same beacon passes within ±12 %; the band median is reported', function () {
    const r = scoreRow(row(jittered), { ...WIREDATA_SCORER, method: 'window', windowPercent: 12 });
    r.alert.should.be.true();
    r.row.BeaconPercent.should.equal(100);
    r.row.MostFrequentTimeDeltainSeconds.should.equal(54);
    r.row.AlertClass.should.equal('beacon');
  });

  it('stats: RITA parts from the row; a regular day scores near 1 and alerts, random intervals do not', function () {
    const regular = row(jittered, { ByteCounts: { 300: 260 }, SubBinCounts: new Array(24).fill(11), FirstSeen: iso(0), LastSeen: iso(86340) });
    const r = scoreRow(regular, { ...WIREDATA_SCORER, minBeaconPercent: null, method: 'stats', minScore: 0.8 });
    r.alert.should.be.true();
    r.row.Score.should.be.above(0.9);
    r.row.DataSizeScore.should.equal(1);
    r.row.HistogramScore.should.equal(1);
    r.row.DurationScore.should.equal(1);
    r.row.MedianIntervalSeconds.should.equal(54);
    const random = row(
      { 1: 2, 25: 2, 90: 2, 500: 2, 1500: 2, 4975: 2, 299: 2, 42: 2 },
      {
        ByteCounts: { 10: 3, 5000: 3, 700: 3, 80: 3 },
        SubBinCounts: [5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        FirstSeen: iso(0),
        LastSeen: iso(40000),
      },
    );
    const q = scoreRow(random, { ...WIREDATA_SCORER, minTotalEvents: null, minBeaconPercent: null, method: 'stats', minScore: 0.8 });
    q.alert.should.be.false();
    q.failed.should.eql(['Score >= 0.8']);
  });

  it('stats without bytes or sub-bins: the timestamp part alone carries the score', function () {
    const r = scoreRow(row({ 60: 30 }), { ...WIREDATA_SCORER, method: 'stats', minScore: 0.8 });
    r.row.Score.should.equal(1);
    should(r.row.DataSizeScore).be.null();
  });

  it('strobe: an extreme rate is its own alert class whatever the regularity', function () {
    const counts = { 0: 50000, 1: 30000, 7: 10000 };
    const r = scoreRow(row(counts, { BinSeconds: 3600 }), { ...WIREDATA_SCORER, strobePerHour: 3600 });
    r.alert.should.be.true();
    r.row.AlertClass.should.equal('strobe');
    r.summary.should.match(/strobe/);
  });

  it('kql method rows stay exactly the rule output (no added columns)', function () {
    const r = scoreRow(row({ 60: 20 }), WIREDATA_SCORER);
    Object.keys(r.row).should.not.containEql('AlertClass');
    Object.keys(r.row).should.not.containEql('Score');
  });
});

describe('hunt profile: alert gate', function () {
  const gate = (over = {}) =>
    new AlertGate({
      allow: [],
      srcField: 'LocalIP',
      dstField: 'RemoteIP',
      portField: 'RemotePortNumber',
      maxSourcesPerDestination: 0,
      rearmSeconds: 0,
      maxRemembered: 1000,
      ...over,
    });
  const alert = (hour, extra = {}) => ({
    TimeGenerated: iso(hour * 3600).replace('.000Z', 'Z'),
    BinSeconds: 3600,
    LocalIP: '10.0.0.9',
    RemoteIP: '52.1.2.3',
    RemotePortNumber: 443,
    ...extra,
  });

  it('parses the allow-list and suppresses with the reason; the default list is valid', function () {
    const g = gate({ allow: parseAllowList('dst 17.0.0.0/8 # Apple\nport 123 # NTP\npair 10.0.0.5 52.9.9.9 # backup\nsrc 10.1.1.1') });
    g.check(alert(0, { RemoteIP: '17.253.4.125' })).suppressed.should.equal('allow-list: Apple');
    g.check(alert(0, { RemotePortNumber: 123 })).suppressed.should.equal('allow-list: NTP');
    g.check(alert(0, { LocalIP: '10.0.0.5', RemoteIP: '52.9.9.9' })).suppressed.should.equal('allow-list: backup');
    g.check(alert(0, { LocalIP: '10.1.1.1' })).suppressed.should.equal('allow-list: src 10.1.1.1');
    should(g.check(alert(0)).suppressed).be.null();
    parseAllowList(DEFAULT_ALLOW_LIST).length.should.be.above(3);
    should(() => parseAllowList('dest 1.2.3.4')).throw(/dst, src, port or pair/);
    should(() => parseAllowList('port 99999')).throw(/port/);
  });

  it('repeat suppression: one alert per pair until it re-arms; the alert says how long the pattern lasts', function () {
    const g = gate({ rearmSeconds: 6 * 3600 });
    const verdicts = [0, 1, 2, 3, 4, 5, 6, 7].map((h) => {
      const row = alert(h);
      return [g.check(row).suppressed === null, row.PatternHours];
    });
    verdicts.map((v) => v[0]).should.eql([true, false, false, false, false, false, true, false]);
    verdicts[6][1].should.equal(7); // reported again at hour 6: the pattern has run 7 hours
    // a gap of more than two bins starts a new streak; the re-arm clock runs on (last report at hour 6)
    const row = alert(20);
    should(g.check(row).suppressed).be.null();
    row.PatternHours.should.equal(1);
    // the window comes from the histogram row when the alert row lacks it (hopping 24 h windows)
    const day = gate({ rearmSeconds: 86400 });
    const v = [0, 6, 12, 18, 24].map((h) => day.check(alert(h, { BinSeconds: undefined }), { binSeconds: 86400, hopSeconds: 21600 }).suppressed === null);
    v.should.eql([true, false, false, false, true]);
  });

  it('clocks on the events: overlapping windows of the same 6 h are one pattern and one report, whatever the window start', function () {
    const g = gate({ rearmSeconds: 86400 });
    const events = { firstSeen: iso(0), lastSeen: iso(6 * 3600) };
    // 72 h windows hopping by 12 h that all hold the same six hours of 2024-05-08
    const windows = [-60, -48, -36, -24, -12, 0].map((h) => alert(h, { BinSeconds: undefined }));
    const verdicts = windows.map((row) => g.check(row, { binSeconds: 259200, hopSeconds: 43200, ...events }).suppressed);
    should(verdicts[0]).be.null();
    verdicts.slice(1).forEach((v) => v.should.match(/^repeat/));
    for (const row of windows) {
      row.PatternSince.should.equal(iso(0).replace('.000Z', 'Z'));
      row.PatternHours.should.equal(6);
    }
    // the next day's events re-arm it
    should(
      g.check(alert(12, { BinSeconds: undefined }), { binSeconds: 259200, hopSeconds: 43200, firstSeen: iso(0), lastSeen: iso(30 * 3600) }).suppressed,
    ).be.null();
  });

  it('a report on later events holds back one on earlier events of the same period (long windows close after short bins)', function () {
    const g = gate({ rearmSeconds: 86400 });
    should(g.check(alert(5)).suppressed).be.null(); // an hourly burst at 05:00, closed first
    g.check(alert(-60, { BinSeconds: undefined }), {
      binSeconds: 259200,
      hopSeconds: 43200,
      firstSeen: iso(0),
      lastSeen: iso(4 * 3600),
    }).suppressed.should.match(/^repeat/);
  });

  it('scorers sharing a pair memory report a pair once between them', function () {
    const pairs = new Map();
    const a = new AlertGate(
      {
        allow: [],
        srcField: 'LocalIP',
        dstField: 'RemoteIP',
        portField: 'RemotePortNumber',
        maxSourcesPerDestination: 0,
        rearmSeconds: 86400,
        maxRemembered: 1000,
      },
      pairs,
    );
    const b = new AlertGate({ ...a.options }, pairs);
    should(a.check(alert(0)).suppressed).be.null();
    b.check(alert(0, { BinSeconds: undefined }), { binSeconds: 259200, firstSeen: iso(0), lastSeen: iso(3 * 3600) }).suppressed.should.match(/^repeat/);
    // restoring both scorers' snapshots keeps the latest report
    const saved = JSON.parse(JSON.stringify(a.snapshot()));
    const shared = new Map();
    new AlertGate({ ...a.options }, shared).restore(saved);
    new AlertGate({ ...a.options }, shared).restore(JSON.parse(JSON.stringify(gate({ rearmSeconds: 86400 }).snapshot())));
    shared.size.should.equal(1);
  });

  it('connections per hour over the time the events span (at least an hour), not the whole window', function () {
    const counts = { 40: 530, 41: 5 };
    const base = {
      TimeGenerated: iso(-60 * 3600).replace('.000Z', 'Z'),
      LocalIP: '10.0.0.9',
      RemoteIP: '52.1.2.3',
      RemotePortNumber: 443,
      TotalEvents: 535,
      DeltaCounts: counts,
      BinSeconds: 259200,
      HopSeconds: 43200,
      GroupFields: ['LocalIP', 'RemoteIP', 'RemotePortNumber'],
    };
    const options = { ...WIREDATA_SCORER, minBeaconPercent: null, method: 'window', windowPercent: 10, strobePerHour: 3600 };
    scoreRow(base, options).row.ConnectionsPerHour.should.equal(7.4);
    scoreRow({ ...base, FirstSeen: iso(0), LastSeen: iso(6 * 3600) }, options).row.ConnectionsPerHour.should.equal(89.2);
    // a burst of 535 in ten minutes is counted over an hour: no strobe from a short burst
    const burst = scoreRow({ ...base, FirstSeen: iso(0), LastSeen: iso(600) }, options);
    burst.row.ConnectionsPerHour.should.equal(535);
    burst.row.AlertClass.should.equal('beacon');
  });

  it('prevalence: a destination many internal sources alert on is a service', function () {
    const g = gate({ maxSourcesPerDestination: 3 });
    const v = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((src) => g.check(alert(0, { LocalIP: src })).suppressed);
    should(v[0]).be.null();
    should(v[1]).be.null();
    v[2].should.match(/prevalent destination: 3/);
    v[3].should.match(/prevalent destination: 4/);
  });

  it('keeps its memory through a snapshot', function () {
    const a = gate({ rearmSeconds: 86400 });
    a.check(alert(0));
    const b = gate({ rearmSeconds: 86400 });
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    b.check(alert(1)).suppressed.should.match(/repeat/);
  });
});

describe('hunt profile: direction in the filter', function () {
  const options = (mode) => ({ field: 'RemoteIP', mode, exclude: new CidrSet([]), sourceField: 'LocalIP', internal: new CidrSet(splitList(DEFAULT_INTERNAL)) });
  it('drops inbound records (source outside the internal networks), whatever the destination', function () {
    ipFilterDropReason({ LocalIP: '120.245.134.197', RemoteIP: '64.225.56.201' }, options('public')).should.equal('inbound');
    should(ipFilterDropReason({ LocalIP: '10.0.0.9', RemoteIP: '52.1.2.3' }, options('public'))).be.null();
    ipFilterDropReason({ LocalIP: '10.0.0.9', RemoteIP: '10.0.0.16' }, options('public')).should.equal('private');
  });
  it('mode any keeps internal destinations (a beacon through a proxy) but not garbage', function () {
    should(ipFilterDropReason({ LocalIP: '10.136.0.18', RemoteIP: '10.136.0.16' }, options('any'))).be.null();
    ipFilterDropReason({ LocalIP: '10.136.0.18', RemoteIP: 'proxy' }, options('any')).should.equal('invalid');
  });
});
