'use strict';
/**
 * The 20-byte rows keep a ringless pair's time as milliseconds from a base
 * that moves on with event time (every ~49.7 days), and the deferred sweep
 * leaves expired rows dead in place until a compaction. A dead row's word
 * means nothing: the base must move past it (not give it a ring), and
 * nothing observable may depend on whether dead rows were waiting when it
 * moved. The sweep streams, with their time stretched 40-fold (5 months and
 * more of event time), run with compactDead 0 (no dead row ever waits for
 * a base move), the default and 1 must show the same size, bytes,
 * counters, verdicts and saved state.
 */
require('should');
const crypto = require('crypto');
const pairs = require('../../../dist/core/pairs');
const { streamCase } = require('./sweep-streams');

const STRETCH = 40;
const DAY_MS = 86400000;

function run(c, extra, seen) {
  const { options, records } = streamCase(c);
  const t0 = records[0].TimeGenerated;
  const h = new pairs.PairHistory({ ...options, ...extra });
  const hash = crypto.createHash('sha256');
  // internals read only to show the case is reached: the base moving while dead rows wait
  let base = NaN;
  let dead = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    dead = h.rows.dead;
    h.add({ ...r, TimeGenerated: t0 + (r.TimeGenerated - t0) * STRETCH });
    if (h.rows.base !== base) {
      if (!Number.isNaN(base) && seen) {
        seen.moves++;
        if (dead > 0) seen.withDead++;
      }
      base = h.rows.base;
    }
    if (i % 50 === 49) hash.update(`${h.size} ${h.bytes} ${JSON.stringify(h.counters)}|`);
    if (i % 997 === 996) hash.update(JSON.stringify(h.hunt({ ...pairs.DEFAULT_HUNT, minIntervals: 3 })) + JSON.stringify(h.save()));
  }
  hash.update(JSON.stringify(h.hunt()) + JSON.stringify(h.save()));
  if (seen) seen.days = Math.max(seen.days, ((records[records.length - 1].TimeGenerated - t0) * STRETCH) / DAY_MS);
  return hash.digest('hex').slice(0, 16);
}

describe('pair history base moves (20-byte rows) with dead rows waiting', function () {
  this.timeout(120000);

  it('shows the same size, bytes, counters, verdicts and saved state whether or not dead rows wait when the base moves', () => {
    const seen = { moves: 0, withDead: 0, days: 0 };
    for (let c = 0; c < 40; c++) {
      const every = run(c, { compactDead: 0 }, null);
      run(c, {}, null).should.equal(every, `case ${c}: the default differs from compacting at every sweep`);
      run(c, { compactDead: 1 }, seen).should.equal(every, `case ${c}: compacting only when needed differs`);
    }
    seen.days.should.be.above(150);
    seen.moves.should.be.above(100);
    seen.withDead.should.be.above(50);
  });
});
