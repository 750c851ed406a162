'use strict';
require('should');
const { DeltaTracker, newDeltaOutput, WIREDATA_DELTA } = require('../../dist/core/delta/delta');
const { HistogramAggregator, newHistogramOutput, WIREDATA_HISTOGRAM } = require('../../dist/core/histogram');
const { scoreRow, WIREDATA_SCORER } = require('../../dist/core/scorer/scorer');
const { kqlPublicDropReason } = require('../../dist/core/common/address');

const T0 = Date.UTC(2024, 0, 1, 10, 0, 0);
const spoofed = (i, s) => ({
  TimeGenerated: T0 + s * 1000,
  LocalIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  RemoteIP: '52.9.9.9',
  RemotePortNumber: 443,
});
const beacon = (s) => ({ TimeGenerated: T0 + s * 1000, LocalIP: '10.255.0.1', RemoteIP: '203.0.113.7', RemotePortNumber: 443, SentBytes: 1, ReceivedBytes: 1 });

describe('memory caps', function () {
  it('delta: a flood of one-shot keys is forgotten first; the cap holds and the beacon keeps its deltas', function () {
    const t = new DeltaTracker({ ...WIREDATA_DELTA, maxKeys: 1000 });
    const out = newDeltaOutput();
    // the beacon is established before the flood starts
    for (let s = -180; s < 0; s += 60) t.add(beacon(s), out);
    let s = 0;
    for (let i = 0; i < 200000; i++) {
      if (i % 1000 === 0) t.add(beacon(s), out); // every 60 s of event time
      t.add(spoofed(i, s), out);
      if (i % 1000 === 999) s += 60;
    }
    t.flush(out);
    // 1,000 spoofed keys arrive between two beacon events: a plain LRU of 1,000 would forget the beacon
    t.keyCount.should.be.belowOrEqual(1000);
    t.counts.evictedKeys.should.be.above(190000);
    const beaconDeltas = out.released.filter((r) => r.LocalIP === '10.255.0.1').map((r) => r.TimeDeltainSeconds);
    beaconDeltas.length.should.equal(202);
    beaconDeltas.every((d) => d === 60).should.be.true();
  });

  it('delta: established keys that go quiet age out as new keys are promoted', function () {
    const t = new DeltaTracker({ ...WIREDATA_DELTA, maxKeys: 2 });
    const out = newDeltaOutput();
    const ev = (ip, s) => ({ TimeGenerated: T0 + s * 1000, LocalIP: ip, RemoteIP: '52.1.1.1', RemotePortNumber: 443 });
    for (const [ip, s] of [
      ['a', 0],
      ['a', 10],
      ['b', 20],
      ['b', 30],
      ['c', 40],
      ['c', 50],
      ['a', 60],
      ['b', 70],
      ['c', 80],
      ['d', 90],
    ])
      t.add(ev(ip, s), out);
    t.flush(out);
    t.keyCount.should.be.belowOrEqual(2);
    // a quiet established key ages out: 'a', idle longest, loses its predecessor; the newest pairs still form
    const pairs = out.released.map((r) => `${r.LocalIP}${r.TimeDeltainSeconds}`);
    pairs.should.containDeep(['a10', 'b10', 'c10']);
    pairs.should.not.containEql('a50');
  });

  it('delta: a full reorder buffer releases its oldest events early and counts them', function () {
    const t = new DeltaTracker({ ...WIREDATA_DELTA, latenessSeconds: 1e6, maxBuffered: 100 });
    const out = newDeltaOutput();
    for (let i = 0; i < 1000; i++) t.add({ ...beacon(i * 30) }, out);
    t.bufferedCount.should.equal(100);
    t.counts.forcedReleases.should.equal(900);
    out.released.length.should.equal(899);
  });

  it('histogram: past the cell cap the oldest bin closes early, rows are not lost', function () {
    const h = new HistogramAggregator({ ...WIREDATA_HISTOGRAM, closeAfterSeconds: 1e9, maxOpenCells: 500 });
    const out = newHistogramOutput();
    for (let hour = 0; hour < 10; hour++) {
      for (let g = 0; g < 200; g++) {
        const s = hour * 3600 + g;
        h.add({ ...spoofed(g, s), TimeDeltainSeconds: 60, nextTimeGenerated: T0 + (s + 60) * 1000 }, out);
      }
    }
    h.openCells.should.be.belowOrEqual(500);
    h.counts.closedEarly.should.be.above(0);
    h.flush(out);
    out.rows.reduce((a, r) => a + r.TotalEvents, 0).should.equal(2000);
  });

  it('rejects caps that are not whole numbers', function () {
    (() => new DeltaTracker({ ...WIREDATA_DELTA, maxKeys: -1 })).should.throw(/maxKeys/);
    (() => new HistogramAggregator({ ...WIREDATA_HISTOGRAM, maxOpenCells: 1.5 })).should.throw(/maxOpenCells/);
  });

  it('a flood of 1,000,000 spoofed sources passes the chain with bounded state, and the beacon alerts', function () {
    const delta = new DeltaTracker({ ...WIREDATA_DELTA, latenessSeconds: 60, maxKeys: 5000, maxBuffered: 20000 });
    const hist = new HistogramAggregator({ ...WIREDATA_HISTOGRAM, closeAfterSeconds: 3600, maxOpenCells: 5000 });
    const alerts = [];
    let maxKeys = 0;
    let maxCells = 0;
    let s = 0;
    const d = newDeltaOutput();
    for (let i = 0; i < 1000000; i++) {
      if (i % 500 === 0) {
        delta.add(beacon(s), d);
        s += 30;
      }
      const r = spoofed(i, s);
      if (kqlPublicDropReason(r.RemoteIP) === null) delta.add(r, d);
      if (d.released.length > 10000 || i === 999999) {
        const h = newHistogramOutput();
        for (const x of d.released) hist.add(x, h);
        d.released.length = 0;
        for (const row of h.rows) {
          const scored = scoreRow(row, WIREDATA_SCORER);
          if (scored.alert) alerts.push(scored.row);
        }
        maxCells = Math.max(maxCells, hist.openCells);
      }
      maxKeys = Math.max(maxKeys, delta.keyCount);
    }
    maxKeys.should.be.belowOrEqual(5000);
    maxCells.should.be.belowOrEqual(5000);
    alerts.filter((a) => a.LocalIP === '10.255.0.1').length.should.be.above(5);
  });
});
