'use strict';
/**
 * The compact pair history: what its ring keeps is what the full history's
 * newest intervals are (so its verdicts are the full history's while the
 * ring holds everything), what it forgets is documented (the oldest
 * intervals, those before the horizon), and a restart through saved state
 * changes nothing.
 */
const fc = require('fast-check');
const should = require('should');
const { PairHistory, sizeCode, sizeOfCode } = require('../../../dist/core/pairs');
const { releaseRows, sourceCounts } = require('../../../dist/core/pairs/pair-rows');
const { KeyCodes } = require('../../../dist/core/pairs/key-codes');
const { intervalPeriodicity, DEFAULT_PERIODICITY } = require('../../../dist/core/scorer/periodicity');
const { scoreRow } = require('../../../dist/core/scorer/scorer');
const { Random } = require('../../../dist/tools/random');

const T0 = Date.UTC(2024, 4, 6) / 1000;
/** a horizon longer than any generated pair's span: nothing expires */
const LONG = 40 * 86400;
const PAIRS = [
  ['10.0.0.1', '45.1.2.0/24', 443],
  ['10.0.0.1', '45.1.2.0/24', '443'],
  ['10.0.0.2', '2001:db8:1::/48', 8443],
];

/** Whole-second interval → count of sorted times (ms), as the ring's expansion makes it: 0 ms intervals left out. */
function referenceCounts(timesMs) {
  const sorted = [...timesMs].sort((a, b) => a - b);
  const counts = new Map();
  for (let i = 1; i < sorted.length; i++) {
    const d = sorted[i] - sorted[i - 1];
    if (d <= 0) continue;
    const s = Math.round(d / 1000);
    counts.set(s, (counts.get(s) || 0) + 1);
  }
  return counts;
}

/** The newest n intervals (ms) of sorted times. */
function newestIntervals(timesMs, n) {
  const sorted = [...timesMs].sort((a, b) => a - b);
  const all = sorted.slice(1).map((t, i) => t - sorted[i]);
  return all.slice(Math.max(0, all.length - n));
}

const sortedEntries = (m) => [...m].sort((a, b) => a[0] - b[0]);

/**
 * One pair's connection times (whole ms): a sleep with jitter, some
 * dropped, some random connections, then some arrival disorder (a
 * connection logged up to `disorder` places late).
 */
const pairTraffic = fc
  .record({
    period: fc.integer({ min: 5, max: 3600 }),
    jitter: fc.double({ min: 0, max: 0.8, noNaN: true }),
    drop: fc.double({ min: 0, max: 0.5, noNaN: true }),
    randomShare: fc.double({ min: 0, max: 1, noNaN: true }),
    n: fc.integer({ min: 1, max: 120 }),
    disorder: fc.integer({ min: 0, max: 4 }),
    seed: fc.integer({ min: 1, max: 1e9 }),
  })
  .map(({ period, jitter, drop, randomShare, n, disorder, seed }) => {
    const rnd = new Random(seed);
    const times = [];
    let t = T0 * 1000 + Math.floor(rnd.next() * 60000);
    while (times.length < n) {
      t += Math.round(1000 * (rnd.chance(randomShare) ? rnd.exponential(period) : period * (1 - jitter * rnd.next())));
      if (!rnd.chance(drop)) times.push(t);
    }
    const arrival = times.slice();
    for (let i = 0; i < arrival.length && disorder > 0; i++) {
      const j = Math.min(arrival.length - 1, i + rnd.int(0, disorder));
      [arrival[i], arrival[j]] = [arrival[j], arrival[i]];
    }
    return arrival;
  });

describe('pair history', () => {
  describe('ring against the full history (property)', () => {
    it('holds exactly the newest N intervals of each pair, in order, whatever the arrival order; the oldest are the ones forgotten', () => {
      fc.assert(
        fc.property(fc.constantFrom(4, 16, 64), fc.array(pairTraffic, { minLength: 3, maxLength: 3 }), (ringSize, traffic) => {
          const h = new PairHistory({ ringSize, horizonSeconds: LONG });
          // interleave the pairs' arrivals round-robin so their rings grow side by side
          const longest = Math.max(...traffic.map((t) => t.length));
          for (let i = 0; i < longest; i++) traffic.forEach((times, p) => i < times.length && h.addEvent(PAIRS[p], times[i] / 1000));
          traffic.forEach((times, p) => {
            const row = h.indexOf(PAIRS[p]);
            row.should.be.aboveOrEqual(0);
            const kept = h.intervalsOf(row).seconds.map((s) => Math.round(s * 1000));
            kept.should.eql(newestIntervals(times, ringSize));
            const v = h.verdict(row, DEFAULT_PERIODICITY, 0);
            v.connections.should.equal(times.length);
            v.forgotten.should.equal(Math.max(0, times.length - 1 - ringSize));
            v.firstSeconds.should.equal(Math.min(...times) / 1000);
            v.lastSeconds.should.equal(Math.max(...times) / 1000);
          });
        }),
        { numRuns: 150 },
      );
    });

    it('gives the full-history verdict (p-value, period, band) while the ring holds the whole history', () => {
      fc.assert(
        fc.property(pairTraffic, (times) => {
          const h = new PairHistory({ ringSize: 128, horizonSeconds: LONG });
          for (const t of times) h.addEvent(PAIRS[0], t / 1000);
          const row = h.indexOf(PAIRS[0]);
          const full = referenceCounts(times);
          sortedEntries(h.intervalCounts(row)).should.eql(sortedEntries(full));
          const v = h.verdict(row, DEFAULT_PERIODICITY, 0);
          const expected = intervalPeriodicity(full);
          should(v.periodicity).eql(expected);
          v.periodic.should.equal(expected.periodic);
        }),
        { numRuns: 200 },
      );
    });

    it('scores a long pair on its newest N intervals only, deterministically', () => {
      fc.assert(
        fc.property(pairTraffic, fc.constantFrom(8, 32), (times, ringSize) => {
          const h = new PairHistory({ ringSize, horizonSeconds: LONG });
          for (const t of times) h.addEvent(PAIRS[0], t / 1000);
          const row = h.indexOf(PAIRS[0]);
          const newest = new Map();
          for (const d of newestIntervals(times, ringSize)) if (d > 0) newest.set(Math.round(d / 1000), (newest.get(Math.round(d / 1000)) || 0) + 1);
          const v = h.verdict(row, DEFAULT_PERIODICITY, 0);
          should(v.periodicity).eql(intervalPeriodicity(newest));
          should(h.verdict(row, DEFAULT_PERIODICITY, 0)).eql(v);
        }),
        { numRuns: 150 },
      );
    });
  });

  describe('hunt', () => {
    function site() {
      const h = new PairHistory({ bytesField: 'SentBytes' });
      const rnd = new Random(7);
      for (let t = T0; t < T0 + 3 * 86400; t += 300 * (1 - 0.2 * rnd.next()))
        h.add({ TimeGenerated: t * 1000, LocalIP: '10.0.0.1', RemoteNetwork: '45.1.2.0/24', RemotePortNumber: 443, SentBytes: 400 });
      for (let t = T0; t < T0 + 3 * 86400; t += rnd.exponential(300))
        h.add({ TimeGenerated: t * 1000, LocalIP: '10.0.0.2', RemoteNetwork: '46.1.2.0/24', RemotePortNumber: 443, SentBytes: 400 });
      for (let s = 0; s < 8; s++) {
        for (let t = T0 + s * 7; t < T0 + 86400; t += 900)
          h.add({ TimeGenerated: t * 1000, LocalIP: `10.1.0.${s}`, RemoteNetwork: '52.20.7.0/24', RemotePortNumber: 443, SentBytes: 700 });
      }
      return h;
    }

    it('finds the periodic pair, not the random poller, and counts the sources of each destination', () => {
      const verdicts = site().hunt();
      const of = (dst) => verdicts.filter((v) => v.key[1] === dst);
      of('45.1.2.0/24')[0].periodic.should.be.true();
      of('45.1.2.0/24')[0].destinationSources.should.equal(1);
      of('46.1.2.0/24')[0].periodic.should.be.false();
      of('52.20.7.0/24').length.should.equal(8);
      of('52.20.7.0/24').forEach((v) => v.destinationSources.should.equal(8));
    });

    it('makes a row the scorer (periodic method) scores as the pair history does', () => {
      const h = site();
      for (const v of h.hunt()) {
        const row = h.rowOf(h.indexOf(v.key));
        row.TotalEvents.should.equal(v.intervals);
        const scored = scoreRow(row, { minTotalEvents: 10, minModeCount: null, minBeaconPercent: null, entities: [], method: 'periodic', maxPValue: 0.001 });
        scored.alert.should.equal(v.periodic);
        scored.row.PeriodPValue.should.equal(Number(v.periodicity.pValue.toPrecision(3)));
      }
    });

    it("releases the rows of pairs active since a time (with their destinations' sources), which the scorer scores as the hunt example does", () => {
      const h = site();
      for (let i = 0; i < 86400; i++) h.addEvent(['10.0.0.9', '45.9.9.0/24', 8080], T0 + 2 * 86400 + i * 0.5);
      const prevalence = { source: 'LocalIP', destination: 'RemoteNetwork' };
      const hunt = { minTotalEvents: 10, minModeCount: null, minBeaconPercent: null, entities: [], method: 'periodic', maxPValue: 0.001, strobePerHour: 3600 };
      // what the pair-history stage does per release (its batching is held by the node's tests)
      const release = (since) => {
        const picked = Array.from(releaseRows(h, since, 11, null));
        const sources = sourceCounts(h, picked, prevalence);
        const di = h.options.keyFields.indexOf('RemoteNetwork');
        return picked.map((r) => ({ ...h.rowOf(r), DestinationSources: sources.get(h.keyCode(di, r)) ?? 0 }));
      };
      const rows = release(T0);
      rows.map((r) => r.LocalIP).should.eql(['10.0.0.1', '10.0.0.2', ...[0, 1, 2, 3, 4, 5, 6, 7].map((s) => `10.1.0.${s}`), '10.0.0.9']);
      const verdict = (ip) =>
        scoreRow(
          rows.find((r) => r.LocalIP === ip),
          hunt,
        );
      verdict('10.0.0.1').alert.should.be.true();
      verdict('10.0.0.1').row.AlertClass.should.equal('beacon');
      verdict('10.0.0.2').alert.should.be.false();
      verdict('10.0.0.9').row.AlertClass.should.equal('strobe');
      rows.find((r) => r.LocalIP === '10.1.0.3').DestinationSources.should.equal(8);
      // only pairs with a connection since the time asked: the 8 service pollers stopped after the first day
      release(T0 + 2 * 86400)
        .map((r) => r.LocalIP)
        .should.eql(['10.0.0.1', '10.0.0.2', '10.0.0.9']);
    });

    it('keeps byte sizes log-quantised (within 5 %) beside the intervals', () => {
      const h = site();
      const row = h.rowOf(h.indexOf(['10.0.0.1', '45.1.2.0/24', 443]));
      Object.keys(row.ByteCounts).length.should.equal(1);
      Number(Object.keys(row.ByteCounts)[0]).should.be.within(400 * 0.95, 400 * 1.05);
      for (const b of [0, 1, 60, 1500, 1e6, 3e9]) {
        const back = sizeOfCode(sizeCode(b));
        Math.abs(back - b).should.be.belowOrEqual(0.05 * b + 1);
      }
    });

    it('labels a strobe (86,400 connections in a day) and does not score it', () => {
      const h = new PairHistory();
      for (let i = 0; i < 86400; i++) h.addEvent(['10.0.0.9', '45.9.9.0/24', 8080], T0 + i);
      for (let i = 0; i < 86399; i++) h.addEvent(['10.0.0.8', '45.9.8.0/24', 8080], T0 + i);
      const verdicts = h.hunt();
      const strobe = verdicts.find((v) => v.key[0] === '10.0.0.9');
      strobe.strobe.should.be.true();
      should(strobe.periodicity).be.null();
      strobe.periodic.should.be.false();
      const busy = verdicts.find((v) => v.key[0] === '10.0.0.8');
      busy.strobe.should.be.false();
      should(busy.periodicity).not.be.null();
      h.rowOf(h.indexOf(strobe.key)).Strobe.should.be.true();
    });
  });

  describe('horizon (event time)', () => {
    it('forgets intervals that began before the horizon and pairs whose last connection left it', () => {
      const h = new PairHistory({ horizonSeconds: 86400, sweepSeconds: 3600 });
      h.addEvent(['10.0.0.2', '45.1.3.0/24', 443], T0);
      h.addEvent(['10.0.0.2', '45.1.3.0/24', 443], T0 + 700);
      for (let t = T0; t < T0 + 2 * 86400; t += 600) h.addEvent(['10.0.0.1', '45.1.2.0/24', 443], t);
      // the sweep runs on the first event of each hour of event time
      h.addEvent(['10.0.0.3', '45.1.4.0/24', 443], T0 + 2 * 86400 + 1);
      h.indexOf(['10.0.0.2', '45.1.3.0/24', 443]).should.equal(-1);
      h.counters.expired.should.equal(1);
      const v = h.verdict(h.indexOf(['10.0.0.1', '45.1.2.0/24', 443]), DEFAULT_PERIODICITY, 0);
      // connections at or after newest − 24 h: T0 + 86400 + 1 … T0 + 2 d − 600, every 600 s
      v.firstSeconds.should.be.aboveOrEqual(T0 + 86400 + 1);
      v.firstSeconds.should.be.below(T0 + 86400 + 601);
      v.connections.should.equal(v.intervals + 1);
      h.intervalsOf(h.indexOf(['10.0.0.1', '45.1.2.0/24', 443]))
        .seconds.every((s) => s === 600)
        .should.be.true();
      // a connection older than the horizon behind the newest is not kept
      h.addEvent(['10.0.0.4', '45.1.5.0/24', 443], T0);
      h.indexOf(['10.0.0.4', '45.1.5.0/24', 443]).should.equal(-1);
      h.counters.tooOld.should.equal(1);
    });
  });

  describe('edges', () => {
    it('keeps nothing of a record without a time, and says so', () => {
      const h = new PairHistory();
      h.add({ LocalIP: '10.0.0.1', RemoteNetwork: '45.1.2.0/24', RemotePortNumber: 443 }).should.be.false();
      h.add({ TimeGenerated: 'yesterday', LocalIP: '10.0.0.1', RemoteNetwork: '45.1.2.0/24', RemotePortNumber: 443 }).should.be.false();
      h.size.should.equal(0);
      h.add({ TimeGenerated: '2024-05-06T10:00:00.250Z', LocalIP: '10.0.0.1', RemoteNetwork: '45.1.2.0/24', RemotePortNumber: 443 }).should.be.true();
      h.verdict(0, DEFAULT_PERIODICITY, 0).firstSeconds.should.equal(Date.UTC(2024, 4, 6, 10) / 1000 + 0.25);
    });

    it('refuses settings it cannot honour, naming them', () => {
      should.throws(() => new PairHistory({ ringSize: 100 }), /power of two from 2 to 32768, not 100/);
      should.throws(() => new PairHistory({ keyFields: [] }), /needs key fields/);
      should.throws(() => new PairHistory({ horizonSeconds: 60 * 86400 }), /at most 45 days/);
      should.throws(() => new PairHistory({ maxBytes: 1000 }), /at least 65,536 bytes/);
      should.throws(() => new PairHistory().addEvent(['10.0.0.1', 443], T0), /has 3 values, not 2/);
      should.throws(
        () => new PairHistory().hunt({ minIntervals: 0, periodicity: DEFAULT_PERIODICITY, prevalence: { source: 'SourceIP', destination: 'RemoteNetwork' } }),
        /must be key fields/,
      );
    });

    it('trims an overflowed ring at the horizon to what it still holds (count and first follow the ring)', () => {
      const h = new PairHistory({ ringSize: 8, horizonSeconds: 86400 });
      const key = ['10.0.0.1', '45.1.2.0/24', 443];
      for (let i = 0; i < 100; i++) h.addEvent(key, T0 + i * 600); // 99 intervals, the ring keeps 8
      // another pair moves event time on: the horizon's start passes the 4th-newest connection of the first pair
      h.addEvent(['10.0.0.2', '45.1.3.0/24', 443], T0 + 96 * 600 + 86400 + 1);
      const v = h.verdict(h.indexOf(key), DEFAULT_PERIODICITY, 0);
      v.intervals.should.equal(2); // connections 97, 98 and 99 are within the horizon
      v.connections.should.equal(3);
      v.forgotten.should.equal(0);
      v.firstSeconds.should.equal(T0 + 97 * 600);
    });

    it('never evicts a strobe, whatever floods the cap', () => {
      const h = new PairHistory({ maxBytes: 65536, strobePerDay: 50 });
      const strobe = ['10.0.0.9', '45.9.9.0/24', 8080];
      for (let i = 0; i < 60; i++) h.addEvent(strobe, T0 + i);
      // repeated random pairs, older than the strobe's last connection: they go first, the strobe never
      for (let i = 0; i < 3000; i++) {
        const key = [`10.1.${i >> 8}.${i & 255}`, `46.1.${i >> 8}.0/24`, 443];
        h.addEvent(key, T0 + 100 + i);
        h.addEvent(key, T0 + 100 + i + 0.5);
      }
      h.counters.evictedRepeated.should.be.above(0);
      const v = h.verdict(h.indexOf(strobe));
      v.strobe.should.be.true();
      v.connections.should.equal(60);
    });
  });

  describe('checkpoint and restore', () => {
    /** A small site's connections in arrival order: beacons, random pollers, one-shot browsing, some disorder, over 3 days. */
    function stream(seed) {
      const rnd = new Random(seed);
      const events = [];
      for (let b = 0; b < 4; b++)
        for (let t = T0 + b * 17; t < T0 + 3 * 86400; t += 600 * (0.8 + 0.2 * rnd.next())) events.push([t, [`10.0.0.${b}`, `45.2.${b}.0/24`, 443], 300 + b]);
      for (let p = 0; p < 6; p++) for (let t = T0; t < T0 + 3 * 86400; t += rnd.exponential(900)) events.push([t, [`10.0.1.${p}`, `46.2.${p}.0/24`, 443], 512]);
      // pollers that stop after 6 h: they leave the 12 h horizon on the first day
      for (let p = 0; p < 3; p++) for (let t = T0 + p; t < T0 + 6 * 3600; t += 900) events.push([t, [`10.0.3.${p}`, `48.2.${p}.0/24`, 443], 200]);
      for (let i = 0; i < 12000; i++)
        events.push([
          T0 + rnd.next() * 3 * 86400,
          [`10.0.2.${i % 50}`, i % 7 === 0 ? `2001:db8:${i}::/48` : `47.${i >> 8}.${i & 255}.0/24`, i % 3 === 0 ? 80 : 443],
          rnd.int(100, 5000),
        ]);
      events.sort((a, b) => a[0] - b[0]);
      // disorder: a few connections logged up to 10 places late
      for (let i = 0; i < events.length; i += 37) {
        const j = Math.min(events.length - 1, i + rnd.int(1, 10));
        [events[i], events[j]] = [events[j], events[i]];
      }
      return events;
    }
    // a 12 h horizon and a cap that the stream overflows: expiry, trimming and eviction all happen
    const OPTIONS = { horizonSeconds: 12 * 3600, maxBytes: 64 * 1024, bytesField: 'SentBytes', ringSize: 64 };
    const throughFile = (x) => JSON.parse(JSON.stringify(x));

    function runCut(events, cutAt) {
      let h = new PairHistory(OPTIONS);
      events.forEach(([t, key, bytes], i) => {
        if (i === cutAt) {
          const saved = throughFile(h.snapshot());
          h = new PairHistory(OPTIONS);
          h.restore(saved);
        }
        h.addEvent(key, t, bytes);
      });
      return h;
    }

    it('a run saved and restored at any event ends exactly as an uninterrupted run (state, counters, verdicts)', () => {
      const events = stream(5);
      const whole = runCut(events, -1);
      whole.counters.expired.should.be.above(0);
      whole.counters.evictedOneShot.should.be.above(0);
      whole.counters.forgotten.should.be.above(0);
      whole.counters.late.should.be.above(0);
      const expected = JSON.stringify(whole.save());
      const verdicts = JSON.stringify(whole.hunt());
      fc.assert(
        fc.property(fc.integer({ min: 0, max: events.length - 1 }), (cutAt) => {
          const h = runCut(events, cutAt);
          JSON.stringify(h.save()).should.equal(expected);
          JSON.stringify(h.hunt()).should.equal(verdicts);
          // the bytes the cap counts depend on the pairs held, not on how they came
          h.bytes.should.equal(whole.bytes);
        }),
        { numRuns: 12 },
      );
    });

    it('refuses saved state of another format version, other settings or damaged columns, saying why', () => {
      const h = new PairHistory(OPTIONS);
      for (const [t, key, bytes] of stream(6).slice(0, 500)) h.addEvent(key, t, bytes);
      const saved = throughFile(h.snapshot());
      const fresh = () => new PairHistory(OPTIONS);
      should.throws(() => fresh().restore({ ...saved, state: { ...saved.state, version: 2 } }), /format version 2; this package reads version 1 only/);
      should.throws(() => fresh().restore({ ...saved, state: { ...saved.state, version: undefined } }), /format version undefined/);
      should.throws(() => fresh().restore({ ...saved, version: 2 }), /saved state has version 2, this package reads version 1/);
      should.throws(() => new PairHistory({ ...OPTIONS, ringSize: 128 }).restore(saved), /other settings/);
      should.throws(
        () => fresh().restore({ ...saved, state: { ...saved.state, columns: { ...saved.state.columns, last: 'AAAA' } } }),
        /damaged \(last has 3 bytes/,
      );
      should.throws(() => fresh().restore({ ...saved, stage: 'histogram' }), /belongs to a histogram stage/);
      // the horizon and the cap may change across a restart
      const other = new PairHistory({ ...OPTIONS, horizonSeconds: 86400, maxBytes: null });
      other.restore(saved);
      other.size.should.equal(h.size);
    });
  });

  describe('keys', () => {
    it('codes addresses, networks and ports arithmetically and interns the rest, keeping 443 and "443" apart', () => {
      const codes = new KeyCodes();
      const values = [
        '1.2.3.4',
        '45.1.2.0/24',
        '0.0.0.0/0',
        '255.255.255.255/32',
        443,
        0,
        '443',
        '01.2.3.4',
        '1.2.3.4/024',
        '1.2.3.4/33',
        '2001:db8::/48',
        null,
        true,
        -1,
        1.5,
        '',
      ];
      const coded = values.map((v) => codes.encode(v));
      values.forEach((v, i) => should(codes.decode(coded[i])).equal(v));
      new Set(coded).size.should.equal(values.length);
      // interned: '443', '01.2.3.4', '1.2.3.4/024', '1.2.3.4/33', the IPv6 network, null, true, -1, 1.5, ''
      codes.interned.should.equal(10);
    });
  });
});
