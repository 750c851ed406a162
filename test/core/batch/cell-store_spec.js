'use strict';
/**
 * The histogram's columnar cell store (core/batch/cell-store) against a
 * model made of Maps keyed by keyOf: for any records (strings, numbers,
 * NaN, −0, missing, null, booleans, objects as group values) opened in any
 * windows, with windows released in any order between them, a record finds
 * the same cell exactly when keyOf and the window agree; a cell keeps the
 * first record's values, its delta counts in first-seen order and as the
 * sorted DeltaCounts object, and freed cells and groups are reused without
 * mixing state.
 */
const fc = require('fast-check');
const should = require('should');
const { CellStore } = require('../../../dist/core/histogram/cell-store');
const { keyOf } = require('../../../dist/core/common/records');

const FIELDS = ['LocalIP', 'RemoteIP', 'RemotePortNumber'];

const valueArb = fc.constantFrom(
  '10.0.0.1',
  '10.0.0.2',
  '',
  '\u0001n443',
  'a\u0000b',
  '443',
  443,
  80,
  0,
  -0,
  NaN,
  1.5,
  2 ** 40,
  -7,
  undefined,
  null,
  true,
  false,
  { a: 1 },
);
const recordArb = fc.record({ LocalIP: valueArb, RemoteIP: valueArb, RemotePortNumber: valueArb, start: fc.constantFrom(0, 3600, 7200) });
/** a step: add a record with a delta, or release one window */
const stepArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ add: recordArb, delta: fc.constantFrom(60, 60, 61, 120, 0, 3.5) }) },
  { weight: 1, arbitrary: fc.record({ release: fc.constantFrom(0, 3600, 7200) }) },
);

function withoutUndefined(a) {
  const r = {};
  for (const f of FIELDS) if (a[f] !== undefined) r[f] = a[f];
  return r;
}

/** A window's cells, in opening order (the order rows leave in), hold what the model says: a wrong cell found would show here. */
function checkBin(store, start, model) {
  const cells = store.bins.get(start) ?? [];
  should(cells.length).equal(model.size);
  should(new Set(cells).size).equal(cells.length);
  [...model.values()].forEach((m, i) => {
    const cell = cells[i];
    should(store.start[cell]).equal(start);
    should(store.groupValues(cell)).eql(m.values);
    should(store.total[cell]).equal(m.total);
    should(store.deltaPairs(cell)).eql([...m.pairs]);
    const sorted = [...m.pairs].sort((a, b) => a[0] - b[0]);
    const counts = store.deltaCounts(cell);
    // as an object built in ascending order: JS lists whole-number keys first, so {"3.5":1,"60":1} lists 60 first
    const expected = {};
    for (const [k, c] of sorted) expected[String(k)] = c;
    should(Object.keys(counts)).eql(Object.keys(expected));
    should(Object.values(counts)).eql(Object.values(expected));
  });
}

describe('cell store (columnar histogram cells)', () => {
  it('finds the same cell exactly when keyOf and the window agree, across releases and reuse', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 500 }), (steps) => {
        const store = new CellStore(FIELDS, 1);
        /** model: window → key → { cell, values, pairs: Map, total } */
        const model = new Map();
        for (const step of steps) {
          if (step.release !== undefined) {
            const open = model.get(step.release) ?? new Map();
            checkBin(store, step.release, open);
            const cells = store.takeBin(step.release);
            should(cells.length).equal(open.size);
            store.release(cells); // may renumber the other cells (columns shrink after a flood)
            model.delete(step.release);
            continue;
          }
          const record = withoutUndefined(step.add);
          const start = step.add.start;
          const key = keyOf(record, FIELDS);
          const cell = store.cellOf(record, start);
          if (!model.has(start)) model.set(start, new Map());
          const m = model.get(start).get(key);
          should(store.opened).equal(!m);
          if (!m) model.get(start).set(key, { values: FIELDS.map((f) => record[f] ?? null), pairs: new Map(), total: 0 });
          const entry = model.get(start).get(key);
          store.countDelta(cell, step.delta);
          store.total[cell]++;
          entry.pairs.set(step.delta, (entry.pairs.get(step.delta) ?? 0) + 1);
          entry.total++;
        }
        let open = 0;
        for (const [start, cells] of model) {
          checkBin(store, start, cells);
          open += cells.size;
        }
        should(store.size).equal(open);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps thousands of groups apart and finds them again after half are released (hash table growth and deletion)', () => {
    const store = new CellStore(['LocalIP', 'RemotePortNumber'], 0);
    const cells = new Map();
    for (let i = 0; i < 5000; i++) {
      const start = i % 2 === 0 ? 0 : 3600;
      const record = { LocalIP: `10.0.${i >> 8}.${i & 255}`, RemotePortNumber: i % 7 };
      cells.set(i, store.cellOf(record, start));
      should(store.opened).be.true();
    }
    store.release(store.takeBin(0));
    should(store.size).equal(2500);
    for (let i = 1; i < 5000; i += 2) {
      should(store.cellOf({ LocalIP: `10.0.${i >> 8}.${i & 255}`, RemotePortNumber: i % 7 }, 3600)).equal(cells.get(i));
      should(store.opened).be.false();
    }
    // released groups open fresh, zeroed cells
    const again = store.cellOf({ LocalIP: '10.0.0.0', RemotePortNumber: 0 }, 0);
    should(store.opened).be.true();
    should(store.total[again]).equal(0);
    should(store.distinct[again]).equal(0);
  });

  it('shrinks its columns and group table after a flood, keeping every open cell and its counts', () => {
    const store = new CellStore(['LocalIP', 'RemotePortNumber'], 1);
    for (let i = 0; i < 5000; i++) store.cellOf({ LocalIP: `10.9.${i >> 8}.${i & 255}`, RemotePortNumber: 1 }, 0); // the flood
    const kept = [];
    for (let i = 0; i < 100; i++) {
      const record = { LocalIP: `10.0.0.${i}`, RemotePortNumber: i % 3 === 0 ? 443 : '443' };
      for (const delta of [60, 60, 61, 62 + (i % 5)]) {
        const cell = store.cellOf(record, 3600);
        store.countDelta(cell, delta);
        store.total[cell]++;
        store.sums[cell] += i;
      }
      kept.push(record);
    }
    // the sources of the first 50 also have a cell in the flood's window: their groups outlive it
    for (let i = 0; i < 50; i++) store.cellOf(kept[i], 0);
    const before = store.start.length;
    store.release(store.takeBin(0));
    should(store.size).equal(100);
    should(store.start.length).be.below(before / 4);
    kept.forEach((record, i) => {
      const cell = store.cellOf(record, 3600);
      should(store.opened).be.false();
      should(store.groupValues(cell)).eql([record.LocalIP, record.RemotePortNumber]);
      should(store.total[cell]).equal(4);
      should(store.sums[cell]).equal(4 * i);
      should(store.deltaPairs(cell)).eql([
        [60, 2],
        [61, 1],
        [62 + (i % 5), 1],
      ]);
    });
    should(store.bins.get(3600).map((c) => store.groupValue(c, 0))).eql(kept.map((r) => r.LocalIP));
    // new groups and cells after the shrink do not collide with the kept ones
    const fresh = store.cellOf({ LocalIP: '10.1.1.1', RemotePortNumber: 443 }, 3600);
    should(store.opened).be.true();
    should(store.total[fresh]).equal(0);
    should(store.size).equal(101);
  });
  it('gives the same rows whatever hash seed the process drew (the seed only places groups in the table)', () => {
    // two fresh copies of the core, loaded while Math.random returns different values
    const coreDir = require('path').resolve(__dirname, '../../../dist/core');
    // the copies come and go; the modules the rest of the suite (and the nodes) loaded are put back
    const shared = Object.fromEntries(Object.entries(require.cache).filter(([id]) => id.startsWith(coreDir)));
    const loadWithRandom = (value) => {
      for (const id of Object.keys(require.cache)) if (id.startsWith(coreDir)) delete require.cache[id];
      const random = Math.random;
      Math.random = () => value;
      try {
        return require('../../../dist/core/histogram');
      } finally {
        Math.random = random;
        for (const id of Object.keys(require.cache)) if (id.startsWith(coreDir)) delete require.cache[id];
        Object.assign(require.cache, shared);
      }
    };
    const rowsOf = (histogram) => {
      const h = new histogram.HistogramAggregator({ ...histogram.WIREDATA_HISTOGRAM, closeAfterSeconds: 0 });
      const out = histogram.newHistogramOutput();
      const t0 = Date.parse('2024-05-08T00:00:00Z');
      // a flood of groups in the first hour (the table grows, then shrinks when the hour closes), beacons throughout
      for (let i = 0; i < 3000; i++) {
        h.add(
          {
            TimeGenerated: new Date(t0 + i * 1000).toISOString(),
            LocalIP: `10.7.${i >> 8}.${i & 255}`,
            RemoteIP: '198.51.100.9',
            RemotePortNumber: 443,
            TimeDeltainSeconds: 60,
            nextTimeGenerated: new Date(t0 + i * 1000).toISOString(),
          },
          out,
        );
      }
      for (let i = 0; i < 4 * 60; i++) {
        const t = new Date(t0 + i * 60000).toISOString();
        for (const host of ['10.0.0.4', '10.0.0.5'])
          h.add({ TimeGenerated: t, LocalIP: host, RemoteIP: '203.0.113.7', RemotePortNumber: 443, TimeDeltainSeconds: 60, nextTimeGenerated: t }, out);
      }
      h.flush(out);
      return out.rows;
    };
    const a = rowsOf(loadWithRandom(0.123456));
    const b = rowsOf(loadWithRandom(0.987654));
    should(a.length).be.above(3000);
    should(b).eql(a);
  });
});
