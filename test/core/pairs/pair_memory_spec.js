'use strict';
/**
 * The pair history's memory: a site's mix of pairs stays under its byte
 * budget per pair (measured on the heap, not taken from the store's own
 * count), and under a byte cap a flood of new pairs never costs an
 * established beacon its place.
 */
require('should');
const { PairHistory } = require('../../../dist/core/pairs');
const { DEFAULT_PERIODICITY } = require('../../../dist/core/scorer/periodicity');
const { spawnSync } = require('child_process');
const { siteMix } = require('./site-mix');
const { Random } = require('../../../dist/tools/random');

const T0 = Date.UTC(2024, 4, 6) / 1000;

describe('pair history memory', function () {
  this.timeout(300000);

  it('holds 200,000 pairs of a site mix in at most 200 B a pair (heap and array buffers, GC on both sides)', function () {
    // measured in a process of its own: in the suite's process, other tests' leftovers move the heap between the two GCs
    const child = spawnSync(process.execPath, ['--expose-gc', __filename.replace(/_spec\.js$/, '-measure.js')], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`the measuring process failed: ${child.stderr}`);
    const perPair = Number(child.stdout.trim());
    perPair.should.be.above(0);
    const store = siteMix(200_000);
    process.stdout.write(
      `      measured ${perPair.toFixed(1)} B/pair; the store counts ${(store.bytes / store.size).toFixed(1)} B/pair held, ${(store.allocatedBytes / store.size).toFixed(1)} allocated\n`,
    );
    store.size.should.equal(200_000);
    perPair.should.be.below(200);
    // the store's own allocation count (what its status shows) is within a third of the heap's growth
    (store.allocatedBytes / store.size).should.be.within(perPair * 0.67, perPair * 1.5);
  });

  // the protections hold whatever an eviction pass leaves: the default (half of the cap), the hunt node's 7/8 and nearly all of it
  for (const evictTo of [undefined, 7 / 8, 0.95]) {
    describe(`under a byte cap${evictTo === undefined ? '' : `, evicting to ${evictTo} of it`}`, () => {
      const CAP = 4 * 1024 * 1024;
      const beaconKeys = [0, 1, 2, 3, 4].map((b) => [`10.9.0.${b}`, `45.66.${b}.0/24`, 443]);

      /** Beacons every 300 s ±10 % for 48 h, time-ordered among `flood` other connections from `perPair`-connection pairs. */
      function run(flood, perPair) {
        const h = new PairHistory({ maxBytes: CAP, evictTo });
        const rnd = new Random(99);
        const events = [];
        beaconKeys.forEach((key, b) => {
          for (let t = T0 + 31 * b; t < T0 + 48 * 3600; t += 300 * (0.9 + 0.2 * rnd.next())) events.push([t, key]);
        });
        const beaconEvents = events.length;
        for (let i = 0; i < flood / perPair; i++) {
          const key = [`10.${1 + (i % 200)}.${(i >> 8) & 255}.${i & 255}`, `${60 + (i % 100)}.${(i >> 16) & 255}.${(i >> 8) & 255}.0/24`, 443];
          const start = T0 + rnd.next() * 47 * 3600;
          for (let c = 0; c < perPair; c++) events.push([start + c * rnd.exponential(600), key]);
        }
        events.sort((a, b) => a[0] - b[0]);
        for (const [t, key] of events) h.addEvent(key, t);
        return { h, beaconEvents };
      }

      function beaconsIntact(h, beaconEvents) {
        let connections = 0;
        for (const key of beaconKeys) {
          const row = h.indexOf(key);
          row.should.be.aboveOrEqual(0);
          const v = h.verdict(row, DEFAULT_PERIODICITY);
          v.periodic.should.be.true();
          v.forgotten.should.equal(Math.max(0, v.connections - 1 - 256));
          connections += v.connections;
        }
        connections.should.equal(beaconEvents);
      }

      it('a flood of one-shot pairs evicts one-shot pairs only, never a beacon, and stays under the cap', () => {
        const { h, beaconEvents } = run(300_000, 1);
        h.counters.evictedOneShot.should.be.above(0);
        h.counters.evictedRepeated.should.equal(0);
        h.counters.overCap.should.equal(0);
        h.bytes.should.be.belowOrEqual(CAP);
        h.allocatedBytes.should.be.belowOrEqual(CAP);
        beaconsIntact(h, beaconEvents);
      });

      it('caps the arrays as allocated: past the cap they hold no more than it, within the room a ring pool keeps until the next eviction', () => {
        const h = new PairHistory({ maxBytes: CAP, bytesField: 'SentBytes', evictTo });
        const rnd = new Random(7);
        let t = T0;
        let worst = 0;
        for (let i = 0; i < 400_000; i++) {
          t += rnd.exponential(0.5);
          // 70 % new pairs, 30 % repeats of 3,000 others: rings widen and move between pools
          const k = rnd.next() < 0.7 ? i : Math.floor(rnd.next() * 3000);
          h.addEvent([`10.0.${(k >> 8) & 255}.${k & 255}`, `45.${k >> 16}.1.0/24`, 443], t, 100);
          worst = Math.max(worst, h.allocatedBytes);
          h.allocatedBytes.should.be.aboveOrEqual(h.bytes);
        }
        h.counters.evictedOneShot.should.be.above(0);
        h.counters.overCap.should.equal(0);
        // a pool's last page keeps its room when rings widen out of it: at most one page of each of the 8 widths
        worst.should.be.belowOrEqual(CAP * 1.05);
        // restored, the store allocates exactly what it counts
        const restored = new PairHistory({ maxBytes: CAP, bytesField: 'SentBytes', evictTo });
        restored.restore(JSON.parse(JSON.stringify(h.snapshot())));
        restored.allocatedBytes.should.equal(restored.bytes);
        restored.bytes.should.equal(h.bytes);
      });

      it('a flood of repeated random pairs is evicted (most overdue first) around the beacons, which the periodicity test protects', () => {
        const { h, beaconEvents } = run(300_000, 4);
        h.counters.evictedRepeated.should.be.above(0);
        h.counters.overCap.should.equal(0);
        h.bytes.should.be.belowOrEqual(CAP);
        beaconsIntact(h, beaconEvents);
      });

      it('keeps a slow beacon too young to test over repeated pairs silent longer than their own interval, and drops pairs the horizon can never test first', () => {
        const h = new PairHistory({ maxBytes: 65536, evictTo });
        const H = 3600;
        // a 6 h beacon with two intervals: too few for the periodicity test to protect it
        const beacon = ['10.0.0.6', '45.6.6.0/24', 443];
        for (const t of [28, 34, 40]) h.addEvent(beacon, T0 + t * H);
        // two connections 40 h apart: a mean interval no 7-day horizon holds 11 of, though active after the beacon
        const untestable = ['10.0.0.7', '45.7.7.0/24', 443];
        h.addEvent(untestable, T0);
        h.addEvent(untestable, T0 + 40 * H + 1);
        // revisited browsing, each pair twice a minute apart, all active after the beacon's last callback
        for (let i = 0; i < 3000; i++) {
          const key = [`10.1.${i >> 8}.${i & 255}`, `46.1.${i >> 8}.0/24`, 443];
          h.addEvent(key, T0 + 40 * H + 10 + i);
          h.addEvent(key, T0 + 40 * H + 70 + i);
        }
        h.counters.evictedRepeated.should.be.above(0);
        h.indexOf(untestable).should.equal(-1);
        const row = h.indexOf(beacon);
        row.should.be.aboveOrEqual(0);
        h.verdict(row, DEFAULT_PERIODICITY, 0).connections.should.equal(3);
        // the revisited pairs kept are the ones silent for the shortest time against their minute
        h.indexOf(['10.1.11.183', '46.1.11.0/24', 443]).should.be.aboveOrEqual(0);
        h.indexOf(['10.1.0.0', '46.1.0.0/24', 443]).should.equal(-1);
      });

      it('evicts the least recently active one-shot pairs first', () => {
        const h = new PairHistory({ maxBytes: 65536, evictTo });
        // a ringless row of a three-field key (three key words and bytes, its time, flags) and its hash slot
        const perRow = 3 * 4 + 4 + 3 + 1 + 4;
        const fit = Math.floor(65536 / perRow);
        for (let i = 0; i <= fit; i++) h.addEvent([`10.0.${i >> 8}.${i & 255}`, '45.1.1.0/24', 443], T0 + i);
        h.counters.evictedOneShot.should.be.above(0);
        const kept = [];
        for (let i = 0; i <= fit; i++) kept.push(h.indexOf([`10.0.${i >> 8}.${i & 255}`, '45.1.1.0/24', 443]) >= 0);
        // the evicted are exactly a prefix: the oldest
        const firstKept = kept.indexOf(true);
        firstKept.should.equal(h.counters.evictedOneShot);
        kept.slice(firstKept).every(Boolean).should.be.true();
      });
    });
  }

  describe('how far an eviction pass goes', () => {
    const CAP = 4 * 1024 * 1024;
    const floodKey = (i) => [`10.${1 + (i % 200)}.${(i >> 8) & 255}.${i & 255}`, `${60 + (i % 100)}.${(i >> 16) & 255}.0.0/24`, 443];
    /** The store's bytes right after each eviction pass, under a flood of one-shot pairs with a beacon among them. */
    function passes(evictTo) {
      const h = new PairHistory({ maxBytes: CAP, evictTo });
      const after = [];
      const beacon = ['10.9.9.9', '45.9.9.0/24', 443];
      for (let i = 0; i < 600_000; i++) {
        const t = T0 + i * 0.5;
        if (i % 600 === 0) h.addEvent(beacon, t);
        const before = h.counters.evictedOneShot;
        h.addEvent(floodKey(i), t);
        if (h.counters.evictedOneShot !== before) after.push(h.bytes);
      }
      return { h, after, beacon };
    }

    it('at 7/8 (the hunt node) leaves 7/8 of the cap: the store stays near it, and a pass evicts an eighth', () => {
      const { h, after, beacon } = passes(7 / 8);
      after.length.should.be.above(10);
      // what a pass leaves, counted as allocated (pages and the index in steps): within a few percent of 7/8
      for (const b of after) b.should.be.within(CAP * 0.82, CAP * 0.9);
      h.bytes.should.be.belowOrEqual(CAP);
      h.counters.evictedRepeated.should.equal(0);
      h.verdict(h.indexOf(beacon), DEFAULT_PERIODICITY).periodic.should.be.true();
    });

    it('by default leaves half of the cap; at 7/8 the same pairs go first (the oldest one-shot pairs), in more passes', () => {
      const half = passes(undefined);
      const full = passes(7 / 8);
      half.after.length.should.be.above(2);
      for (const b of half.after) b.should.be.within(CAP * 0.45, CAP * 0.55);
      // four times as many passes at 7/8, each taking the oldest one-shot pairs: what is held at the end is the newest of them either way
      full.after.length.should.be.above(half.after.length * 3);
      for (const { h } of [half, full]) {
        // the flood pairs held are the newest ones, a suffix of the flood
        const held = h.size - 1;
        h.indexOf(floodKey(599_999 - held + 1)).should.be.aboveOrEqual(0);
        h.indexOf(floodKey(599_999 - held)).should.equal(-1);
      }
      // and right after a pass, the 7/8 store holds more of them
      Math.min(...full.after).should.be.above(Math.max(...half.after));
    });

    it('refuses a mark outside 0 … 1 (exclusive)', () => {
      (() => new PairHistory({ maxBytes: CAP, evictTo: 1 })).should.throw(/fraction of the cap.*not 1/);
      (() => new PairHistory({ maxBytes: CAP, evictTo: 0 })).should.throw(/fraction of the cap/);
    });
  });
});
