'use strict';
// The site benchmark's generator: the same seed gives the same records, so
// figures measured before and after a change to its speed stay comparable.
const assert = require('assert');
const crypto = require('crypto');
const { SiteStream } = require('../../dist/dev/bench-site');
const { TimeHeap } = require('../../dist/dev/time-heap');
const { MinHeap } = require('../../dist/core/common/heap');
const { Random } = require('../../dist/tools/random');

/** sha-256 of every record's fields in order, and how many */
function digest(options) {
  const stream = new SiteStream({ seed: 22, ringSize: 256, maxBytes: null, ...options });
  const hash = crypto.createHash('sha256');
  const batch = [];
  let records = 0;
  let late = 0;
  let last = -Infinity;
  for (;;) {
    stream.next(batch);
    if (batch.length === 0) break;
    for (const r of batch) {
      hash.update(`${r.TimeGenerated}|${r.LocalIP}|${r.RemoteIP}|${r.RemoteNetwork}|${r.RemotePortNumber}|${r.SentBytes}|${Object.keys(r).join(',')}\n`);
      if (r.TimeGenerated < last - 2000) late++;
      last = Math.max(last, r.TimeGenerated);
    }
    records += batch.length;
  }
  return { records, hex: hash.digest('hex'), late };
}

describe('site benchmark stream', function () {
  this.timeout(120000);

  it('gives the records it gave before it was made faster (seed 22, 40 hosts × 7 days)', function () {
    // the digest of the generator as it was (a comparator heap, a Date per browse), all fields, in order
    const d = digest({ hosts: 40, days: 7 });
    assert.strictEqual(d.records, GOLDEN.records);
    assert.strictEqual(d.hex, GOLDEN.hex);
    assert.strictEqual(d.late, 0, 'no record more than 2 s behind the latest');
  });

  it('a different seed gives different records', function () {
    const a = digest({ hosts: 5, days: 1 });
    const b = digest({ hosts: 5, days: 1, seed: 23 });
    assert.notStrictEqual(a.hex, b.hex);
  });
});

describe('TimeHeap', function () {
  it('keeps the same top as MinHeap through pushes and retimings, ties included', function () {
    const rnd = new Random(7);
    const fast = new TimeHeap(2);
    const slow = new MinHeap((a, b) => a.t < b.t);
    // whole times from a small range, so many entries tie
    for (let id = 0; id < 500; id++) {
      const t = rnd.int(0, 50);
      fast.push(id, t);
      slow.push({ id, t });
      assert.strictEqual(fast.topId, slow.peek().id);
    }
    for (let step = 0; step < 20000; step++) {
      const top = slow.peek();
      top.t += rnd.int(0, 20);
      slow.topChanged();
      fast.retimeTop(top.t);
      assert.strictEqual(fast.topId, slow.peek().id, `step ${step}`);
    }
    assert.strictEqual(fast.size, 500);
  });

  it('is empty until pushed', function () {
    const heap = new TimeHeap();
    assert.strictEqual(heap.topId, undefined);
    heap.push(3, 1.5);
    assert.strictEqual(heap.topId, 3);
  });
});

const GOLDEN = { records: 963789, hex: '94a5aa66a6eec694051d0949af7d10a5b9f2ac8d6f6ad89094db2ef26db1ee91' };
