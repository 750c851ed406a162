'use strict';
/**
 * The hourly sweep leaves expired rows dead in place and compacts them away
 * only past a fraction of the rows (or before an eviction, a read by row or
 * a save). Nothing observable may depend on when that happens: over
 * generated streams that cross the horizon again and again (floods of
 * one-shot pairs, late connections, thousands of interned keys, byte caps
 * that evict), a store that compacts at every sweep that expires a pair
 * (compactDead 0, as before), the default, and one that compacts only when
 * it must (compactDead 1) show the same size, bytes and counters after
 * every 50 records, the same verdicts, rows and saved state now and then,
 * and go on alike after a restore.
 */
require('should');
const pairs = require('../../../dist/core/pairs');
const { runCase } = require('./sweep-streams');

describe('pair history sweep (deferred compaction)', function () {
  this.timeout(120000);

  it('shows the same size, bytes, counters, verdicts, rows and saved state whenever expired rows are compacted away', () => {
    const tally = {};
    for (let c = 0; c < 40; c++) {
      const every = runCase(pairs, c, { compactDead: 0 }, tally);
      runCase(pairs, c, {}, null).should.equal(every, `case ${c}: the default differs from compacting at every sweep`);
      runCase(pairs, c, { compactDead: 1 }, null).should.equal(every, `case ${c}: compacting only when needed differs`);
    }
    // the streams reach expiry, eviction under a cap, late connections, full rings and connections too old to keep
    tally.expired.should.be.above(50000);
    tally.evictedOneShot.should.be.above(5000);
    tally.evictedRepeated.should.be.above(10);
    tally.late.should.be.above(500);
    tally.forgotten.should.be.above(1000);
    tally.tooOld.should.be.above(10);
  });

  it('keeps the key of a pair whose connection starts a sweep that re-interns the values', () => {
    // 2,000 named pairs expire; the next connection, of a name not seen before, starts the sweep that drops and re-interns them
    const h = new pairs.PairHistory({ horizonSeconds: 600, sweepSeconds: 60, keyFields: ['a', 'b', 'c'], timeField: 't' });
    const T0 = Date.UTC(2024, 4, 6);
    for (let i = 0; i < 2000; i++) h.add({ t: T0 + i, a: `name-${i}`, b: '45.1.2.0/24', c: 443 });
    h.add({ t: T0 + 700e3, a: 'new-name', b: '2001:db8::/48', c: '443' });
    h.counters.expired.should.equal(2000);
    h.size.should.equal(1);
    h.keyOf(0).should.eql(['new-name', '2001:db8::/48', '443']);
    h.add({ t: T0 + 701e3, a: 'new-name', b: '2001:db8::/48', c: '443' });
    h.size.should.equal(1);
    h.facts(0).count.should.equal(2);
  });

  it('refuses a compaction fraction outside 0 … 1', () => {
    (() => new pairs.PairHistory({ compactDead: 1.5 })).should.throw(/fraction of expired rows.*1\.5/);
    (() => new pairs.PairHistory({ compactDead: -0.1 })).should.throw(/fraction of expired rows/);
  });
});
