'use strict';
/**
 * Reading ahead (`readAhead`) only reads: the hash slots, rows, ring heads
 * and ring places of the next records' pairs, their key codes and hashes
 * kept for `add` to reuse when it is given the same record with the same
 * values under the same coding. Over the generated streams of the sweep's
 * test (floods of one-shot pairs, late connections, thousands of interned
 * names re-interned as pairs expire, caps that evict, a restore), a store
 * that reads ahead shows what one that does not shows, whether it reads
 * ahead exactly the records it is given next, more of them, fewer, or
 * records it is not given in that order.
 */
require('should');
const pairs = require('../../../dist/core/pairs');
const { PairTable } = require('../../../dist/core/pairs/pair-table');
const { RingPool } = require('../../../dist/core/pairs/ring-pool');
const { runCase } = require('./sweep-streams');

describe('pair history read-ahead', function () {
  this.timeout(120000);

  it('shows the same size, bytes, counters, verdicts, rows and saved state as a store that does not read ahead', () => {
    const patterns = [
      { every: 16, span: 16, skew: 0 },
      { every: 7, span: 16, skew: 0 },
      { every: 5, span: 9, skew: 1 },
      { every: 3, span: 16, skew: -2 },
    ];
    for (let c = 0; c < 40; c++) {
      const plain = runCase(pairs, c, {}, null);
      for (const ahead of patterns) runCase(pairs, c, {}, null, ahead).should.equal(plain, `case ${c}, ${JSON.stringify(ahead)}`);
    }
  });

  it('reads ahead the row of a pair whose home slot another pair took, and no row for a pair not held', () => {
    // pairs whose hashes share a home slot: the second is indexed in a later slot of the run, and used to be read ahead by
    // nobody (only the home slot was looked at)
    const table = new PairTable(3);
    table.base = 0;
    const codes = (i) => Float64Array.of(i, 7, 443);
    const home = new Map();
    let pair = null;
    for (let i = 1; !pair; i++) {
      const slot = table.home(table.hash(codes(i)));
      if (home.has(slot)) pair = [home.get(slot), i];
      else home.set(slot, i);
    }
    const [a, b] = pair;
    const ha = table.hash(codes(a));
    const hb = table.hash(codes(b));
    (ha === hb).should.be.false();
    table.append(codes(a), 1000, 0, ha).should.equal(0);
    table.append(codes(b), 2000, 0, hb).should.equal(1);
    table.find(codes(b), hb).should.equal(1);
    table.probeRow(ha).should.equal(0);
    table.probeRow(hb).should.equal(1);
    // a hash with the same home slot and another tag: its run holds no row for it
    let c = b + 1;
    while (table.home(table.hash(codes(c))) !== table.home(ha)) c++;
    table.probeRow(table.hash(codes(c))).should.equal(-1);
  });

  it('reads ahead the key of the row and the last time of the ring (through the view add reads it by), the current ring page left as it was', () => {
    // a 20-byte row crosses a cache line one time in four, and find compares its key; a ring's times are read through a
    // page's f64 view, an object of its own beside the word view the head word is read by
    const table = new PairTable(3);
    table.base = 0;
    const rows = [];
    for (let i = 0; i < 40; i++) {
      const codes = Float64Array.of(0x0a000000 + i * 977, 7 + i, 443);
      rows.push(table.append(codes, 1000 + i, 0, table.hash(codes)));
    }
    table.setRing(rows[29], 0, 5);
    table.ringRef(rows[29]).should.equal(5);
    table.aheadKey.should.equal(0x0a000000 + 29 * 977);
    table.ringRef(rows[17]).should.equal(-1);
    table.aheadKey.should.equal(0x0a000000 + 17 * 977);
    // rings of 256 intervals: 32 to a page, so the 600 slots span 19 pages
    const pool = new RingPool(256, true);
    const slots = Array.from({ length: 600 }, (_, i) => pool.alloc(i));
    for (const s of slots) pool.setFacts(s, 1.5e12 + s, 1.6e12 + s * 1000.5, 2, 1, 0, 1);
    pool.at(slots[0]);
    const current = pool.cf;
    pool.peekLast(slots[599]).should.equal(1.6e12 + 599 * 1000.5);
    pool.peekLast(slots[1]).should.equal(1.6e12 + 1000.5);
    pool.cf.should.equal(current);
    pool.pageOf(slots[599]).should.equal(18);
    pool.last(slots[599]).should.equal(1.6e12 + 599 * 1000.5);
  });

  it('reuses a record read ahead only with the values it had then', () => {
    const options = { keyFields: ['LocalIP', 'RemoteNetwork', 'RemotePortNumber'], timeField: 'TimeGenerated' };
    const T0 = Date.UTC(2024, 4, 6);
    const feed = (ahead) => {
      const h = new pairs.PairHistory(options);
      const records = Array.from({ length: 64 }, (_, i) => ({
        TimeGenerated: T0 + i * 1000,
        LocalIP: `10.0.0.${i % 5}`,
        RemoteNetwork: i % 3 === 0 ? 'name-a' : '45.1.2.0/24',
        RemotePortNumber: 443,
      }));
      for (let i = 0; i < records.length; i++) {
        if (ahead && i % 16 === 0) h.readAhead(records, i, i + 16);
        // a record changed after it was read ahead: its new key counts
        if (i % 16 === 5) records[i].LocalIP = '10.9.9.9';
        if (i % 16 === 9) records[i].RemoteNetwork = 'name-b';
        h.add(records[i]);
      }
      return JSON.stringify(h.save());
    };
    const plain = feed(false);
    feed(true).should.equal(plain);
    plain.should.match(/name-b/);
  });
});
