'use strict';
/**
 * The delta's parsed times handed to the histogram (core/batch/released-times):
 * invisible on every output, and only a hint — for any records through the
 * delta, with any of them changed after release (times rewritten, deleted,
 * made garbage, swapped between records, the array emptied or reordered),
 * the histogram fed the released array gives exactly the rows, late records,
 * errors and counts it gives for plain copies of the same records.
 */
const fc = require('fast-check');
const should = require('should');
const sinon = require('sinon');
const { DeltaTracker, newDeltaOutput, WIREDATA_DELTA } = require('../../../core/delta');
const { HistogramAggregator, newHistogramOutput, WIREDATA_HISTOGRAM } = require('../../../core/histogram');
const { releasedTimesOf, holdsNotedTimes } = require('../../../core/batch/released-times');

const START = Date.UTC(2024, 4, 8, 10, 0, 0);
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', '.0000000Z');

function released(records) {
  const t = new DeltaTracker({ ...WIREDATA_DELTA, latenessSeconds: 60 });
  const out = newDeltaOutput();
  t.addBatch(records, out);
  t.flush(out);
  return out.released;
}

function histogramOf(records, options) {
  const h = new HistogramAggregator(options);
  const out = newHistogramOutput();
  h.addBatch(records, out);
  h.flush(out);
  return { out, counts: h.counts };
}

const recordArb = fc.record({
  offset: fc.integer({ min: 0, max: 3 * 3600 }),
  LocalIP: fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3'),
  RemoteIP: fc.constantFrom('8.8.8.8', '9.9.9.9'),
});
const changeArb = fc.record({
  at: fc.nat(),
  how: fc.constantFrom('time', 'next', 'delete', 'garbage', 'swap', 'same-text', 'number'),
});

describe('core/batch/released-times: the delta\'s times handed to the histogram', function () {
  it('hang on the released array out of sight: JSON, keys and a structured clone leave them out', function () {
    const rs = released([0, 60, 120, 180].map((s, i) => ({ n: i, LocalIP: '10.0.0.1', RemoteIP: '8.8.8.8', TimeGenerated: iso(START + s * 1000) })));
    rs.length.should.equal(3);
    const t = releasedTimesOf(rs, 'TimeGenerated', 'nextTimeGenerated');
    should(t).not.be.null();
    t.sec.should.eql([0, 60, 120].map((s) => START / 1000 + s));
    t.nextSec.should.eql([60, 120, 180].map((s) => START / 1000 + s));
    Object.keys(rs).should.eql(['0', '1', '2']);
    JSON.stringify(rs).should.equal(JSON.stringify(rs.slice()));
    should(releasedTimesOf(structuredClone(rs), 'TimeGenerated', 'nextTimeGenerated')).be.null();
    should(releasedTimesOf(rs.slice(), 'TimeGenerated', 'nextTimeGenerated')).be.null();
    should(releasedTimesOf(rs, 'Time', 'nextTimeGenerated')).be.null();
    holdsNotedTimes(t, 0, rs[0]).should.be.true();
    rs[0].TimeGenerated = iso(START + 1000);
    holdsNotedTimes(t, 0, rs[0]).should.be.false();
  });

  it('spare the histogram two time parses per record it can trust', function () {
    const rs = released(Array.from({ length: 50 }, (_, i) => ({ LocalIP: '10.0.0.1', RemoteIP: '8.8.8.8', TimeGenerated: iso(START + i * 60_000) })));
    const timed = sinon.spy(HistogramAggregator.prototype, 'addTimed');
    const add = sinon.spy(HistogramAggregator.prototype, 'add');
    try {
      histogramOf(rs, WIREDATA_HISTOGRAM);
      add.callCount.should.equal(0);
      timed.callCount.should.equal(rs.length);
    } finally {
      sinon.restore();
    }
  });

  it('never change a result: records changed after release give the histogram of their plain copies', function () {
    fc.assert(fc.property(fc.array(recordArb, { minLength: 2, maxLength: 120 }), fc.array(changeArb, { maxLength: 8 }), fc.constantFrom('none', 'empty-refill', 'reverse'), fc.boolean(),
      (arbs, changes, reshape, certain) => {
        const rs = released(arbs.sort((a, b) => a.offset - b.offset).map((a, i) => ({ n: i, LocalIP: a.LocalIP, RemoteIP: a.RemoteIP, TimeGenerated: iso(START + a.offset * 1000) })));
        if (rs.length === 0) return;
        for (const c of changes) {
          const r = rs[c.at % rs.length];
          const other = rs[(c.at + 1) % rs.length];
          if (c.how === 'time') r.TimeGenerated = iso(START + (c.at % 7200) * 1000);
          else if (c.how === 'next') r.nextTimeGenerated = iso(START + (c.at % 9000) * 1000);
          else if (c.how === 'delete') delete r.TimeGenerated;
          else if (c.how === 'garbage') r.nextTimeGenerated = 'not a time';
          else if (c.how === 'swap') [r.TimeGenerated, other.TimeGenerated] = [other.TimeGenerated, r.TimeGenerated];
          else if (c.how === 'same-text') r.TimeGenerated = `${r.TimeGenerated}`.slice(0) + '';
          else r.TimeGenerated = START + (c.at % 7200) * 1000;
        }
        if (reshape === 'reverse') rs.reverse();
        if (reshape === 'empty-refill') { const keep = rs.splice(0); rs.push(...keep.slice(1)); }
        const options = { ...WIREDATA_HISTOGRAM, closeAfterSeconds: 0, ...(certain ? { certainAfterSeconds: 300, certainKeyFields: ['LocalIP'] } : {}) };
        const fast = histogramOf(rs, options);
        const plain = histogramOf(rs.map((r) => ({ ...r })), options);
        should(fast.out.rows).eql(plain.out.rows);
        should(fast.out.late.map((r) => r.n)).eql(plain.out.late.map((r) => r.n));
        should(fast.out.errors.map((e) => e.message)).eql(plain.out.errors.map((e) => e.message));
        should(fast.counts).eql(plain.counts);
      }), { numRuns: 300 });
  });
});
