'use strict';
/**
 * The pair history's row layout gives the same outputs as the 64-byte rows
 * it replaced: a digest of every verdict, every row a scorer gets, the saved
 * state and the counters over 400 generated stores (restored and fed more)
 * equals the one the 64-byte build (`8523bf9`) printed for the same stores.
 * It held for the 40-byte rows (first times beside the rings, 4-byte hash
 * slots, the in-order connection written in place) and holds for the
 * 20-byte rows (a pair seen once keeps its time as 32-bit milliseconds from
 * a base that moves with event time, 136 times in these stores; a pair with
 * a ring keeps its times, count and day counter beside it, in rings of 2,
 * 4, 8, 16, then quarter-octave widths).
 */
const crypto = require('crypto');
const should = require('should');
const { PairHistory } = require('../../../dist/core/pairs');

/** what `8523bf9` (64-byte rows) printed for these 400 stores */
const DIGEST_OF_64_BYTE_ROWS = '1f77520c145d786a';

function storesDigest(cases) {
  const hash = crypto.createHash('sha256');
  let seed = 1;
  const rnd = () => {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x9e3779b9) | 0;
    return ((seed >>> 0) % 1e9) / 1e9;
  };
  const T0 = Date.UTC(2024, 4, 6);
  const tally = { late: 0, forgotten: 0, expired: 0, strobes: 0, periodic: 0 };
  for (let c = 0; c < cases; c++) {
    const ring = [2, 4, 8, 16, 256][c % 5];
    const horizon = [3600, 86400, 7 * 86400, 600][c % 4];
    const options = {
      ringSize: ring,
      horizonSeconds: horizon,
      sweepSeconds: Math.min(horizon, 300),
      strobePerDay: [86400, 20, 5][c % 3],
      bytesField: c % 2 === 0 ? 'SentBytes' : null,
    };
    const h = new PairHistory(options);
    const pairs = 5 + Math.floor(rnd() * 60);
    // addresses, names, IPv6 networks and port text: arithmetic and interned codes
    const keys = Array.from({ length: pairs }, (_, i) => {
      const kind = Math.floor(rnd() * 4);
      return [
        kind === 0 ? `host-${i % 7}` : `10.0.${i % 3}.${i % 50}`,
        kind === 1 ? `2001:db8::${i}` : `45.${i % 9}.${Math.floor(rnd() * 3)}.0/24`,
        kind === 2 ? '443' : 443 + (i % 3),
      ];
    });
    const period = keys.map(() => [1, 60, 300, 3600, 0.3, 20000][Math.floor(rnd() * 6)]);
    let t = T0 + Math.floor(rnd() * 1e6) * 1000;
    // every fourth pair beats at its period ±2 % (periodic), the others come at random
    const beat = keys.map(() => t);
    const n = 200 + Math.floor(rnd() * 3000);
    for (let i = 0; i < n; i++) {
      const p = Math.floor(rnd() * rnd() * pairs);
      t += p % 4 === 0 ? 0 : (period[p] * 1000 * (0.2 + rnd())) / 4;
      if (p % 4 === 0) {
        beat[p] = Math.max(beat[p], t) + period[p] * 1000 * (0.98 + 0.04 * rnd());
        t = Math.max(t, beat[p]);
      }
      // a tenth of the connections late, some by up to two days
      const late = rnd() < 0.1 ? rnd() * rnd() * 3600e3 * (rnd() < 0.2 ? 48 : 1) : 0;
      const ms = Math.round(t - late);
      h.add({ TimeGenerated: ms, LocalIP: keys[p][0], RemoteNetwork: keys[p][1], RemotePortNumber: keys[p][2], SentBytes: Math.floor(rnd() * 5000) });
      if (i % 997 === 0) hash.update(JSON.stringify(h.hunt()));
    }
    const verdicts = h.hunt();
    hash.update(JSON.stringify(verdicts));
    for (let r = 0; r < h.size; r++) hash.update(JSON.stringify(h.rowOf(r)));
    hash.update(JSON.stringify(h.save()));
    hash.update(JSON.stringify(h.counters));
    tally.late += h.counters.late;
    tally.forgotten += h.counters.forgotten;
    tally.expired += h.counters.expired;
    tally.strobes += verdicts.filter((v) => v.strobe).length;
    tally.periodic += verdicts.filter((v) => v.periodic).length;
    const g = new PairHistory(options);
    g.restore(h.snapshot());
    for (let i = 0; i < 300; i++) {
      const p = i % pairs;
      t += 30000;
      g.add({ TimeGenerated: Math.round(t), LocalIP: keys[p][0], RemoteNetwork: keys[p][1], RemotePortNumber: keys[p][2], SentBytes: 100 });
    }
    hash.update(JSON.stringify(g.hunt()));
    hash.update(JSON.stringify(g.save()));
  }
  return { digest: hash.digest('hex').slice(0, 16), tally };
}

describe('pair history row layout', function () {
  this.timeout(60000);

  it('gives the 64-byte rows’ verdicts, rows, saved state and counters on 400 generated stores', () => {
    const { digest, tally } = storesDigest(400);
    // the stores reach every path the layout changed: late connections, full rings, expiry, strobes, periodic pairs
    tally.late.should.be.above(1000);
    tally.forgotten.should.be.above(1000);
    tally.expired.should.be.above(1000);
    tally.strobes.should.be.above(100);
    tally.periodic.should.be.above(0);
    digest.should.equal(DIGEST_OF_64_BYTE_ROWS);
  });

  it('takes whole epoch milliseconds as it takes the same time as a Date (the number path skips the parsed object, nothing else)', () => {
    const T0 = Date.UTC(2024, 4, 6);
    const times = [T0, T0 + 1, T0 + 999, T0 + 1000, T0 + 86_399_999, T0 + 86_400_000, T0 + 3_600_000 * 30 + 7];
    for (let i = 0; i < 2000; i++) times.push(T0 + Math.floor(((i * 7919) % 5003) * 1234.567));
    times.sort((a, b) => a - b);
    const feed = (asDate) => {
      const h = new PairHistory({ horizonSeconds: 86400 });
      times.forEach((t, i) =>
        h.add({ TimeGenerated: asDate ? new Date(t) : t, LocalIP: `10.0.0.${i % 5}`, RemoteNetwork: '45.1.1.0/24', RemotePortNumber: 443 }),
      );
      return h;
    };
    const n = feed(false);
    const d = feed(true);
    JSON.stringify(n.save()).should.equal(JSON.stringify(d.save()));
    JSON.stringify(n.hunt()).should.equal(JSON.stringify(d.hunt()));
    // −0 is 0, and what is not a time (a fraction of a millisecond goes through the parser) is refused or parsed as before
    const z = new PairHistory();
    z.add({ TimeGenerated: -0, LocalIP: '10.0.0.1', RemoteNetwork: '45.1.1.0/24', RemotePortNumber: 443 }).should.be.true();
    Object.is(z.facts(0).last, 0).should.be.true();
    z.add({ TimeGenerated: 8.64e15 + 1000, LocalIP: '10.0.0.1', RemoteNetwork: '45.1.1.0/24', RemotePortNumber: 443 }).should.be.false();
  });

  it('keeps a saved time a ringless row cannot hold (not a whole millisecond) beside an empty ring, and goes on from it', () => {
    const h = new PairHistory();
    const T0 = Date.UTC(2024, 4, 6) / 1000;
    h.addEvent(['10.0.0.1', '45.1.1.0/24', 443], T0 + 100);
    h.addEvent(['10.0.0.2', '45.1.1.0/24', 443], T0 + 200);
    const state = h.save();
    const column = (name, values) => {
      const bytes = Buffer.from(state.columns[name], 'base64');
      const a = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      values(a);
      state.columns[name] = Buffer.from(a.buffer).toString('base64');
    };
    const odd = (T0 + 100) * 1000 + 0.25;
    column('first', (a) => (a[0] = odd));
    column('last', (a) => (a[0] = odd));
    const g = new PairHistory();
    g.restoreState(state);
    g.facts(0).first.should.equal(odd);
    g.facts(0).last.should.equal(odd);
    g.facts(0).count.should.equal(1);
    should(g.save()).eql(state);
    // beside an empty ring (its bytes counted), as a pair with a ring goes on
    g.bytes.should.be.above(new PairHistory().bytes);
    g.addEvent(['10.0.0.1', '45.1.1.0/24', 443], T0 + 160);
    // intervals are whole milliseconds (32 bits), as they always were
    g.intervalsOf(0).seconds.should.eql([59.999]);
    g.facts(0).count.should.equal(2);
  });

  it('restores a saved pair without a ring whose first time is not its last (kept beside an empty ring)', () => {
    const h = new PairHistory();
    const T0 = Date.UTC(2024, 4, 6) / 1000;
    h.addEvent(['10.0.0.1', '45.1.1.0/24', 443], T0 + 100);
    h.addEvent(['10.0.0.2', '45.1.1.0/24', 443], T0 + 200);
    const state = h.save();
    const bytes = Buffer.from(state.columns.first, 'base64');
    const first = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    first[0] = (T0 + 40) * 1000;
    state.columns.first = Buffer.from(first.buffer).toString('base64');
    const g = new PairHistory();
    g.restoreState(state);
    g.facts(0).first.should.equal((T0 + 40) * 1000);
    g.facts(0).last.should.equal((T0 + 100) * 1000);
    g.facts(1).first.should.equal((T0 + 200) * 1000);
    should(g.save()).eql(state);
    // and it goes on as a pair with a ring: the next connection's interval is from its last
    g.addEvent(['10.0.0.1', '45.1.1.0/24', 443], T0 + 160);
    g.facts(0).first.should.equal((T0 + 40) * 1000);
    g.intervalsOf(0).seconds.should.eql([60]);
  });
});
