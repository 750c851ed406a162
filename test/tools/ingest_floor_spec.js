'use strict';
// The floor under a UDP input (profile-ingest --live --floor): a bare dgram socket fed by netbeacon-replay.

const assert = require('assert');
const fs = require('fs');
const { udpFloor, formatFloor } = require('../../dist/dev/ingest-threads');

describe('UDP floor (profile-ingest --floor)', function () {
  this.timeout(60000);

  before(function () {
    if (!fs.existsSync('/proc/net/udp') || !fs.existsSync('/proc/self/task')) {
      console.log('      (skipped: the floor reads /proc/net/udp and /proc/self/task, absent on this system)');
      this.skip();
    }
  });

  it('accounts for every line sent: received plus the kernel drops, with the CPU of receiver and sender', async function () {
    const r = await udpFloor(2000, 20000);
    assert.strictEqual(r.lines, 2000);
    assert.strictEqual(r.received + r.kernelDrops, 2000, `received ${r.received}, kernel dropped ${r.kernelDrops}`);
    assert.ok(r.received > 0);
    // per line, in µs: a count of real work, never negative or missing
    for (const [name, v] of Object.entries(r.perLine)) assert.ok(Number.isFinite(v) && v >= 0, `${name} ${v}`);
    assert.ok(r.perLine.senderSending > 0, 'the sender reports its CPU while sending');
    assert.match(formatFloor(r), /received \d+ \(\d+\.\d\d %\), kernel dropped \d+\n/);
  });
});
