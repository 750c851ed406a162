'use strict';
/**
 * beacon-syslog-in under attack, with real sockets on 127.0.0.x: stalled TLS
 * handshakes against the connection cap (held file descriptors bounded,
 * refusals and failed handshakes counted and shown), a slowloris of the
 * cap's size that cannot lock a new sender out (per-sender cap, progress
 * timeout), and parse errors reaching a Catch node once per batch, as text.
 * No sleeps: every wait is for a condition.
 */
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { helper, should, node, catchNode } = require('./harness');
const { freePort } = require('../e2e/support/node-red-process');
const { SyslogListener } = require('../../dist/input/syslog-listener');
const { IngestCounters } = require('../../dist/input/ingest-counters');

const dgram = require('dgram');

const syslogIn = node('beacon-syslog-in');
const delta = node('beacon-delta');
const { CORE_NODES: CORE } = require('../support/node-red');
const tlsConfig = require(path.join(CORE, 'core', 'network', '05-tls.js'));

/** Polls until test() holds (completion, with a deadline: never a timing assertion). */
async function until(what, test, seconds = 30) {
  const deadline = Date.now() + seconds * 1000;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Loads the node (n1) with probes on its outputs and a Catch node (k1 → c1); resolves once it listens. */
async function load(config, extra = []) {
  const flow = [
    { id: 'f1', type: 'tab' },
    { id: 'n1', z: 'f1', type: 'beacon-syslog-in', name: 'under test', ...config, wires: [['o1'], ['o2'], ['o3']] },
    { id: 'o1', z: 'f1', type: 'helper' },
    { id: 'o2', z: 'f1', type: 'helper' },
    { id: 'o3', z: 'f1', type: 'helper' },
    { id: 'k1', z: 'f1', type: 'catch', scope: null, uncaught: false, wires: [['c1']] },
    { id: 'c1', z: 'f1', type: 'helper' },
    ...extra,
  ];
  await helper.load([syslogIn, tlsConfig, catchNode], flow);
  const got = { o1: [], o2: [], o3: [], c1: [], statuses: [] };
  for (const id of ['o1', 'o2', 'o3', 'c1']) helper.getNode(id).on('input', (msg) => got[id].push(msg));
  const n1 = helper.getNode('n1');
  const status = n1.status.bind(n1);
  n1.status = (s) => (got.statuses.push(s), status(s));
  got.lines = () => got.o1.filter((m) => !m.flush && !m.reset).flatMap((m) => [].concat(m.payload));
  await until('listening', () => got.statuses.some((s) => s.fill === 'green'));
  return got;
}

/** Asks the node for its counters (output 3). */
async function counters(got) {
  const before = got.o3.length;
  helper.getNode('n1').receive({});
  await until('counters', () => got.o3.length > before);
  return got.o3[got.o3.length - 1].payload;
}

/** A TCP connection from the given local address. */
function connect(port, localAddress = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const c = net.connect({ port, host: '127.0.0.1', localAddress });
    c.once('connect', () => resolve(c)).once('error', reject);
  });
}

/** Whether the server has closed this client connection. */
const closedByServer = (c) => c.destroyed || c.readableEnded;

const openFds = () => fs.readdirSync('/proc/self/fd').length;

describe('beacon-syslog-in under attack', function () {
  this.timeout(120000);
  const sockets = [];
  beforeEach((done) => void helper.startServer(done));
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await helper.unload();
    await new Promise((r) => helper.stopServer(r));
  });

  it('TLS: 2,500 stalled handshakes against a cap of 100 hold at most 100 sockets; the rest are refused at accept, the held ones time out as failed handshakes, counted and shown', async function () {
    if (!fs.existsSync('/proc/self/fd')) {
      console.log('      skipped: /proc/self/fd is not readable here (the test counts open sockets there)');
      return this.skip();
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-tls-guard-'));
    let flood = null;
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
      const got = await load(
        { transport: 'tls', port, tls: 't1', maxConnections: 100, maxPerSender: 10000, handshakeTimeout: 2, batchLines: 10, batchMs: 10 },
        [{ id: 't1', type: 'tls-config', cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem'), ca: '', verifyservercert: false }],
      );
      const fdsBefore = openFds();
      // the flood runs in a process of its own, so this process's descriptors are the server's only:
      // 2,500 TCP connections that never send a ClientHello, opened 250 at a time, held until stdin closes
      const script = path.join(dir, 'flood.js');
      fs.writeFileSync(
        script,
        "const net = require('net'); const port = Number(process.argv[2]); const held = []; let settled = 0;\n" +
          'async function wave(n) { await Promise.all(Array.from({ length: n }, () => new Promise((resolve) => {\n' +
          "  const c = net.connect({ port, host: '127.0.0.1' }); held.push(c); let done = false; const once = () => { if (!done) { done = true; settled++; resolve(); } };\n" +
          "  c.on('connect', once); c.on('error', once); c.on('close', once); }))); }\n" +
          '(async () => { for (let i = 0; i < 10; i++) await wave(250); process.stdout.write(`settled ${settled}\\n`); })();\n' +
          "process.stdin.on('end', () => { held.forEach((c) => c.destroy()); process.exit(0); }); process.stdin.resume();\n",
      );
      flood = spawn(process.execPath, [script, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      flood.stdout.on('data', (d) => (out += d));
      let maxOpen = 0;
      let maxFds = 0;
      await until(
        'every connection accepted or refused',
        async () => {
          const c = await counters(got);
          maxOpen = Math.max(maxOpen, c.openConnections);
          maxFds = Math.max(maxFds, openFds());
          return c.connectionsRejected + c.total.handshakeFailed + c.openConnections >= 2500;
        },
        90,
      );
      // the server held at most the cap (plus a few descriptors of its own, e.g. a refused socket not yet closed, /proc reads)
      maxOpen.should.be.belowOrEqual(100);
      (maxFds - fdsBefore).should.be.belowOrEqual(100 + 25);
      await until('the held handshakes timed out', async () => (await counters(got)).openConnections === 0, 60);
      const c = await counters(got);
      // every connection was either refused at accept or held until its handshake deadline (slots freed by
      // the deadline during the flood were taken by later connections of the flood)
      (c.connectionsRejected + c.total.handshakeFailed).should.equal(2500);
      c.total.handshakeFailed.should.be.aboveOrEqual(100);
      c.connectionsRejected.should.be.above(0);
      c.total.refused.should.equal(c.connectionsRejected);
      c.senders['127.0.0.1'].handshakeFailed.should.equal(c.total.handshakeFailed);
      await until('status', () => /TLS failed/.test(got.statuses[got.statuses.length - 1].text));
      const text = got.statuses[got.statuses.length - 1].text;
      text.should.match(/refused/);
      text.should.match(/\d+ TLS failed/);
      await until('the flood settled', () => /settled 2500/.test(out), 60);
    } finally {
      if (flood) {
        flood.stdin.end();
        await new Promise((r) => (flood.exitCode !== null ? r() : flood.once('exit', r)));
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a slowloris of the cap's size from one sender holds only the per-sender cap: a new sender is accepted and every line it sends arrives", async function () {
    const port = await freePort();
    const got = await load({ transport: 'tcp', port, maxConnections: 20, maxPerSender: 5, progressTimeout: 0, batchLines: 100, batchMs: 10 });
    const slow = [];
    for (let i = 0; i < 20; i++) {
      const c = await connect(port, '127.0.0.2');
      c.on('error', () => undefined);
      c.write('<14>1 2024-05-08T08:10:31Z fw01 - - - - never finis'); // a frame started, never ended
      slow.push(c);
      sockets.push(c);
    }
    await until('15 slowloris connections refused', () => slow.filter(closedByServer).length >= 15);
    const legit = await connect(port, '127.0.0.3');
    sockets.push(legit);
    const lines = Array.from({ length: 100 }, (_, i) => `legit line ${i}`);
    legit.write(lines.map((l) => `${l}\n`).join(''));
    await until('100 lines', () => got.lines().length >= 100);
    got.lines().should.eql(lines);
    const c = await counters(got);
    c.senders['127.0.0.2'].refused.should.equal(15);
    should(c.senders['127.0.0.3'].refused).equal(0);
    c.openConnections.should.equal(6);
    slow.filter((s) => !closedByServer(s)).should.have.length(5);
  });

  it('a slowloris from many senders filling the cap is closed after the progress timeout and counted as stalled; then a new sender gets in', async function () {
    const port = await freePort();
    const got = await load({ transport: 'tcp', port, maxConnections: 10, maxPerSender: 5, progressTimeout: 5, batchLines: 100, batchMs: 10 });
    const slow = [];
    for (let i = 0; i < 10; i++) {
      const c = await connect(port, `127.0.1.${i + 1}`);
      c.on('error', () => undefined);
      // one sends nothing at all, the others a frame they never finish
      if (i > 0) c.write(i % 2 ? '<14>1 2024-05-08T08:10:31Z fw01 - - - - never fin' : '900 <14>1 2024-05-08T08:10:31Z octet-counted, short');
      slow.push(c);
      sockets.push(c);
    }
    // the cap is full: a newcomer is refused now
    const early = await connect(port, '127.0.0.3');
    early.on('error', () => undefined);
    sockets.push(early);
    await until('the newcomer refused while the cap is full', () => closedByServer(early));
    await until('every slowloris connection closed', () => slow.every(closedByServer));
    const legit = await connect(port, '127.0.0.3');
    sockets.push(legit);
    legit.write('legit after\n');
    await until('the line', () => got.lines().length >= 1);
    got.lines().should.eql(['legit after']);
    const c = await counters(got);
    c.total.stalled.should.equal(10);
    c.senders['127.0.1.2'].stalled.should.equal(1);
    c.total.incomplete.should.equal(9); // the unfinished frames of the stalled connections, never parsed
    c.senders['127.0.0.3'].refused.should.equal(1);
    got.statuses[got.statuses.length - 1].text.should.match(/10 stalled/);
  });

  it('a connection that keeps delivering frames is never stalled: it outlives a stalled one that was accepted after it', async function () {
    const port = await freePort();
    const got = await load({ transport: 'tcp', port, progressTimeout: 2, batchLines: 1000, batchMs: 5 });
    const c = await connect(port);
    sockets.push(c);
    // accepted later, with an unfinished frame: its closing proves a whole progress period has passed for c too
    const control = await connect(port, '127.0.0.2');
    control.on('error', () => undefined);
    sockets.push(control);
    control.write('unfinished');
    let i = 0;
    while (!closedByServer(control)) {
      c.write(`frame ${i++}\n`);
      await until(`frame ${i}`, () => got.lines().length >= i);
    }
    closedByServer(c).should.be.false();
    const counts = await counters(got);
    counts.total.stalled.should.equal(1);
    counts.senders['127.0.0.2'].stalled.should.equal(1);
  });

  it('the progress deadline does not run while the input itself has stopped reading (back-pressure): a paused connection outlives a stalled one', async function () {
    const options = (port) => ({
      transport: 'tcp',
      host: '127.0.0.1',
      port,
      framing: 'auto',
      maxFrameBytes: 1024,
      maxConnections: 10,
      maxConnectionsPerSender: 10,
      handshakeTimeoutSeconds: 10,
      progressTimeoutSeconds: 2,
      idleTimeoutSeconds: 0,
      receiveBufferBytes: 0,
      maxQueuedLines: 100,
      maxQueuedBytes: 1 << 20,
    });
    const lines = [];
    const sink = { lines: (_source, l) => (lines.push(...l), 0) };
    const pausedCounters = new IngestCounters();
    const clockCounters = new IngestCounters();
    const paused = new SyslogListener(options(await freePort()), pausedCounters, sink);
    const clock = new SyslogListener(options(await freePort()), clockCounters, { lines: () => 0 });
    const a = await paused.start();
    const b = await clock.start();
    try {
      const held = await connect(a.port);
      sockets.push(held);
      held.write('first frame\nhalf of the sec');
      await until('the first frame', () => lines.length === 1);
      paused.pause(); // as the batcher does when the flow falls behind
      const ticking = await connect(b.port);
      ticking.on('error', () => undefined);
      sockets.push(ticking);
      ticking.write('unfinished');
      await until('the unpaused connection stalled', () => clockCounters.total.stalled === 1);
      closedByServer(held).should.be.false();
      pausedCounters.total.stalled.should.equal(0);
      paused.resume();
      held.write('ond frame\n');
      await until('the second frame', () => lines.length === 2);
      lines.should.eql(['first frame', 'half of the second frame']);
    } finally {
      await paused.close();
      await clock.close();
    }
  });

  it('parse errors reach a Catch node: one error per batch, text only, naming the count and the first bad line cut short', async function () {
    const port = await freePort();
    const got = await load({ transport: 'tcp', port, parse: true, batchLines: 1000, batchMs: 20 });
    const c = await connect(port);
    sockets.push(c);
    const good =
      '<14>1 2024-05-08T08:10:31Z fw01 - - - - CEF:0|Palo Alto Networks|PAN-OS|10.1|end|TRAFFIC|1|rt=May 08 2024 08:10:31 GMT src=10.0.0.1 dst=52.1.2.3 spt=40000 dpt=443';
    const bad = `not a log line ${'z'.repeat(5000)}`;
    c.write([good, bad, 'also bad', good, '{"broken'].map((l) => `${l}\n`).join(''));
    await until('the error at the Catch node', () => got.c1.length >= 1 && got.lines().length >= 2);
    await until('the unparsed lines', () => got.o2.length >= 3);
    got.c1.should.have.length(1);
    const m = got.c1[0];
    m.error.message.should.startWith('3 of 5 lines not parsed; first from 127.0.0.1: not a recognised log format');
    m.error.message.should.containEql('not a log line zzz');
    m.error.message.length.should.be.below(400); // the line is cut short
    m.error.source.id.should.equal('n1');
    m.payload.should.equal(m.error.message); // text, not the lines
    Object.keys(m).sort().should.eql(['_msgid', 'error', 'payload', 'topic']);
  });

  it("lines starting with #: Zeek's own header lines are counted as headers, any other is unparsed (never silently skipped)", async function () {
    const port = await freePort();
    const got = await load({ transport: 'tcp', port, parse: true, batchLines: 100, batchMs: 10 });
    const c = await connect(port);
    sockets.push(c);
    c.write(
      ['#separator \\x09', '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p', '# CEF:0|a|b|c|d|e|1|src=10.0.0.1', '#1,2024/05/08 08:10:31,x']
        .map((l) => `${l}\n`)
        .join(''),
    );
    await until('the two unparsed lines', () => got.o2.length >= 2);
    const counts = await counters(got);
    counts.total.should.containDeep({ lines: 4, headers: 2, parseErrors: 2 });
    got.o2.map((m) => m.payload).should.eql(['# CEF:0|a|b|c|d|e|1|src=10.0.0.1', '#1,2024/05/08 08:10:31,x']);
  });

  it('a 30,000-deep JSON line with a bad time reaches Catch as a parse error naming the depth limit (from the live input)', async function () {
    const port = await freePort();
    const got = await load({ transport: 'udp', port, parse: true, format: 'json', batchLines: 10, batchMs: 10 });
    const deep = `{"TimeGenerated":"not a time","LocalIP":"10.0.0.1","x":${'['.repeat(30000)}${']'.repeat(30000)}}`;
    const s = dgram.createSocket('udp4');
    try {
      for (let i = 0; i < 20; i++) await new Promise((resolve, reject) => s.send(deep, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    } finally {
      s.close();
    }
    await until('20 parse errors counted', async () => (await counters(got)).total.parseErrors === 20);
    await until('the errors at the Catch node', () => got.c1.reduce((n, m) => n + Number(/^(\d+) of/.exec(m.error.message)[1]), 0) === 20);
    for (const m of got.c1) m.error.message.should.match(/JSON nested deeper than the limit of 32 levels/);
    got.lines().should.have.length(0);
  });

  it('a record with a 30,000-deep value and a bad time reaches Catch from a record node, naming its position and the value cut short (never a copy of the batch)', async function () {
    await helper.load(
      [delta, catchNode],
      [
        { id: 'f1', type: 'tab' },
        { id: 'd1', z: 'f1', type: 'beacon-delta', name: 'delta', keyFields: 'LocalIP', wires: [['o1'], ['o2']] },
        { id: 'o1', z: 'f1', type: 'helper' },
        { id: 'o2', z: 'f1', type: 'helper' },
        { id: 'k1', z: 'f1', type: 'catch', scope: null, uncaught: false, wires: [['c1']] },
        { id: 'c1', z: 'f1', type: 'helper' },
      ],
    );
    const caught = [];
    helper.getNode('c1').on('input', (m) => caught.push(m));
    const deep = JSON.parse(`{"LocalIP":"10.0.0.9","TimeGenerated":"${'9'.repeat(500)}","x":${'['.repeat(30000)}${']'.repeat(30000)}}`);
    const ok = (i) => ({ LocalIP: '10.0.0.1', TimeGenerated: `2024-05-08T08:10:${String(10 + i).padStart(2, '0')}Z` });
    for (let round = 0; round < 20; round++) helper.getNode('d1').receive({ topic: 'batch', payload: [ok(0), ok(1), deep, ok(2)] });
    await until('20 errors at the Catch node', () => caught.length === 20);
    for (const m of caught) {
      m.error.message.should.match(/^Error: 1 of 4 records rejected; first: TimeGenerated is not a timestamp: "9{79}… \(record 3\)$/);
      m.position.should.equal(3);
      m.field.should.equal('TimeGenerated');
      m.value.length.should.be.belowOrEqual(130);
      m.topic.should.equal('batch');
      should(m.payload).be.a.String();
    }
  });
});
