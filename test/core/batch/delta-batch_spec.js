'use strict';
/**
 * The delta's batch path (core/batch) against the record-by-record path:
 * for any records cut into any batches, addBatch gives the same released
 * records (same fields, same values, same order), the same late records
 * and errors, and the same state afterwards — in order, disordered within
 * and beyond the lateness, with bad records, and under the caps.
 */
const fc = require('fast-check');
const should = require('should');
const sinon = require('sinon');
const deltaBatch = require('../../../dist/core/delta/delta-batch');
const { DeltaTracker, newDeltaOutput, WIREDATA_DELTA } = require('../../../dist/core/delta/delta');

const START = Date.UTC(2024, 4, 8, 10, 59, 0);

const recordArb = fc.record({
  offset: fc.integer({ min: 0, max: 900 }),
  fraction: fc.constantFrom(0, 0, 0.5, 0.9999999),
  LocalIP: fc.constantFrom('10.0.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.3', undefined, 7),
  RemoteIP: fc.constantFrom('8.8.8.8', '9.9.9.9', '10.0.0.10', undefined),
  RemotePortNumber: fc.constantFrom(443, 80, 0, undefined, '443'),
  form: fc.constantFrom('iso', 'iso', 'iso', 'ms', 'offset', 'bad'),
});

function toRecord(a, i) {
  const ms = START + a.offset * 1000 + Math.round(a.fraction * 1000);
  let time;
  if (a.form === 'ms') time = ms;
  else if (a.form === 'offset') time = new Date(ms + 3600_000).toISOString().replace('Z', '+01:00');
  else if (a.form === 'bad') time = i % 2 ? 'garbage' : undefined;
  else time = `${new Date(START + a.offset * 1000).toISOString().slice(0, 19)}.${String(Math.round(a.fraction * 1e7)).padStart(7, '0')}Z`;
  const r = { n: i, TimeGenerated: time };
  for (const k of ['LocalIP', 'RemoteIP', 'RemotePortNumber']) if (a[k] !== undefined) r[k] = a[k];
  return r;
}

/** Cuts records into batches of the given sizes (cycled). */
function cut(records, sizes) {
  const batches = [];
  for (let i = 0, k = 0; i < records.length; k++) {
    const size = sizes[k % sizes.length];
    batches.push(records.slice(i, i + size));
    i += size;
  }
  return batches;
}

const view = (out) => ({
  released: out.released.map((r) => JSON.stringify(r)),
  late: out.late.map((r) => JSON.stringify(r)),
  errors: out.errors.map((e) => e.message),
});

/** State as data; buffered events sorted by arrival (a heap and sorted runs keep them in different layouts). */
function state(tracker) {
  const s = tracker.snapshot().state;
  s.buffered.sort((a, b) => a[0] - b[0]);
  return s;
}

function both(records, sizes, options, { flushEvery = 0 } = {}) {
  const one = new DeltaTracker({ ...WIREDATA_DELTA, ...options });
  const many = new DeltaTracker({ ...WIREDATA_DELTA, ...options });
  const a = newDeltaOutput();
  const b = newDeltaOutput();
  const copies = records.map((r) => ({ ...r }));
  cut(records, sizes).forEach((batch, k) => {
    for (const r of batch) one.add(r, a);
    many.addBatch(cut(copies, sizes)[k], b);
    if (flushEvery && k % flushEvery === flushEvery - 1) {
      one.flush(a);
      many.flush(b);
    }
    should(state(many)).deepEqual(state(one));
  });
  one.flush(a);
  many.flush(b);
  should(view(b)).deepEqual(view(a));
  should(state(many)).deepEqual(state(one));
  return a;
}

describe('core/batch: the delta batch path equals record by record', function () {
  it('on random records in any batches, with lateness, disorder, bad records and caps (property)', function () {
    let released = 0;
    let late = 0;
    const reader = sinon.spy(deltaBatch, 'sortedRunOf');
    fc.assert(
      fc.property(
        fc.array(recordArb, { minLength: 0, maxLength: 120, size: 'max' }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(0, 0.5, 30, 300),
        fc.constantFrom(0, 0, 2, 5),
        fc.constantFrom(0, 0, 3, 30),
        fc.boolean(),
        fc.constantFrom(0, 0, 2),
        (arbs, sizes, lateness, maxKeys, maxBuffered, sorted, flushEvery) => {
          let records = arbs.map(toRecord);
          if (sorted)
            records = records
              .filter((r) => typeof r.TimeGenerated === 'string' && r.TimeGenerated.endsWith('Z'))
              .sort((x, y) => (x.TimeGenerated < y.TimeGenerated ? -1 : 1));
          const out = both(records, sizes, { latenessSeconds: lateness, maxKeys, maxBuffered }, { flushEvery });
          released += out.released.length;
          late += out.late.length;
        },
      ),
      { numRuns: 400, seed: 20261201 },
    );
    // not vacuous: both paths released and rejected records
    released.should.be.above(1000);
    late.should.be.above(10);
    // and batches took the fast path, sorted or not
    reader.returnValues.filter(Boolean).length.should.be.above(100);
    reader.returnValues.filter((r) => r && r.run.seq.some((q, i) => i > 0 && q < r.run.seq[i - 1])).length.should.be.above(10);
    reader.restore();
  });

  it('takes the fast path for an in-order batch: one sorted run, released at once', function () {
    const t = new DeltaTracker({ ...WIREDATA_DELTA, latenessSeconds: 60 });
    const out = newDeltaOutput();
    const at = (s) => new Date(START + s * 1000).toISOString();
    t.addBatch(
      [0, 30, 90, 120, 200].map((s) => ({ TimeGenerated: at(s), LocalIP: 'a', RemoteIP: '8.8.8.8' })),
      out,
    );
    // released: events before 200 − 60 = 140, each paired with its successor
    out.released.map((r) => r.TimeDeltainSeconds).should.eql([30, 60, 30]);
    t.bufferedCount.should.equal(1);
    t.counts.seen.should.equal(5);
  });
});
