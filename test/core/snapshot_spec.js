'use strict';
/**
 * Saved state: a run interrupted at any record, its state saved as JSON and
 * restored into a fresh tracker or aggregator, ends exactly as an
 * uninterrupted run (every released record, every late one, every row).
 */
const fc = require('fast-check');
const should = require('should');
const { DeltaTracker, newDeltaOutput } = require('../../dist/core/delta/delta');
const { HistogramAggregator, newHistogramOutput } = require('../../dist/core/histogram');
const gen = require('../../dist/tools/traffic-generator');

const DELTA = {
  keyFields: ['LocalIP'],
  timeField: 'TimeGenerated',
  tieFields: ['RemoteIP', 'RemotePortNumber'],
  latenessSeconds: 300,
  deltaField: 'TimeDeltainSeconds',
  nextTimeField: 'nextTimeGenerated',
};
const HIST = {
  binSeconds: 3600,
  groupFields: ['LocalIP', 'RemoteIP', 'RemotePortNumber'],
  minDelta: 10,
  sumFields: ['SentBytes', 'ReceivedBytes'],
  closeAfterSeconds: 600,
  timeField: 'TimeGenerated',
  deltaField: 'TimeDeltainSeconds',
  nextTimeField: 'nextTimeGenerated',
};
/** What a file store does to saved state: text and back. */
const throughFile = (snapshot) => JSON.parse(JSON.stringify(snapshot));
const clone = (records) => records.map((r) => ({ ...r }));

function records(seed) {
  return gen.generateRecords({ ...gen.randomScenario(seed, 'wiredata'), disorderSeconds: 200 });
}

function runDelta(input, cutAt, options = DELTA) {
  const out = newDeltaOutput();
  let t = new DeltaTracker(options);
  input.forEach((r, i) => {
    if (i === cutAt) {
      const saved = throughFile(t.snapshot());
      t = new DeltaTracker(options);
      t.restore(saved);
    }
    t.add(r, out);
  });
  t.flush(out);
  return { released: out.released, late: out.late, counts: t.counts };
}

function runHistogram(input, cutAt, options = HIST) {
  const out = newHistogramOutput();
  let h = new HistogramAggregator(options);
  input.forEach((r, i) => {
    if (i === cutAt) {
      const saved = throughFile(h.snapshot());
      h = new HistogramAggregator(options);
      h.restore(saved);
    }
    h.add(r, out);
  });
  h.flush(out);
  return { rows: out.rows, late: out.late, counts: h.counts };
}

describe('saved state (snapshot and restore)', function () {
  it('delta: cut anywhere, restored from JSON, equals the uninterrupted run (200 random datasets)', function () {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.double({ min: 0, max: 1, noNaN: true }), (seed, where) => {
        const input = records(seed);
        const whole = runDelta(clone(input), -1);
        const cut = runDelta(clone(input), Math.floor(where * input.length));
        should(cut.released).eql(whole.released);
        should(cut.late).eql(whole.late);
        should(cut.counts).eql(whole.counts);
      }),
      { numRuns: 200 },
    );
  });

  it('histogram: cut anywhere, restored from JSON, equals the uninterrupted run (200 random datasets)', function () {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.double({ min: 0, max: 1, noNaN: true }), (seed, where) => {
        const deltas = runDelta(records(seed), -1).released;
        const whole = runHistogram(clone(deltas), -1);
        const cut = runHistogram(clone(deltas), Math.floor(where * deltas.length));
        should(cut.rows).eql(whole.rows);
        should(cut.late).eql(whole.late);
        should(cut.counts).eql(whole.counts);
      }),
      { numRuns: 200 },
    );
  });

  it('shares nothing with live state: later changes do not leak into a snapshot taken earlier', function () {
    const t = new DeltaTracker(DELTA);
    const out = newDeltaOutput();
    const r = { TimeGenerated: '2024-01-01T00:00:00Z', LocalIP: '10.0.0.1', RemoteIP: '8.8.8.8' };
    t.add(r, out);
    const saved = t.snapshot();
    t.add({ ...r, TimeGenerated: '2024-01-01T01:00:00Z' }, out);
    t.flush(out);
    should(r.TimeDeltainSeconds).equal(3600);
    const held = [...saved.state.buffered, ...saved.state.probation].map(([, rec]) => rec);
    held.should.have.length(1);
    should(held[0].TimeDeltainSeconds).be.undefined();
  });

  it('refuses state saved under other key or bin settings, and damaged state, leaving the stage empty', function () {
    const t = new DeltaTracker(DELTA);
    t.add({ TimeGenerated: '2024-01-01T00:00:00Z', LocalIP: '10.0.0.1' }, newDeltaOutput());
    const saved = throughFile(t.snapshot());
    const perPair = new DeltaTracker({ ...DELTA, keyFields: ['LocalIP', 'RemoteIP'] });
    should(() => perPair.restore(saved)).throw(/other settings/);
    perPair.keyCount.should.equal(0);
    // lateness is not part of what the state means: it may change across a restart
    const later = new DeltaTracker({ ...DELTA, latenessSeconds: 60 });
    later.restore(saved);
    later.bufferedCount.should.equal(1);

    const damaged = throughFile(saved);
    damaged.state.buffered[0][1].TimeGenerated = 'not a time';
    const fresh = new DeltaTracker(DELTA);
    should(() => fresh.restore(damaged)).throw(/damaged/);
    fresh.bufferedCount.should.equal(0);
    for (const junk of [null, 42, 'text', { format: 'other' }, { ...saved, version: 2 }]) {
      should(() => new DeltaTracker(DELTA).restore(junk)).throw();
    }

    const h = new HistogramAggregator(HIST);
    const hs = throughFile(h.snapshot());
    should(() => new HistogramAggregator({ ...HIST, binSeconds: 86400 }).restore(hs)).throw(/other settings/);
    should(() => new HistogramAggregator(HIST).restore(saved)).throw(/delta stage/);
  });
});
