'use strict';
/**
 * The delta's guard against records dated far ahead: one forged line must
 * not move the watermark for everybody, and a real jump (a busy stream
 * moving on, a quiet one resuming) must give exactly what it gives without
 * the guard.
 */
const fc = require('fast-check');
const should = require('should');
const { DeltaTracker, newDeltaOutput, WIREDATA_DELTA, FUTURE_QUORUM, FUTURE_RUN, MAX_HELD } = require('../../dist/core/delta/delta');

const T0 = Date.UTC(2024, 0, 1, 10, 0, 0);
const at = (s) => new Date(T0 + s * 1000).toISOString();
const rec = (s, ip = '10.0.0.1', extra = {}) => ({ TimeGenerated: at(s), LocalIP: ip, RemoteIP: '8.8.8.8', RemotePortNumber: 443, ...extra });
const FORGED = () => ({ TimeGenerated: '2099-12-31T00:00:00Z', LocalIP: '10.0.0.1', RemoteIP: '8.8.8.8', RemotePortNumber: 443 });

function run(records, options = {}, { flush = true, batches = 0 } = {}) {
  const tracker = new DeltaTracker({ ...WIREDATA_DELTA, latenessSeconds: 60, ...options });
  const out = newDeltaOutput();
  if (batches > 0) for (let i = 0; i < records.length; i += batches) tracker.addBatch(records.slice(i, i + batches), out);
  else for (const r of records) tracker.add(r, out);
  if (flush) tracker.flush(out);
  return { tracker, out };
}
const pairs = (out) => out.released.map((r) => `${r.LocalIP} ${r.TimeGenerated} +${r.TimeDeltainSeconds}`);

describe('core/delta: records dated far ahead of the watermark', function () {
  /** two hosts every 30 s, arriving up to 40 s out of order (within the 60 s lateness) */
  const feed = () => {
    const out = [];
    for (let i = 0; i < 200; i++) out.push(rec(i * 30 + (i % 4 === 1 ? 70 : 0), i % 2 ? '10.0.0.1' : '10.0.0.2'));
    return out;
  };

  it('a line dated 2099 moves nothing: the others give exactly what they give without it, and it is counted and handed out marked', function () {
    const clean = run(feed(), { futureToleranceSeconds: 900 });
    const withForged = feed();
    withForged.splice(50, 0, FORGED());
    const guarded = run(withForged, { futureToleranceSeconds: 900 }, { flush: false });
    // held apart while the feed goes on: nothing late, the watermark stays on the feed's time
    guarded.tracker.heldCount.should.equal(1);
    guarded.tracker.counts.ahead.should.equal(1);
    // the feed moved on by more than the tolerance since: worth a warning
    guarded.tracker.staleHeldCount.should.equal(1);
    guarded.tracker.watermarkTime.sec.should.be.below(Date.UTC(2025, 0, 1) / 1000);
    guarded.out.late.should.be.empty();
    guarded.tracker.flush(guarded.out);
    pairs(guarded.out).should.eql(pairs(clean.out));
    guarded.out.late.should.eql([{ ...FORGED(), LateReason: 'ahead' }]);
    guarded.tracker.counts.aheadGivenUp.should.equal(1);
    guarded.tracker.heldCount.should.equal(0);
    // without the guard the same line sends the reordered records of the feed to the late list
    const unguarded = run(withForged, { futureToleranceSeconds: 0 });
    unguarded.out.late.length.should.be.above(20);
  });

  it('a real jump confirmed by records of several keys goes in as if the guard were not there', function () {
    const records = [rec(0, 'a'), rec(30, 'b'), rec(60, 'c')];
    // an hour's gap, then all three keys carry on
    for (let i = 0; i < 20; i++) records.push(rec(3600 + i * 20, ['a', 'b', 'c'][i % 3]));
    const guarded = run(records, { futureToleranceSeconds: 900 }, { flush: false });
    guarded.tracker.heldCount.should.equal(0);
    guarded.tracker.staleHeldCount.should.equal(0);
    guarded.tracker.counts.ahead.should.equal(FUTURE_QUORUM);
    guarded.tracker.flush(guarded.out);
    pairs(guarded.out).should.eql(pairs(run(records).out));
    guarded.out.late.should.be.empty();
  });

  it('a quiet source of its own resuming after a pause is confirmed by its run of records in time order', function () {
    const records = [];
    for (let i = 0; i < 10; i++) records.push(rec(i * 60));
    for (let i = 0; i < 10; i++) records.push(rec(7200 + i * 3600)); // then hourly: every record a jump
    const guarded = run(records, { futureToleranceSeconds: 900 }, { flush: false });
    // all but the last records short of a run are in
    guarded.tracker.heldCount.should.be.below(FUTURE_RUN);
    guarded.tracker.flush(guarded.out);
    const kept = records.length - guarded.out.late.length;
    pairs(guarded.out).should.eql(pairs(run(records.slice(0, kept)).out));
    guarded.out.late.every((r) => r.LateReason === 'ahead').should.be.true();
  });

  it('a forged run broken by records of the old time never confirms', function () {
    const records = [];
    for (let i = 0; i < 100; i++) {
      records.push(rec(i * 10, i % 2 ? '10.0.0.1' : '10.0.0.2'));
      if (i % 7 === 3) records.push({ ...FORGED(), TimeGenerated: new Date(Date.UTC(2099, 0, 1) + i * 1000).toISOString() });
    }
    const { out, tracker } = run(records, { futureToleranceSeconds: 900 });
    tracker.counts.ahead.should.equal(14);
    out.late.length.should.equal(14);
    pairs(out).should.eql(pairs(run(records.filter((r) => !r.TimeGenerated.startsWith('2099'))).out));
  });

  it('after a start or a reset the first line alone does not set the watermark', function () {
    const records = [FORGED(), ...feed()];
    const { out, tracker } = run(records, { futureToleranceSeconds: 900 });
    tracker.counts.aheadGivenUp.should.equal(1);
    out.late.should.eql([{ ...FORGED(), LateReason: 'ahead' }]);
    pairs(out).should.eql(pairs(run(feed()).out));
    // a lone record (nothing to contradict it) goes in at the flush
    run([rec(0)], { futureToleranceSeconds: 900 }).tracker.counts.aheadGivenUp.should.equal(0);
  });

  it('holds at most MAX_HELD records; the longest held leaves first, marked', function () {
    const records = [rec(0), rec(10, '10.0.0.2')];
    for (let i = 0; i < MAX_HELD + 5; i++) records.push({ ...FORGED(), LocalIP: 'x', TimeGenerated: new Date(Date.UTC(2099, 0, 1) - i * 1000).toISOString() });
    const { out, tracker } = run(records, { futureToleranceSeconds: 900 }, { flush: false });
    tracker.heldCount.should.equal(MAX_HELD);
    out.late.length.should.equal(5);
    out.late[0].TimeGenerated.should.equal(records[2].TimeGenerated);
  });

  it('keeps held records across a snapshot and forgets them on reset', function () {
    const { tracker } = run([rec(0), FORGED(), rec(10, '10.0.0.2')], { futureToleranceSeconds: 900 }, { flush: false });
    const copy = new DeltaTracker({ ...WIREDATA_DELTA, latenessSeconds: 60, futureToleranceSeconds: 900 });
    copy.restore(JSON.parse(JSON.stringify(tracker.snapshot())));
    copy.heldCount.should.equal(1);
    const out = newDeltaOutput();
    copy.flush(out);
    out.late.map((r) => r.LateReason).should.eql(['ahead']);
    tracker.reset();
    tracker.heldCount.should.equal(0);
  });

  it('a record held forever (a forged line) leaves batches on the fast path', function () {
    const sinon = require('sinon');
    const deltaBatch = require('../../dist/core/delta/delta-batch');
    const tracker = new DeltaTracker({ ...WIREDATA_DELTA, latenessSeconds: 60, futureToleranceSeconds: 900 });
    const out = newDeltaOutput();
    tracker.addBatch([rec(0), rec(1, '10.0.0.2'), FORGED(), rec(2)], out);
    tracker.heldCount.should.equal(1);
    const reader = sinon.spy(deltaBatch, 'sortedRunOf');
    try {
      for (let b = 1; b <= 5; b++)
        tracker.addBatch(
          Array.from({ length: 50 }, (_, i) => rec(b * 100 + i, `10.0.0.${i % 3}`)),
          out,
        );
      reader.callCount.should.equal(5);
      reader.returnValues.every((r) => r !== null).should.be.true();
    } finally {
      reader.restore();
    }
    tracker.heldCount.should.equal(1);
    out.late.should.be.empty();
  });

  it('rejects a negative or non-finite tolerance', function () {
    for (const bad of [-1, NaN, Infinity]) should.throws(() => new DeltaTracker({ ...WIREDATA_DELTA, futureToleranceSeconds: bad }), /future tolerance/);
  });

  it('property: on traffic with jumps and forged lines, one by one or in batches, the guard only takes out what nothing confirmed', function () {
    const traffic = fc.record({
      keys: fc.integer({ min: 1, max: 5 }),
      steps: fc.array(fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 3 * 3600 })), { minLength: 5, maxLength: 120 }),
      forged: fc.array(fc.nat(), { maxLength: 4 }),
      disorder: fc.integer({ min: 0, max: 60 }),
      seed: fc.nat(),
      batch: fc.constantFrom(0, 0, 7, 50),
    });
    fc.assert(
      fc.property(traffic, ({ keys, steps, forged, disorder, seed, batch }) => {
        let t = 0;
        let x = seed;
        const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
        const records = steps.map((step, i) => {
          t += step;
          // arrival disorder within the lateness: a record's time may lie up to `disorder` s before the one before it
          return rec(Math.max(0, t - Math.floor(next() * disorder)), `10.0.0.${i % keys}`, { n: i });
        });
        // single forged lines: never first, years apart and each dated before the one sent earlier (several
        // forged lines in time order make a run, which is the documented limit of the guard)
        const spots = [...new Set(forged.map((f) => 1 + (f % records.length)))].sort((a, b) => b - a);
        spots.forEach((spot, k) =>
          records.splice(spot, 0, {
            ...FORGED(),
            TimeGenerated: `${2099 - 10 * k}-12-31T00:00:00Z`,
            LocalIP: `10.0.0.${spot % keys}`,
            n: -1 - k,
          }),
        );
        const guarded = run(
          records.map((r) => ({ ...r })),
          { futureToleranceSeconds: 900 },
          { batches: batch, flush: false },
        );
        guarded.tracker.flush(guarded.out);
        const givenUp = new Set(guarded.out.late.map((r) => r.n));
        // only what nothing confirmed is late, marked; once the feed has a watermark every forged line is among it
        guarded.out.late.every((r) => r.LateReason === 'ahead').should.be.true();
        spots.forEach((_, k) => givenUp.has(-1 - k).should.equal(true, `forged line ${k}`));
        const kept = records.filter((r) => !givenUp.has(r.n));
        pairs(guarded.out).should.eql(pairs(run(kept.map((r) => ({ ...r }))).out));
      }),
      { numRuns: 300, seed: 20261203 },
    );
  });
});
