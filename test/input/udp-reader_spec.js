'use strict';
/**
 * The UDP reader thread (src/input/udp-reader*.ts, udp-chunks.ts): datagrams
 * gathered into chunks with per-sender counts, and the real thread on
 * 127.0.0.x sockets: lines in order per sender, counters, the cap between
 * the threads (drops counted), the bind address, close() ending the thread,
 * and a failing thread reported. No sleeps: tests wait on counters and events.
 */
const dgram = require('dgram');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const should = require('should');
const { UdpChunker, datagramLines } = require('../../dist/input/udp-chunks');
const { UdpReader } = require('../../dist/input/udp-reader');
const { IngestCounters } = require('../../dist/input/ingest-counters');
const { udpSocketDrops } = require('../../dist/input/kernel-counters');

/** Polls until test() holds (completion, with a deadline: never a timing assertion). */
async function until(what, test, seconds = 20) {
  const deadline = Date.now() + seconds * 1000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A reader on host:0 whose sink records every call; resolves once bound. */
async function reader(options = {}) {
  const counters = new IngestCounters();
  const calls = [];
  const failures = [];
  const sink = { lines: (source, lines) => (calls.push({ source, lines: [...lines] }), 0), failed: (err) => failures.push(err) };
  const r = new UdpReader(
    { host: '127.0.0.1', port: 0, receiveBufferBytes: 0, maxFrameBytes: 1024, maxQueuedLines: 100000, maxQueuedBytes: 64 << 20, ...options },
    counters,
    options.sink ? options.sink(sink) : sink,
  );
  const bound = await r.start();
  return { r, bound, counters, calls, failures, lines: () => calls.flatMap((c) => c.lines) };
}

/** A client socket bound to `from`; send() resolves when the datagram has left. */
async function client(from = '127.0.0.1') {
  const s = dgram.createSocket('udp4');
  await new Promise((r) => s.bind(0, from, r));
  return {
    port: s.address().port,
    send: (to, port, data) =>
      new Promise((resolve, reject) => s.send(Buffer.isBuffer(data) ? data : Buffer.from(data), port, to, (e) => (e ? reject(e) : resolve()))),
    close: () => new Promise((r) => s.close(r)),
  };
}

describe("input/UdpChunker (the reader thread's chunks)", function () {
  it('keeps arrival order with runs per peer, counts per sender address, skips oversized datagrams and drops past the room left', function () {
    let room = 4;
    const c = new UdpChunker({ maxFrameBytes: 10, room: () => room, roomBytes: () => 1000 });
    c.add(Buffer.from('a1'), '10.0.0.1', 5000);
    c.add(Buffer.from('a2\nA3\n'), '10.0.0.1', 5000);
    c.add(Buffer.from('b1'), '10.0.0.2', 6000);
    c.add(Buffer.from('x'.repeat(11)), '10.0.0.2', 6000);
    c.add(Buffer.from('a4\na5'), '10.0.0.1', 5001); // one line fits, one is dropped
    c.pendingLines.should.equal(4);
    const chunk = c.take();
    chunk.lines.should.eql(['a1', 'a2', 'A3', 'b1']);
    chunk.runs.should.eql(['10.0.0.1', 5000, 3, '10.0.0.2', 6000, 1]);
    // [lines received, bytes, oversized, dropped, dropped bytes]
    chunk.counts.should.eql({ '10.0.0.1': [5, 13, 0, 2, 4], '10.0.0.2': [1, 13, 1, 0, 0] });
    chunk.bytes.should.equal(8);
    c.pending.should.be.false();
    room = 10;
    c.add(Buffer.from('\r\n'), '10.0.0.3', 1);
    c.take().should.eql({ lines: [], runs: [], counts: { '10.0.0.3': [0, 2, 0, 0, 0] }, bytes: 0 });
  });

  it('bounds the bytes waiting as well as the lines: large lines past the byte room are dropped and their bytes counted', function () {
    let waitingBytes = 0;
    const c = new UdpChunker({ maxFrameBytes: 1000, room: () => 1000, roomBytes: () => 250 - waitingBytes });
    for (let i = 0; i < 5; i++) c.add(Buffer.from(String(i).repeat(100)), '10.0.0.1', 5000);
    c.pendingLines.should.equal(2);
    c.pendingBytes.should.equal(200);
    const chunk = c.take();
    chunk.lines.map((l) => l[0]).should.eql(['0', '1']);
    chunk.counts['10.0.0.1'].should.eql([5, 500, 0, 3, 300]);
    // what the main thread has not taken yet still counts against the room
    waitingBytes = chunk.bytes;
    c.add(Buffer.from('x'.repeat(60)), '10.0.0.2', 1);
    c.add(Buffer.from('y'.repeat(40)), '10.0.0.2', 1);
    c.take().lines.should.eql(['y'.repeat(40)]);
  });

  it('reads a datagram as one line, or as several when it holds newlines (empty lines and bare CRs dropped)', function () {
    datagramLines(Buffer.from('one\n')).should.eql(['one']);
    datagramLines(Buffer.from('one\n\r\ntwo\n\nthree')).should.eql(['one', 'two', 'three']);
    datagramLines(Buffer.from('')).should.eql([]);
  });
});

describe('input/UdpReader (a real reader thread)', function () {
  this.timeout(30000);
  let baseline;
  const open = [];
  beforeEach(() => (baseline = UdpReader.liveThreads));
  afterEach(async () => {
    for (const x of open.splice(0)) await x.close();
  });

  it('hands on every line in order per sender, with the counters of each sender address', async function () {
    const { r, bound, counters, calls } = await reader();
    open.push(r);
    const a = await client('127.0.0.1');
    const b = await client('127.0.0.2');
    open.push(a, b);
    const sent = { a: [], b: [] };
    for (let i = 0; i < 200; i++) {
      const who = i % 3 === 0 ? 'b' : 'a';
      const line = `${who} line ${i}`;
      sent[who].push(line);
      await (who === 'a' ? a : b).send('127.0.0.1', bound.port, line);
    }
    await until('200 lines', () => counters.total.lines === 200 && calls.reduce((n, c) => n + c.lines.length, 0) === 200);
    const of = (sender) => calls.filter((c) => c.source.sender === sender).flatMap((c) => c.lines);
    of('127.0.0.1').should.eql(sent.a);
    of('127.0.0.2').should.eql(sent.b);
    calls.find((c) => c.source.sender === '127.0.0.2').source.id.should.equal(`127.0.0.2:${b.port}`);
    const snap = counters.snapshot();
    snap.senders['127.0.0.1'].should.containDeep({ lines: sent.a.length, bytes: sent.a.join('').length, queueDropped: 0 });
    snap.senders['127.0.0.2'].should.containDeep({ lines: sent.b.length, bytes: sent.b.join('').length });
    r.datagramsRead.should.equal(200);
    r.waitingLines.should.equal(0);
  });

  it('counts oversized datagrams and keeps going', async function () {
    const { r, bound, counters, lines } = await reader({ maxFrameBytes: 100 });
    open.push(r);
    const a = await client();
    open.push(a);
    await a.send('127.0.0.1', bound.port, 'before');
    await a.send('127.0.0.1', bound.port, Buffer.alloc(101, 0x41));
    await a.send('127.0.0.1', bound.port, 'after');
    await until('2 lines', () => lines().length === 2);
    lines().should.eql(['before', 'after']);
    counters.total.should.containDeep({ lines: 2, oversized: 1, bytes: 6 + 101 + 5 });
  });

  it('caps the lines waiting between the threads: beyond the cap lines are dropped and counted as queueDropped', async function () {
    const cap = 5;
    let blocked = false;
    const sender = path.join(os.tmpdir(), `netbeacon-udp-sender-${process.pid}.js`);
    fs.writeFileSync(
      sender,
      "const s = require('dgram').createSocket('udp4'); const [port, n] = process.argv.slice(2).map(Number); let left = n;\n" +
        "for (let i = 0; i < n; i++) s.send(`late ${i}`, port, '127.0.0.1', () => --left === 0 && s.close());\n",
    );
    let x;
    // the first chunk's sink call holds the main thread while 20 more datagrams arrive and are read: nothing is taken meanwhile
    x = await reader({
      maxQueuedLines: cap,
      sink: (inner) => ({
        ...inner,
        lines: (source, lines) => {
          inner.lines(source, lines);
          if (!blocked) {
            blocked = true;
            spawnSync(process.execPath, [sender, String(x.bound.port), '20']).status.should.equal(0);
            const deadline = Date.now() + 20000;
            while (x.r.datagramsRead < 21 && Date.now() < deadline); // the thread reads on while this one is held
          }
          return 0;
        },
      }),
    });
    open.push(x.r);
    try {
      const a = await client();
      open.push(a);
      // one datagram of `cap` lines: the first chunk fills the cap at once
      await a.send('127.0.0.1', x.bound.port, Array.from({ length: cap }, (_, i) => `early ${i}`).join('\n'));
      await until('25 lines counted', () => x.counters.total.lines === 25);
    } finally {
      fs.rmSync(sender, { force: true });
    }
    x.r.datagramsRead.should.equal(21);
    x.counters.total.queueDropped.should.equal(20);
    x.lines().should.eql(Array.from({ length: cap }, (_, i) => `early ${i}`));
    // room again once the main thread has taken the chunk
    const b = await client();
    open.push(b);
    await b.send('127.0.0.1', x.bound.port, 'again');
    await until('a line after the drops', () => x.lines().includes('again'));
  });

  it('bounds the bytes waiting between the threads while the flow is held: 12 MB of large datagrams, at most 1 MiB held, the rest dropped and counted in bytes', async function () {
    const bound = 1 << 20;
    const size = 60000;
    const n = 200;
    let held = false;
    let maxWaiting = 0;
    const sender = path.join(os.tmpdir(), `netbeacon-udp-big-sender-${process.pid}.js`);
    fs.writeFileSync(
      sender,
      "const s = require('dgram').createSocket('udp4'); const [port, n, size] = process.argv.slice(2).map(Number); let left = n;\n" +
        "const d = Buffer.alloc(size, 0x61); for (let i = 0; i < n; i++) s.send(d, port, '127.0.0.1', () => --left === 0 && s.close());\n",
    );
    let x;
    // the first sink call holds the main thread (a busy flow) until the thread has read or the kernel dropped every datagram
    x = await reader({
      maxFrameBytes: 65536,
      maxQueuedBytes: bound,
      receiveBufferBytes: 16 << 20,
      sink: (inner) => ({
        ...inner,
        lines: (source, lines) => {
          inner.lines(source, lines);
          if (!held) {
            held = true;
            spawnSync(process.execPath, [sender, String(x.bound.port), String(n), String(size)]).status.should.equal(0);
            const deadline = Date.now() + 20000;
            const port = x.bound.port;
            while (x.r.datagramsRead + (udpSocketDrops(port) ?? 0) < n + 1 && Date.now() < deadline) maxWaiting = Math.max(maxWaiting, x.r.waitingBytes);
            maxWaiting = Math.max(maxWaiting, x.r.waitingBytes);
          }
          return 0;
        },
      }),
    });
    open.push(x.r);
    try {
      const a = await client();
      open.push(a);
      await a.send('127.0.0.1', x.bound.port, 'first');
      await until('every datagram read counted', () => held && x.counters.total.lines === x.r.datagramsRead);
    } finally {
      fs.rmSync(sender, { force: true });
    }
    const read = x.r.datagramsRead - 1;
    read.should.be.above(Math.ceil(bound / size)); // more arrived than the bound holds
    maxWaiting.should.be.belowOrEqual(bound);
    const t = x.counters.total;
    t.lines.should.equal(read + 1);
    const delivered = x.lines().length;
    (delivered + t.queueDropped).should.equal(read + 1);
    t.queueDroppedBytes.should.equal(t.queueDropped * size);
    ((delivered - 1) * size).should.be.belowOrEqual(bound);
    x.r.waitingBytes.should.equal(0);
  });

  it('with a parser, the bound holds across both threads: lines held by a flow that takes nothing stay within the bytes cap, the rest dropped and counted', async function () {
    const { DEFAULT_PARSER_OPTIONS } = require('../../dist/core/parse/parser');
    const bound = 1 << 20;
    const size = 60000;
    const n = 100;
    const held = [];
    const x = await reader({
      maxFrameBytes: 65536,
      maxQueuedBytes: bound,
      receiveBufferBytes: 16 << 20,
      parser: { ...DEFAULT_PARSER_OPTIONS, format: 'json' },
      sink: (inner) => ({ ...inner, records: (chunk, taken) => held.push({ chunk, taken }) }),
    });
    open.push(x.r);
    const a = await client();
    open.push(a);
    const d = Buffer.alloc(size, 0x61);
    let maxWaiting = 0;
    for (let i = 0; i < n; i++) {
      await a.send('127.0.0.1', x.bound.port, d);
      maxWaiting = Math.max(maxWaiting, x.r.waitingBytes);
    }
    const port = x.bound.port;
    await until('every datagram read or dropped by the kernel, and counted', () => {
      maxWaiting = Math.max(maxWaiting, x.r.waitingBytes);
      return x.r.datagramsRead + (udpSocketDrops(port) ?? 0) >= n && x.counters.total.lines === x.r.datagramsRead;
    });
    const t = x.counters.total;
    const heldLines = held.reduce((k, h) => k + h.chunk.unparsed.length + h.chunk.records.count, 0);
    maxWaiting.should.be.belowOrEqual(bound);
    (heldLines * size).should.be.belowOrEqual(bound);
    t.queueDropped.should.be.above(0);
    (heldLines + t.queueDropped).should.equal(t.lines);
    t.queueDroppedBytes.should.equal(t.queueDropped * size);
    // once the flow takes what it holds, nothing waits
    for (const h of held) h.taken();
    x.r.waitingBytes.should.equal(0);
    x.r.waitingLines.should.equal(0);
  });

  it('honours the bind address: bound to 127.0.0.2, nothing listens on 127.0.0.1 at that port', async function () {
    const { r, bound, lines } = await reader({ host: '127.0.0.2' });
    open.push(r);
    bound.address.should.equal('127.0.0.2');
    // a connected socket learns of the port being closed (ICMP) as ECONNREFUSED on its next send
    const probe = dgram.createSocket('udp4');
    await new Promise((res) => probe.connect(bound.port, '127.0.0.1', res));
    const refused = new Promise((res) => probe.once('error', res));
    const sendUntilRefused = async () => {
      for (let i = 0; i < 100; i++) {
        const err = await new Promise((res) => probe.send('to the wrong address', (e) => res(e)));
        if (err) return err;
      }
      return refused;
    };
    const err = await Promise.race([refused, sendUntilRefused()]);
    err.code.should.equal('ECONNREFUSED');
    probe.close();
    const a = await client();
    open.push(a);
    await a.send('127.0.0.2', bound.port, 'to the bound address');
    await until('the line', () => lines().length === 1);
    lines().should.eql(['to the bound address']);
  });

  it('close() ends the thread and frees the port; a port in use is refused with its code and leaves no thread', async function () {
    const { r, bound } = await reader();
    UdpReader.liveThreads.should.equal(baseline + 1);
    await r.close();
    UdpReader.liveThreads.should.equal(baseline);
    await r.close(); // twice is harmless
    const again = dgram.createSocket('udp4');
    await new Promise((res, rej) => again.once('error', rej).bind(bound.port, '127.0.0.1', res));
    const busy = new UdpReader({ host: '127.0.0.1', port: bound.port, receiveBufferBytes: 0, maxFrameBytes: 1024, maxQueuedLines: 10 }, new IngestCounters(), {
      lines: () => 0,
    });
    const err = await busy.start().then(
      () => null,
      (e) => e,
    );
    again.close();
    should(err).not.be.null();
    err.code.should.equal('EADDRINUSE');
    await busy.close();
    UdpReader.liveThreads.should.equal(baseline);
  });

  it("raises the reader thread's priority where Linux lets it (root or CAP_SYS_NICE), and only that thread's", async function () {
    const mainBefore = os.getPriority();
    const { r, bound } = await reader();
    open.push(r);
    os.getPriority().should.equal(mainBefore); // nice is per thread on Linux: the flow's thread keeps its own
    if (process.platform !== 'linux') return should(bound.readerPriority).be.null();
    // what this process may do: try it on a short-lived thread of our own
    const { Worker } = require('worker_threads');
    // it names its own thread id, so its raised nice is not taken for the reader's below
    const probe = new Worker(
      "const os = require('os'); const tid = require('fs').readlinkSync('/proc/thread-self').split('/').pop(); let nice = null; try { os.setPriority(-5); nice = os.getPriority(); } catch {} require('worker_threads').parentPort.postMessage({ nice, tid });",
      { eval: true },
    );
    const { nice: allowed, tid: probeTid } = await new Promise((res) => probe.once('message', res));
    await probe.terminate();
    should(bound.readerPriority).equal(allowed);
    /** a thread's nice, or null for one that ended between the listing and the read */
    const niceOf = (tid) => {
      try {
        return Number(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
      } catch {
        return null;
      }
    };
    const others = fs.readdirSync('/proc/self/task').filter((t) => t !== probeTid);
    if (allowed !== null) others.map(niceOf).should.containEql(-5);
    niceOf(process.pid).should.equal(mainBefore);
  });

  it('with a parser: a parse thread beside the reader hands on records as columns, counted per sender, and both threads end on close', async function () {
    const { DEFAULT_PARSER_OPTIONS } = require('../../dist/core/parse/parser');
    const { decodeRecords } = require('../../dist/input/record-columns');
    const tasks = () => fs.readdirSync('/proc/self/task').length;
    const before = process.platform === 'linux' ? tasks() : 0;
    const chunks = [];
    const { r, bound, counters } = await reader({
      parser: { ...DEFAULT_PARSER_OPTIONS, format: 'json' },
      sink: (s) => ({ ...s, records: (chunk, taken) => (chunks.push(chunk), taken()) }),
    });
    const a = await client('127.0.0.1');
    const sent = [];
    for (let i = 0; i < 50; i++) {
      const line = JSON.stringify({ LocalIP: '10.0.0.1', n: i, TimeGenerated: '2024-05-08T08:00:00Z' });
      sent.push(JSON.parse(line));
      await a.send('127.0.0.1', bound.port, i === 7 ? 'not json' : line);
    }
    await a.close();
    await until('50 lines parsed', () => chunks.reduce((n, c) => n + c.records.count + c.unparsed.length, 0) === 50);
    chunks.flatMap((c) => decodeRecords(c.records)).should.eql(sent.filter((_, i) => i !== 7));
    chunks.flatMap((c) => c.unparsed).should.eql([['not json', chunks.flatMap((c) => c.unparsed)[0][1], '127.0.0.1']]);
    counters.snapshot().senders['127.0.0.1'].should.containDeep({ lines: 50, parseErrors: 1, queueDropped: 0 });
    r.waitingLines.should.equal(0);
    r.waitingBytes.should.equal(0);
    await r.close();
    UdpReader.liveThreads.should.equal(baseline);
    // the parse thread too: the process is back to the threads it had (an OS thread may outlive its 'exit' event briefly)
    if (process.platform === 'linux') await until('both threads gone', () => tasks() === before);
  });

  it('a thread that fails after binding is reported to the sink, and counted out', async function () {
    const script = path.join(os.tmpdir(), `netbeacon-failing-reader-${process.pid}.js`);
    fs.writeFileSync(
      script,
      "const { parentPort } = require('worker_threads');\n" +
        "parentPort.postMessage({ kind: 'listening', address: '127.0.0.1', port: 9, receiveBufferBytes: null });\n" +
        // fails once bound, when the flow first speaks to it (a failure on its own schedule could overtake the 'listening' message)
        "parentPort.on('message', (m) => { if (m.kind === 'reset') throw new Error('reader broke'); });\n",
    );
    try {
      const { r, failures } = await reader({ script });
      r.resetParsers();
      await until('the failure', () => failures.length > 0 && UdpReader.liveThreads === baseline);
      failures[0].message.should.match(/UDP reader thread failed: reader broke/);
      await r.close();
    } finally {
      fs.rmSync(script, { force: true });
    }
  });
});
