'use strict';
// The site bench's GC accounting: pauses are attributed to the part whose clock window they started in.

const assert = require('assert');
const v8 = require('v8');
const vm = require('vm');
const { GcPauses, addPauses, describePauses } = require('../../dist/dev/gc-pauses');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

/** A turn of the event loop: gc entries reach the observer after it. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('GC pauses (bench-site-red)', function () {
  it('counts the full collections and scavenges inside a window, and none outside it', async function () {
    const pauses = new GcPauses();
    try {
      const before = pauses.now();
      await turn();
      const from = pauses.now();
      gc(); // a full collection
      gc({ type: 'minor' }); // a scavenge
      const to = pauses.now();
      await turn();
      await turn();
      const inside = pauses.between(from, to);
      assert.ok(inside.major >= 1, `full collections inside: ${describePauses(inside)}`);
      assert.ok(inside.minor >= 1, `scavenges inside: ${describePauses(inside)}`);
      assert.ok(inside.majorMs > 0);
      // outside the window: no full collection in an idle turn (V8 may still scavenge or mark a step
      // there on a loaded run, so those are not asserted zero); and windows add up, none counted twice
      const outside = pauses.between(before, from);
      assert.strictEqual(outside.major, 0, `full collections before the window: ${describePauses(outside)}`);
      const whole = pauses.between(before, to);
      assert.strictEqual(whole.major, outside.major + inside.major);
      assert.strictEqual(whole.minor, outside.minor + inside.minor);
      assert.ok(Math.abs(whole.minorMs - (outside.minorMs + inside.minorMs)) < 1e-9);
      const twice = addPauses([inside, inside]);
      assert.strictEqual(twice.major, 2 * inside.major);
      assert.strictEqual(twice.minorMs, 2 * inside.minorMs);
    } finally {
      pauses.stop();
    }
  });

  it('keeps every pause past its first arrays (they grow)', async function () {
    const pauses = new GcPauses();
    try {
      const from = pauses.now();
      for (let i = 0; i < 5000; i++) gc({ type: 'minor' });
      const to = pauses.now();
      await turn();
      await turn();
      assert.ok(pauses.between(from, to).minor >= 5000, describePauses(pauses.between(from, to)));
    } finally {
      pauses.stop();
    }
  });
});
