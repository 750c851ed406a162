'use strict';
/**
 * RITA v5's beacon statistics, held to the golden vectors of its own unit
 * tests (activecm/rita analysis/beacons_test.go, listed in
 * RITA's published scoring), and Flare's jitter band.
 */
const should = require('should');
const s = require('../../dist/core/scorer/stats');

describe('core/stats (RITA v5 beacon score, Flare band)', function () {
  it('timestamp score, closely-valued intervals 98…102: skew 0, MAD 1, score 0.995', function () {
    const d = [98, 99, 99, 100, 100, 100, 101, 101, 102];
    s.bowleyScore(d).should.equal(1);
    s.timestampScore(d).should.equal(0.995);
  });

  it('timestamp score, bi-modal intervals 98/300: quartiles {98, 199, 300}, skew forced 0, MAD 101, score 0.746', function () {
    const d = [98, 300, 98, 300, 98, 300, 98, 300, 98, 300];
    s.quartiles(d).should.eql({ q1: 98, q2: 199, q3: 300 });
    s.bowleyScore(d).should.equal(1);
    s.timestampScore(d).should.equal(0.746);
  });

  it('timestamp score, random intervals: Q1 13.5, Q2 90, Q3 1000, skew 0.845, MAD 89, score 0.083', function () {
    const d = [1, 299, 25, 4975, 90, 2, 42, 500, 1500];
    s.quartiles(d).should.eql({ q1: 13.5, q2: 90, q3: 1000 });
    (1 - s.bowleyScore(d)).should.be.approximately(0.845, 0.0005);
    s.timestampScore(d).should.equal(0.083);
  });

  it('timestamp score, perfect intervals (10 timestamps 60 s apart): 1; too few intervals: none', function () {
    s.timestampScore(new Array(9).fill(60)).should.equal(1);
    should(s.timestampScore([60, 60])).be.null();
    should(s.timestampScore([60, 0, 0, 60])).be.null(); // zero intervals do not count
  });

  it('data size score: 1…10 gives 0.773, nine × 60 gives 1, fewer than 3 values none', function () {
    s.dataSizeScore([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).should.equal(0.773);
    s.dataSizeScore(new Array(9).fill(60)).should.equal(1);
    should(s.dataSizeScore([1, 2])).be.null();
  });

  it('histogram score: 24 regular hourly bars give 1; bars [1,0,2,0,3,0,2,1] give the CV score 0.064', function () {
    s.histogramScore(new Array(24).fill(1)).should.equal(1);
    s.histogramScore([1, 0, 2, 0, 3, 0, 2, 1]).should.equal(0.064);
  });

  it('histogram score: a bimodal day (bars of 10 and 30) fits two buckets', function () {
    const bars = Array.from({ length: 24 }, (_, i) => (i % 2 ? 10 : 30));
    // CV = 0.5 → 0.5; bimodal fit (12 + 12) / (24 − 1) capped at 1
    s.histogramScore(bars).should.equal(1);
  });

  it('duration score: full coverage is 1; a 6-hour run in a day is 0.5 by consistency; under 6 bars 0', function () {
    const day = 86400;
    s.durationScore(0, day, 0, day, new Array(24).fill(1)).should.equal(1);
    const six = Array.from({ length: 24 }, (_, i) => (i >= 3 && i < 9 ? 5 : 0));
    s.durationScore(3 * 3600, 9 * 3600 - 1, 0, day, six).should.equal(0.5);
    // a run across midnight wraps
    const wrap = Array.from({ length: 24 }, (_, i) => (i < 3 || i >= 21 ? 5 : 0));
    s.durationScore(0, day, 0, day, wrap).should.be.aboveOrEqual(0.5);
    s.durationScore(0, 3600, 0, day, [1, 1, 1, 1, 1, 0]).should.equal(0);
  });

  it('combined score: weighted sum to 3 decimals', function () {
    s.combinedScore({ timestamp: 0.921, dataSize: 0.995, duration: 1, histogram: 1 }).should.equal(0.979);
  });

  it('Flare band: ±10 % catches a one-sided 20 % jittered beacon whose modal second is rare', function () {
    const counts = new Map();
    for (let d = 48; d <= 60; d++) counts.set(d, 10); // uniform 48…60 s
    s.windowShare(counts, 0, 10).share.should.be.above(0.8); // 48…58 of 48…60
    s.windowShare(counts, 0, 12).share.should.equal(1);
    s.windowShare(counts, 0, 0).share.should.be.below(0.1);
    s.windowShare({ 60: 19, 61: 1 }, 2, 0).share.should.equal(1);
    s.windowShare({}, 2, 10).should.eql({ share: 0, center: null });
  });
});
