'use strict';
// The site bench's feed thread: the same records, in the same order and
// shape, and the same labelled pairs as the generator run in-process.
const assert = require('assert');
const { SiteStream } = require('../../dist/dev/bench-site');
const { SiteFeed } = require('../../dist/dev/site-feed');

describe('site feed thread (bench-site-red)', function () {
  this.timeout(60000);

  it("yields the generator's records and labels, batch by batch, across chunked fills", async function () {
    const options = { hosts: 30, days: 1, seed: 22, ringSize: 256, maxBytes: null };
    const stream = new SiteStream(options);
    const feed = new SiteFeed(options);
    try {
      const batch = [];
      let batches = 0;
      for (;;) {
        if (batches % 3 === 0) feed.fill(3);
        stream.next(batch);
        const got = feed.next();
        assert.deepStrictEqual(got, batch, `batch ${batches}`);
        if (batch.length === 0) break;
        for (let i = 0; i < got.length; i++) assert.deepStrictEqual(Object.keys(got[i]), Object.keys(batch[i]));
        batches++;
      }
      assert.ok(batches > 10, `${batches} batches`);
      assert.deepStrictEqual([...feed.expected], [...stream.expected]);
      assert.ok(feed.feedHeapBytes > 0);
      assert.deepStrictEqual(feed.next(), []);
    } finally {
      await feed.close();
    }
  });
});
