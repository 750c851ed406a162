'use strict';
/**
 * The ports tests and benchmarks take. A port from listen(0) lies in the
 * ephemeral range, where any outgoing connection's local end can take it
 * before Node-RED binds it ("port in use", seen in CI): ours come from below it.
 */
const assert = require('assert');
const dgram = require('dgram');
const net = require('net');
const { ephemeralRange, freePort } = require('../../dist/run/ports');

const bindTcp = (port) =>
  new Promise((resolve, reject) => {
    const srv = net.createServer().once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });

describe('free ports (tests and benchmarks)', function () {
  it('are distinct, below the ephemeral range, and free for TCP and UDP', async function () {
    const [low] = ephemeralRange();
    const ports = [];
    for (let i = 0; i < 60; i++) ports.push(await freePort());
    assert.strictEqual(new Set(ports).size, ports.length);
    if (low > 20000) for (const p of ports) assert.ok(p >= 20000 && p < low, `${p} outside [20000, ${low})`);
    for (const p of ports.slice(0, 10)) {
      const srv = await bindTcp(p);
      const udp = dgram.createSocket('udp4');
      await new Promise((resolve, reject) => udp.once('error', reject).bind(p, '127.0.0.1', resolve));
      await new Promise((r) => udp.close(r));
      await new Promise((r) => srv.close(r));
    }
  });

  it('never gives a port another socket holds', async function () {
    // hold many ports below the range; none of them may come back
    const held = [];
    for (let i = 0; i < 1000; i++) {
      try {
        held.push(await bindTcp(20000 + i * 3));
      } catch {
        // taken already: just as good
      }
    }
    const heldPorts = new Set(held.map((s) => s.address().port));
    try {
      for (let i = 0; i < 100; i++) assert.ok(!heldPorts.has(await freePort()));
    } finally {
      await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
    }
  });
});
