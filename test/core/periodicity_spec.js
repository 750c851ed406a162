'use strict';
/**
 * The periodicity test: random arrivals at any rate never pass it,
 * whatever their sizes; beacons with the evasions of real implants do.
 * Traffic is seeded, so every run tests the same intervals.
 */
const should = require('should');
const { intervalPeriodicity, isPeriodic, isPeriodicSeconds, binomialTail, DEFAULT_PERIODICITY } = require('../../dist/core/scorer/periodicity');
const { Random } = require('../../dist/tools/random');

const DAY = 86400;

/** Whole-second intervals of sorted times, as the hunt's histogram keeps them (1 s buckets). */
function intervals(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const counts = new Map();
  for (let i = 1; i < sorted.length; i++) {
    const d = Math.round(sorted[i] - sorted[i - 1]);
    if (d > 0) counts.set(d, (counts.get(d) || 0) + 1);
  }
  return counts;
}

function beacon(rnd, { period, jitter = 0, drop = 0, hours = null, upward = 0, alternate = null, span = 3 * DAY }) {
  const out = [];
  let turn = 0;
  for (let t = rnd.next() * period; t < span; ) {
    const hour = (t % DAY) / 3600;
    if (!(drop && rnd.chance(drop)) && (!hours || (hour >= hours[0] && hour < hours[1]))) out.push(Math.floor(t));
    const sleep = alternate ? alternate[turn++ % alternate.length] : period;
    t += sleep * (1 - jitter * rnd.next()) + upward * rnd.next();
  }
  return out;
}

function poisson(rnd, mean, span = DAY) {
  const out = [];
  for (let t = rnd.exponential(mean); t < span; t += rnd.exponential(mean)) out.push(Math.floor(t));
  return out;
}

/**
 * The test scanned plainly: every band's tail summed out in full, its edges
 * found by counting. The test proper walks its edges, stops a tail once it
 * cannot win and checks a first term before summing; its answers must be
 * these, to the last bit.
 */
function plainScan(counts, o) {
  const list = [...counts].filter(([v, c]) => v > 0 && c > 0);
  const below = (x) => list.reduce((a, [v, c]) => a + (v < x ? c : 0), 0);
  if (below(Infinity) < o.minInBand || list.length === 0) return { periodic: false, pValue: 1, period: null, inBand: 0, bands: 0 };
  const largest = Math.max(...list.map(([v]) => v));
  let bands = 0;
  let best = { tail: 1, k: 0, c: null };
  const consider = (tail, k, c) => {
    if (tail < best.tail || (tail === best.tail && k > best.k)) best = { tail, k, c };
  };
  for (const h of o.halfWidths) {
    for (let c = o.minPeriodSeconds; c * (1 - h) <= largest; c *= 1 + h) {
      const half = Math.max(h * c, o.minHalfWidthSeconds);
      const [lo, hi] = [Math.floor(c - half) + 0.5, Math.floor(c + half) + 0.5];
      if (lo <= 0.5) continue;
      const [n, k] = [below(hi), below(hi) - below(lo)];
      bands++;
      if (k >= o.minInBand) consider(binomialTail(n, k, (hi - lo) / (hi - 0.5)), k, c);
      if (lo - (hi - lo) <= 0.5) continue;
      bands++;
      if (k >= o.minInBand) consider(binomialTail(k + below(lo) - below(2 * lo - hi), k, 0.5), k, c);
    }
  }
  if (best.k === 0) return { periodic: false, pValue: 1, period: null, inBand: 0, bands };
  const pValue = Math.min(1, best.tail * bands);
  return { periodic: pValue <= o.alpha, pValue, period: Math.round(best.c * 10) / 10, inBand: best.k, bands };
}

/** The intervals one by one, shuffled, as a pair history's ring reads out (with a 0 s interval, which the test leaves out). */
function listed(counts, rnd) {
  const out = [0];
  for (const [v, c] of counts) for (let i = 0; i < c; i++) out.push(v);
  for (let i = out.length - 1; i > 0; i--) {
    const j = rnd.int(0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return Float64Array.from(out);
}

/** A browsing-like pair: a few piles of intervals strewn over seconds to days, with long empty stretches of the grid between them. */
function strewn(rnd) {
  const counts = new Map();
  const piles = rnd.int(1, 6);
  for (let p = 0; p < piles; p++) {
    const centre = Math.exp(rnd.next() * Math.log(600000));
    const size = rnd.int(1, 12);
    for (let i = 0; i < size; i++) {
      const v = Math.max(1, Math.round(centre * (1 + (rnd.next() - 0.5) * 0.2)));
      counts.set(v, (counts.get(v) || 0) + 1);
    }
  }
  return counts;
}

describe('periodicity: interval test against random arrivals', function () {
  it('gives the plain scan’s answers to the last bit, and its quick yes/no (isPeriodic, and isPeriodicSeconds on the intervals listed one by one) agrees, at any alpha (seeded beacons, pollers, mixtures, strewn piles)', function () {
    const rnd = new Random(2026);
    const sets = [];
    for (let i = 0; i < 12; i++) {
      const period = [30, 60, 300, 900, 3600, 21600][i % 6];
      sets.push(intervals(beacon(rnd, { period, jitter: (i % 5) * 0.1, drop: (i % 3) * 0.2, span: Math.max(DAY, period * 40) })));
      sets.push(intervals(poisson(rnd, [45, 300, 1800][i % 3], 3 * DAY)));
      sets.push(intervals([...beacon(rnd, { period: 600, jitter: 0.3 }), ...poisson(rnd, 200 + 40 * i, 3 * DAY)]));
    }
    // tails that underflow to 0 in several bands: ties the band with more intervals must win
    sets.push(intervals(beacon(rnd, { period: 60, jitter: 0.05, span: DAY })), intervals(beacon(rnd, { period: 45, span: DAY })));
    // most bands of the grid empty: the scan jumps over the ones that cannot hold enough intervals
    for (let i = 0; i < 60; i++) sets.push(strewn(rnd));
    const verdicts = new Set();
    for (const counts of sets) {
      const list = listed(counts, rnd);
      const plain = plainScan(counts, DEFAULT_PERIODICITY); // its figures do not depend on alpha, only the verdict does
      for (const alpha of [1e-6, 0.001, 0.01, 0.2, 1]) {
        const o = { ...DEFAULT_PERIODICITY, alpha };
        const want = { ...plain, periodic: plain.inBand > 0 && plain.pValue <= alpha };
        intervalPeriodicity(counts, o).should.match(want);
        isPeriodic(counts, o).should.equal(want.periodic);
        isPeriodicSeconds(Float64Array.from(list), list.length, o).should.equal(want.periodic);
        verdicts.add(`${alpha} ${want.periodic}`);
      }
    }
    // both verdicts at the usual alphas: the agreement is tested on both sides
    verdicts.should.containEql('0.001 true');
    verdicts.should.containEql('0.001 false');
    verdicts.should.containEql('0.01 false');
  });

  it('binomial tail: exact small cases and the far tail without underflow to a wrong value', function () {
    binomialTail(4, 4, 0.5).should.be.approximately(1 / 16, 1e-12);
    binomialTail(4, 2, 0.5).should.be.approximately(11 / 16, 1e-12);
    binomialTail(10, 0, 0.3).should.equal(1);
    binomialTail(10, 11, 0.3).should.equal(0);
    binomialTail(1000, 1000, 0.1).should.equal(0); // 1e-1000 is below double range
    binomialTail(200, 60, 0.1).should.be.within(1e-16, 1e-13);
  });

  it('random (Poisson) arrivals at mean rates from 30 s to 1 h are not periodic (60 seeded pairs)', function () {
    const rnd = new Random(99);
    const found = [];
    for (const mean of [30, 60, 120, 300, 600, 1800]) {
      for (let k = 0; k < 10; k++) {
        const r = intervalPeriodicity(intervals(poisson(rnd, mean)));
        if (r.periodic) found.push({ mean, r });
      }
    }
    found.should.eql([]);
  });

  it('a day of Poisson arrivals whose rate changes by the hour (a mixture of rates) is not periodic', function () {
    const rnd = new Random(5);
    const times = [];
    for (let h = 0; h < 72; h++) for (const t of poisson(rnd, h % 24 < 8 ? 900 : 45, 3600)) times.push(h * 3600 + t);
    intervalPeriodicity(intervals(times)).periodic.should.be.false();
  });

  const cases = [
    ['30 % dropped callbacks, 300 s, 20 % jitter', { period: 300, jitter: 0.2, drop: 0.3 }],
    ['50 % dropped callbacks, 60 s, 10 % jitter', { period: 60, jitter: 0.1, drop: 0.5 }],
    ['working hours only (09-17 h), 300 s, 10 % jitter', { period: 300, jitter: 0.1, hours: [9, 17] }],
    ['6 h sleeps over 3 days, 10 % jitter (12 calls)', { period: 21600, jitter: 0.1 }],
    ['one-sided jitter of 80 %, 300 s', { period: 300, jitter: 0.8 }],
    ['upward absolute jitter, 60 s + U[0, 30) s', { period: 60, upward: 30 }],
    ['alternating retries, 9 s / 14 s for 3 h', { period: 9, alternate: [9, 14], span: 3 * 3600 }],
  ];
  for (const [name, spec] of cases) {
    it(`periodic: ${name}`, function () {
      const r = intervalPeriodicity(intervals(beacon(new Random(name.length), spec)));
      r.periodic.should.be.true();
      r.pValue.should.be.belowOrEqual(DEFAULT_PERIODICITY.alpha);
    });
  }

  it('a beacon sharing its pair with random connections (mean 600 s) is found, near its sleep', function () {
    const rnd = new Random(12);
    const r = intervalPeriodicity(intervals([...beacon(rnd, { period: 300, jitter: 0.05 }), ...poisson(rnd, 600, 3 * DAY)]));
    r.periodic.should.be.true();
    r.period.should.be.within(270, 330);
    r.share.should.be.below(0.5); // most intervals are broken by the random connections
  });

  it('too few intervals, only zero intervals, or none: not periodic, p-value 1', function () {
    intervalPeriodicity(new Map([[300, 5]])).should.match({ periodic: false, pValue: 1 });
    intervalPeriodicity({ 0: 40 }).should.match({ periodic: false, pValue: 1 });
    intervalPeriodicity({}).should.match({ periodic: false, pValue: 1, period: null });
  });

  it('accepts a DeltaCounts object as the histogram writes it, and reports the band and the comparisons made', function () {
    const r = intervalPeriodicity({ 299: 10, 300: 20, 301: 10, 17: 1 });
    r.periodic.should.be.true();
    r.band[0].should.be.belowOrEqual(299);
    r.band[1].should.be.above(301);
    r.inBand.should.equal(40);
    r.bands.should.be.above(100);
    should(r.share).be.approximately(40 / 41, 1e-9);
  });
});
