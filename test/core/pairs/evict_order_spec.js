'use strict';
/**
 * The orders an eviction pass takes its candidates in, without a full sort:
 * the k-th smallest time found by partitioning, and candidates handed out
 * in sorted batches. Over generated inputs (long runs of equal times, sorted
 * and reversed input, every batch size) they give exactly what a sort gives.
 */
require('should');
const { kthSmallest, OrderedBatches } = require('../../../dist/core/pairs/evict-order');
const { Random } = require('../../../dist/tools/random');

function values(rnd, n, shape) {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (shape === 0) v[i] = Math.floor(rnd.next() * 1e12);
    else if (shape === 1)
      v[i] = 1.7e12 + Math.floor(rnd.next() * 5) * 1000; // a few distinct times
    else if (shape === 2)
      v[i] = i; // sorted
    else if (shape === 3)
      v[i] = n - i; // reversed
    else v[i] = 42; // all equal
  }
  return v;
}

describe('eviction order (evict-order)', () => {
  it('kthSmallest is the sorted values’ k-th, whatever the input', () => {
    const rnd = new Random(5);
    let checked = 0;
    for (let round = 0; round < 300; round++) {
      const n = 1 + Math.floor(rnd.next() * (round < 200 ? 60 : 5000));
      const v = values(rnd, n, round % 5);
      const sorted = Float64Array.from(v).sort();
      for (const k of [0, n - 1, Math.floor(rnd.next() * n)]) {
        kthSmallest(Float64Array.from(v), n, k).should.equal(sorted[k]);
        checked++;
      }
    }
    checked.should.equal(900);
    (() => kthSmallest(new Float64Array(3), 3, 3)).should.throw(/internal/);
  });

  it('OrderedBatches hands out a full sort’s order, batch by batch, for any batch sizes', () => {
    const rnd = new Random(11);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(rnd.next() * (round < 100 ? 50 : 4000));
      // a doubt with many ties, then the time, then the index: a strict total order, as the store's
      const doubt = values(rnd, n, round % 5);
      const last = values(rnd, n, (round + 1) % 5);
      const before = (a, b) => doubt[b] - doubt[a] || last[a] - last[b] || a - b;
      const expected = Array.from({ length: n }, (_, i) => i).sort(before);
      const order = new OrderedBatches(n, before);
      const got = [];
      while (!order.done) for (const i of order.next(1 + Math.floor(rnd.next() * rnd.next() * n))) got.push(i);
      got.should.eql(expected);
    }
  });
});
