'use strict';
/**
 * beacon-syslog-in in node-red-node-test-helper, with real sockets on
 * 127.0.0.1: UDP, TCP (newline and octet-counted) and TLS; batching,
 * parsing in the node, counters, and bad input (oversized frames, a flood of
 * connections, half-open peers, garbage and binary datagrams, a wrong bind
 * address): counted, reported, nothing crashes.
 */
const dgram = require('dgram');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const tls = require('tls');
const { spawnSync } = require('child_process');
const { helper, should, node } = require('./harness');
const { freePort } = require('../e2e/support/node-red-process');
const { receiveBufferMax } = require('../../dist/input/kernel-counters');
const { SyslogListener } = require('../../dist/input/syslog-listener');

const syslogIn = node('beacon-syslog-in');
const { CORE_NODES: CORE } = require('../support/node-red');
const tlsConfig = require(path.join(CORE, 'core', 'network', '05-tls.js'));

const CEF = (i) =>
  `<14>1 2024-05-08T08:10:${String(i % 60).padStart(2, '0')}Z fw01 - - - - CEF:0|Palo Alto Networks|PAN-OS|10.1|end|TRAFFIC|1|rt=May 08 2024 08:10:${String(i % 60).padStart(2, '0')} GMT src=10.0.0.${i % 250} dst=52.1.2.3 spt=${40000 + i} dpt=443 in=84 out=96 dvchost=fw01`;

/** Polls until test() holds (completion, with a deadline: never a timing assertion). */
async function until(what, test, seconds = 20) {
  const deadline = Date.now() + seconds * 1000;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Loads the node (n1) with probes on its three outputs; resolves once it listens. */
async function load(config, extra = []) {
  const flow = [
    { id: 'f1', type: 'tab' },
    { id: 'n1', z: 'f1', type: 'beacon-syslog-in', name: 'under test', ...config, wires: [['o1'], ['o2'], ['o3']] },
    { id: 'o1', z: 'f1', type: 'helper' },
    { id: 'o2', z: 'f1', type: 'helper' },
    { id: 'o3', z: 'f1', type: 'helper' },
    ...extra,
  ];
  await helper.load([syslogIn, tlsConfig], flow);
  const got = { o1: [], o2: [], o3: [] };
  for (const id of Object.keys(got)) helper.getNode(id).on('input', (msg) => got[id].push(msg));
  const n1 = helper.getNode('n1');
  const statuses = [];
  const status = n1.status.bind(n1);
  n1.status = (s) => (statuses.push(s), status(s));
  got.statuses = statuses;
  got.lines = () => got.o1.filter((m) => !m.flush && !m.reset).flatMap((m) => [].concat(m.payload));
  return got;
}

/** Asks the node for its counters (output 3). */
async function counters(got) {
  const before = got.o3.length;
  helper.getNode('n1').receive({});
  await until('counters', () => got.o3.length > before);
  return got.o3[got.o3.length - 1].payload;
}

function sendUdp(port, datagrams) {
  const s = dgram.createSocket('udp4');
  return datagrams
    .reduce(
      (p, d) =>
        p.then(() => new Promise((resolve, reject) => s.send(Buffer.isBuffer(d) ? d : Buffer.from(d), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())))),
      Promise.resolve(),
    )
    .finally(() => s.close());
}

function connect(port, host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const c = net.connect({ port, host });
    c.once('connect', () => resolve(c)).once('error', reject);
  });
}

describe('beacon-syslog-in node', function () {
  beforeEach((done) => void helper.startServer(done));
  afterEach(async () => {
    await helper.unload();
    await new Promise((r) => helper.stopServer(r));
  });

  it('UDP: hands lines on in batches of at most N, the rest after T ms, in arrival order', async function () {
    const port = await freePort();
    const got = await load({ transport: 'udp', port, batchLines: 3, batchMs: 20 });
    await until('listening', () => got.statuses.some((s) => s.fill === 'green'));
    const lines = Array.from({ length: 7 }, (_, i) => `line ${i}`);
    await sendUdp(port, lines);
    await until('7 lines', () => got.lines().length >= 7);
    got.lines().should.eql(lines);
    for (const m of got.o1) m.payload.should.be.an.Array().and.have.property('length').belowOrEqual(3);
    const c = await counters(got);
    c.total.lines.should.equal(7);
    c.senders['127.0.0.1'].lines.should.equal(7);
    c.total.bytes.should.equal(lines.join('').length);
    c.kernel.should.have.keys('socketDrops', 'RcvbufErrors', 'InErrors');
    got.statuses[got.statuses.length - 1].text.should.match(/^udp 127\.0\.0\.1:\d+ · 7 lines · 1 senders$/);
  });

  it('UDP is read in a thread of its own: deploy and redeploy on the same port leave no thread behind, and each deploy reads its lines', async function () {
    const baseline = SyslogListener.liveThreads;
    const port = await freePort(); // the same port each time: a closed node has released it
    for (let round = 0; round < 4; round++) {
      const got = await load({ transport: 'udp', port, batchLines: 10, batchMs: 5 });
      await until('listening', () => got.statuses.some((s) => s.fill === 'green'));
      SyslogListener.liveThreads.should.equal(baseline + 1);
      await sendUdp(port, [`round ${round}`]);
      await until('the line', () => got.lines().length === 1);
      got.lines().should.eql([`round ${round}`]);
      await helper.unload();
      SyslogListener.liveThreads.should.equal(baseline);
    }
  });

  it('UDP receive buffer: asks the kernel for it, and warns (naming rmem_max) when the kernel allows less', async function () {
    const max = receiveBufferMax();
    if (max === null) {
      console.log('      skipped: /proc/sys/net/core/rmem_max is not readable here');
      return this.skip();
    }
    const port = await freePort();
    const got = await load({ transport: 'udp', port, receiveBuffer: Math.ceil((2 * max) / 1024) });
    await until('listening', () => got.statuses.some((s) => s.fill === 'green'));
    const warned = helper.getNode('n1').warn.args.map((a) => String(a[0]));
    warned.should.have.length(1);
    warned[0].should.match(/kernel allows \d+ \(net\.core\.rmem_max\)/);
    const c = await counters(got);
    c.receiveBufferBytes.should.be.aboveOrEqual(max); // Linux grants up to the cap (and reports it doubled)
  });

  it("parses in the node with beacon-parse's parser: CEF records; garbage and binary datagrams go to output 2, counted", async function () {
    const port = await freePort();
    const got = await load({ transport: 'udp', port, batchLines: 1000, batchMs: 10, parse: true, maxFrameBytes: 2048 });
    await until('listening', () => got.statuses.some((s) => s.fill === 'green'));
    const garbage = [Buffer.from([0, 1, 2, 255, 254, 10, 13, 0x80]), 'not a log line', Buffer.alloc(3000, 0x41), '{"broken json'];
    await sendUdp(port, [CEF(1), ...garbage, CEF(2)]);
    // the binary datagram holds a newline: two lines
    await until('records and rejects', () => got.lines().length >= 2 && got.o2.length >= 4);
    const records = got.lines();
    records.map((r) => r.SourceIP).should.eql(['10.0.0.1', '10.0.0.2']);
    records[0].should.containDeep({
      DeviceVendor: 'Palo Alto Networks',
      Activity: 'TRAFFIC',
      DestinationPort: 443,
      Computer: 'fw01',
      TimeGenerated: '2024-05-08T08:10:01.0000000Z',
    });
    got.o2.length.should.equal(4);
    for (const m of got.o2) m.should.have.properties('payload', 'error', 'ip');
    const c = await counters(got);
    c.total.should.containDeep({ lines: 6, parseErrors: 4, oversized: 1 });
    got.statuses[got.statuses.length - 1].text.should.match(/4 unparsed · 1 oversized/);
    // still alive and parsing
    await sendUdp(port, [CEF(3)]);
    await until('third record', () => got.lines().length >= 3);
  });

  it("Parse in: absent reads as auto (this process's CPUs decide); a parse thread and the flow's thread give the same records, and the status, log and counters say where", async function () {
    const { parsePlace, availableCores } = require('../../dist/input/parse-place');
    const sent = [1, 2, 3, 4, 5].map(CEF);
    const byPlace = {};
    for (const parseIn of [undefined, 'thread', 'flow']) {
      const port = await freePort();
      const got = await load({ transport: 'udp', port, batchLines: 1000, batchMs: 10, parse: true, ...(parseIn ? { parseIn } : {}) });
      await until('listening', () => got.statuses.some((s) => s.fill === 'green'));
      await sendUdp(port, sent);
      await until('5 records', () => got.lines().length >= 5);
      const c = await counters(got);
      const expected = parseIn ?? (parsePlace('auto', availableCores()).thread ? 'thread' : 'flow');
      c.parseIn.should.equal(expected);
      c.total.should.containDeep({ lines: 5, parseErrors: 0, queueDropped: 0 });
      got.statuses[got.statuses.length - 1].text.should.match(expected === 'thread' ? / · parse thread · 5 lines/ : / · parsed on flow · 5 lines/);
      const logged = helper
        .getNode('n1')
        .log.args.map((a) => String(a[0]))
        .join('\n');
      logged.should.match(parseIn ? /parsing in .*, as set/ : /parsing in .*\(auto: \d+ CPUs/);
      byPlace[parseIn ?? 'auto'] = got.lines();
      await helper.unload();
    }
    byPlace.thread.map((r) => r.SourcePort).should.eql([40001, 40002, 40003, 40004, 40005]);
    byPlace.flow.should.eql(byPlace.thread);
    byPlace.auto.should.eql(byPlace.thread);
  });

  it('a batch of 1 gives one line per message, with the sender in msg.ip; a flush passes on after the lines', async function () {
    const port = await freePort();
    const got = await load({ transport: 'udp', port, batchLines: 1, batchMs: 1000 });
    await until('listening', () => got.statuses.some((s) => s.fill === 'green'));
    await sendUdp(port, ['a', 'b']);
    await until('2 lines', () => got.o1.length >= 2);
    got.o1.map((m) => m.payload).should.eql(['a', 'b']);
    got.o1[0].ip.should.equal('127.0.0.1');
    helper.getNode('n1').receive({ flush: true, payload: 'x' });
    await until('flush', () => got.o1.some((m) => m.flush));
    should(got.o1[2].payload).be.undefined();
  });

  it('TCP: newline and octet-counted frames from any chunking; a last line without its newline at FIN is incomplete, not a frame', async function () {
    const port = await freePort();
    const got = await load({ transport: 'tcp', port, batchLines: 100, batchMs: 10 });
    await until('listening', () => got.statuses.some((s) => s.fill === 'green'));
    const frames = ['<14>1 2024-05-08T08:10:31Z fw01 - - - - hello world', 'plain line 1', '<13>May  8 08:10:31 fw01 app: bsd', '123 plain with digits'];
    const wire = `${Buffer.byteLength(frames[0])} ${frames[0]}${frames[1]}\n${Buffer.byteLength(frames[2])} ${frames[2]}\n${frames[3]}\nunterminated`;
    const c = await connect(port);
    const bytes = Buffer.from(wire);
    for (let i = 0; i < bytes.length; i += 7) c.write(bytes.subarray(i, i + 7)); // frames cut anywhere
    c.end(); // half-close: the last line has no newline
    // the node closed its side once the peer had finished
    await new Promise((r) => (c.readableEnded ? r() : c.once('end', r)));
    await until('4 frames', () => got.lines().length >= 4);
    const counts = await counters(got);
    got.lines().should.eql(frames);
    counts.total.incomplete.should.equal(1);
  });

  it('TCP: an octet-counted frame cut short by FIN is counted incomplete and never parsed (no record with truncated values)', async function () {
    const port = await freePort();
    const got = await load({ transport: 'tcp', port, batchLines: 100, batchMs: 10, parse: true });
    await until('listening', () => got.statuses.some((s) => s.fill === 'green'));
    const whole = CEF(1);
    const cut = CEF(2).replace('in=84', 'in=87654');
    const c = await connect(port);
    c.on('error', () => undefined);
    // the second frame loses its last 30 bytes ("in=87654 …" would read as in=876)
    c.end(`${Buffer.byteLength(whole)} ${whole}${Buffer.byteLength(cut)} ${cut.slice(0, cut.indexOf('in=87654') + 6)}`);
    await new Promise((r) => (c.readableEnded ? r() : c.once('end', r)));
    await until('the whole frame', () => got.lines().length >= 1);
    const counts = await counters(got);
    counts.total.should.containDeep({ lines: 1, incomplete: 1, parseErrors: 0 });
    got
      .lines()
      .map((r) => r.SourceIP)
      .should.eql(['10.0.0.1']);
    got.o2.should.have.length(0);
  });

  it('TCP: an oversized frame is skipped and counted; the frames around it arrive intact', async function () {
    const port = await freePort();
    const got = await load({ transport: 'tcp', port, batchLines: 100, batchMs: 10, maxFrameBytes: 1024, framing: 'auto' });
    await until('listening', () => got.statuses.some((s) => s.fill === 'green'));
    const c = await connect(port);
    const big = 'x'.repeat(200000);
    const huge = `<14>1 - - - - - - ${'y'.repeat(5000)}`;
    c.write(`before\n${big}\nafter\n${Buffer.byteLength(huge)} ${huge}end\n`);
    await until('3 lines', () => got.lines().length >= 3);
    got.lines().should.eql(['before', 'after', 'end']);
    const counts = await counters(got);
    counts.total.oversized.should.equal(2);
    c.destroy();
  });

  it('caps connections: a flood beyond the cap is refused and counted; the connections inside it keep working', async function () {
    const port = await freePort();
    const got = await load({ transport: 'tcp', port, maxConnections: 3, batchLines: 10, batchMs: 10 });
    await until('listening', () => got.statuses.some((s) => s.fill === 'green'));
    const clients = [];
    const closed = [];
    for (let i = 0; i < 20; i++) {
      const c = await connect(port);
      c.on('error', () => undefined);
      c.on('close', () => closed.push(c));
      clients.push(c);
    }
    await until('17 refused', () => closed.length >= 17);
    const alive = clients.filter((c) => !closed.includes(c));
    alive.length.should.equal(3);
    alive.forEach((c, i) => c.write(`alive ${i}\n`));
    await until('3 lines', () => got.lines().length >= 3);
    got.lines().sort().should.eql(['alive 0', 'alive 1', 'alive 2']);
    const counts = await counters(got);
    counts.connectionsRejected.should.equal(17);
    counts.openConnections.should.equal(3);
    got.statuses[got.statuses.length - 1].text.should.match(/17 refused/);
    alive.forEach((c) => c.destroy());
  });

  it('closes a half-open connection after the idle timeout and counts its unfinished frame', async function () {
    const port = await freePort();
    const got = await load({ transport: 'tcp', port, idleTimeout: 1, batchLines: 10, batchMs: 10 });
    await until('listening', () => got.statuses.some((s) => s.fill === 'green'));
    const c = await connect(port);
    let closed = false;
    c.on('close', () => (closed = true));
    c.write('complete line\nunfinished fra');
    await until('the idle connection closed by the server', () => closed, 30);
    const counts = await counters(got);
    counts.connectionsTimedOut.should.equal(1);
    counts.total.incomplete.should.equal(1);
    counts.openConnections.should.equal(0);
    got.lines().should.eql(['complete line']);
  });

  it('listens on the bind address only: bound to 127.0.0.1, a connection to 127.0.0.2 is refused', async function () {
    const port = await freePort();
    const got = await load({ transport: 'tcp', port, host: '127.0.0.1' });
    await until('listening', () => got.statuses.some((s) => s.fill === 'green'));
    const err = await connect(port, '127.0.0.2').then(
      (c) => (c.destroy(), null),
      (e) => e,
    );
    should(err).not.be.null();
    err.code.should.equal('ECONNREFUSED');
    const ok = await connect(port, '127.0.0.1');
    ok.destroy();
  });

  it('TLS (RFC 5425): octet-counted frames over a TLS connection, key and certificate from a tls-config node', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-tls-'));
    try {
      const made = spawnSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-keyout',
          path.join(dir, 'key.pem'),
          '-out',
          path.join(dir, 'cert.pem'),
        ],
        { encoding: 'utf8' },
      );
      if (made.status !== 0) {
        console.log(`      skipped: openssl could not make a certificate (${(made.stderr || made.error?.message || '').trim().slice(0, 200)})`);
        return this.skip();
      }
      const port = await freePort();
      const got = await load({ transport: 'tls', port, tls: 't1', batchLines: 10, batchMs: 10 }, [
        { id: 't1', type: 'tls-config', cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem'), ca: '', verifyservercert: false },
      ]);
      await until('listening', () => got.statuses.some((s) => s.fill === 'green'));
      const frames = ['<14>1 2024-05-08T08:10:31Z fw01 - - - - over tls 1', '<14>1 2024-05-08T08:10:32Z fw01 - - - - over tls 2'];
      const ca = fs.readFileSync(path.join(dir, 'cert.pem'));
      const c = await new Promise((resolve, reject) => {
        const s = tls.connect({ port, host: '127.0.0.1', ca, checkServerIdentity: () => undefined });
        s.once('secureConnect', () => resolve(s)).once('error', reject);
      });
      c.authorized.should.be.true();
      c.end(frames.map((f) => `${Buffer.byteLength(f)} ${f}`).join(''));
      await until('2 frames', () => got.lines().length >= 2);
      got.lines().should.eql(frames);
      // plain text where a ClientHello should be: a failed handshake, counted for its sender and shown
      const plain = await connect(port);
      plain.on('error', () => undefined);
      plain.write('<14>1 2024-05-08T08:10:33Z fw01 - - - - not over tls\n');
      await until('the failed handshake closed', () => plain.destroyed || plain.readableEnded);
      await until('counted', async () => (await counters(got)).total.handshakeFailed === 1);
      const counts = await counters(got);
      counts.senders['127.0.0.1'].handshakeFailed.should.equal(1);
      counts.total.lines.should.equal(2);
      await until('status', () => /1 TLS failed/.test(got.statuses[got.statuses.length - 1].text));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('invalid settings: red status, no listener, every input answered with an error', async function () {
    await helper.load([syslogIn], [{ id: 'n1', type: 'beacon-syslog-in', port: 'x', wires: [[], [], []] }]);
    const n1 = helper.getNode('n1');
    n1.error.args
      .map((a) => String(a[0]))
      .join()
      .should.match(/port: a port from 1 to 65535/);
    const err = await new Promise((resolve) => {
      n1.on('call:error', (call) => /invalid settings, see/.test(String(call.args[0])) && resolve(call.args[0]));
      n1.receive({});
    });
    String(err).should.match(/invalid settings/);
  });

  it('a port in use: red status that says so; close() frees the port for the next deploy', async function () {
    const port = await freePort();
    const blocker = net.createServer().listen(port, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const got = await load({ transport: 'tcp', port });
    await until('failure status', () => got.statuses.some((s) => s.fill === 'red'));
    got.statuses.find((s) => s.fill === 'red').text.should.equal(`port ${port} in use`);
    await new Promise((r) => blocker.close(r));
    await helper.unload();
    const again = await load({ transport: 'tcp', port });
    await until('listening', () => again.statuses.some((s) => s.fill === 'green'));
    await helper.unload();
    // closed: the port can be bound again
    const probe = net.createServer().listen(port, '127.0.0.1');
    await new Promise((r, j) => probe.once('listening', r).once('error', j));
    await new Promise((r) => probe.close(r));
  });
});
