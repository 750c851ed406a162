'use strict';
/**
 * Generated streams that cross the horizon many times (for the sweep's
 * property test): pairs that beat, pairs that come at random, one-shot
 * floods, late connections, interned keys (names, IPv6) by the thousand so
 * that re-interning happens, and byte caps small enough to evict. `run`
 * feeds one stream to a store made with `make(options)` and hashes what
 * can be observed along the way: size, bytes and counters after every
 * batch (reads that do not touch the rows), verdicts, rows and saved state
 * now and then, and a restore that goes on.
 */
const crypto = require('crypto');

function rng(seed) {
  let s = seed | 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) | 0;
    return ((s >>> 0) % 1e9) / 1e9;
  };
}

/** The options and records of case c (deterministic). */
function streamCase(c) {
  const rnd = rng(c * 7919 + 13);
  const horizon = [600, 3600, 7200, 86400][c % 4];
  const options = {
    ringSize: [4, 16, 256][c % 3],
    horizonSeconds: horizon,
    sweepSeconds: Math.max(1, Math.floor(horizon / [4, 12, 60][c % 3])),
    strobePerDay: [86400, 40][c % 2],
    bytesField: c % 2 === 0 ? 'SentBytes' : null,
    maxBytes: c % 3 === 1 ? [64, 128, 400][(c % 5) % 3] * 1024 : null,
  };
  const named = c % 5 === 0;
  const pairs = 30 + Math.floor(rnd() * 400);
  const keys = Array.from({ length: pairs }, (_, i) => [
    named && i % 2 === 0 ? `host-${i}` : `10.${c % 7}.${i % 5}.${i % 200}`,
    i % 6 === 1 ? `2001:db8::${i % 40}` : `45.${i % 9}.${i % 31}.0/24`,
    i % 7 === 2 ? '443' : 443 + (i % 3),
  ]);
  const period = keys.map(() => [1, 5, 30, 300, 900, 3600][Math.floor(rnd() * 6)]);
  const T0 = Date.UTC(2024, 4, 6) + Math.floor(rnd() * 1e6) * 1000;
  let t = T0;
  const beat = keys.map(() => T0);
  const n = 3000 + Math.floor(rnd() * 4000);
  const records = [];
  let flood = 0;
  for (let i = 0; i < n; i++) {
    // now and then a flood of one-shot pairs (named ones in the named cases: thousands of interned values)
    if (rnd() < 0.002) flood = 100 + Math.floor(rnd() * 1200);
    if (flood > 0) {
      flood--;
      t += rnd() * 2000;
      const k = Math.floor(rnd() * 1e6);
      records.push({
        TimeGenerated: Math.round(t),
        LocalIP: named ? `one-${k}` : `10.9.${k % 250}.${(k >> 8) % 250}`,
        RemoteNetwork: `77.${k % 200}.0.0/16`,
        RemotePortNumber: 80,
        SentBytes: k % 9000,
      });
      continue;
    }
    const p = Math.floor(rnd() * rnd() * rnd() * pairs);
    if (p % 3 === 0) {
      beat[p] = Math.max(beat[p], t) + period[p] * 1000 * (0.97 + 0.06 * rnd());
      t = Math.max(t, beat[p]);
    } else t += (period[p] * 1000 * rnd()) / 3;
    // gaps longer than the horizon now and then: whole stores expire
    if (rnd() < 0.003) t += horizon * 1000 * (0.5 + rnd());
    const late = rnd() < 0.08 ? rnd() * rnd() * horizon * 1000 * (rnd() < 0.1 ? 1.5 : 0.7) : 0;
    records.push({
      TimeGenerated: Math.round(t - late),
      LocalIP: keys[p][0],
      RemoteNetwork: keys[p][1],
      RemotePortNumber: keys[p][2],
      SentBytes: Math.floor(rnd() * 5000),
    });
  }
  return { options, records };
}

/**
 * Feeds case c to a store and digests what is observable; `tally` adds the
 * counters up. With `ahead` ({ every, span, skew }), the store reads ahead
 * (`readAhead`) every `every` records for the `span` records from `skew`
 * on: what is observable must not change.
 */
function runCase(pairs, c, extra, tally, ahead = null) {
  const { PairHistory, DEFAULT_HUNT } = pairs;
  const { options, records } = streamCase(c);
  const hash = crypto.createHash('sha256');
  const h = new PairHistory({ ...options, ...extra });
  const cut = Math.floor(records.length * 0.7);
  const readAhead = (s, i) => {
    if (ahead && i % ahead.every === 0) s.readAhead(records, i + ahead.skew, i + ahead.skew + ahead.span);
  };
  for (let i = 0; i < cut; i++) {
    readAhead(h, i);
    h.add(records[i]);
    if (i % 50 === 49) hash.update(`${h.size} ${h.bytes} ${JSON.stringify(h.counters)}|`);
    if (i % 701 === 700) hash.update(JSON.stringify(h.hunt({ ...DEFAULT_HUNT, minIntervals: 3 })));
    if (i % 1009 === 1008) {
      for (let r = 0; r < h.size; r++) hash.update(JSON.stringify(h.rowOf(r)));
    }
    if (i % 1499 === 1498) hash.update(JSON.stringify(h.save()));
  }
  // a restore (from the snapshot) goes on as the store itself does
  const g = new PairHistory({ ...options, ...extra });
  g.restore(h.snapshot());
  for (const s of [h, g]) {
    for (let i = cut; i < records.length; i++) {
      readAhead(s, i);
      s.add(records[i]);
      if (i % 50 === 49) hash.update(`${s.size} ${s.bytes} ${JSON.stringify(s.counters)}|`);
    }
    hash.update(JSON.stringify(s.hunt()));
    hash.update(JSON.stringify(s.save()));
    hash.update(`${s.countWith(7)} ${s.heldBytesWith(7)}`);
  }
  if (tally) for (const k of Object.keys(h.counters)) tally[k] = (tally[k] ?? 0) + h.counters[k];
  return hash.digest('hex').slice(0, 16);
}

module.exports = { streamCase, runCase };
