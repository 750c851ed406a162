'use strict';
/**
 * The socket-free parts of the syslog input (src/input): frame splitting
 * under any chunking, bounded queues with pause/resume, and reading the
 * kernel's counters.
 */
const fc = require('fast-check');
const fs = require('fs');
const os = require('os');
const path = require('path');
const should = require('should');
const { FrameReader } = require('../../dist/input/frame-reader');
const { LineBatcher } = require('../../dist/input/line-batcher');
const { IngestCounters, OTHER_SENDERS } = require('../../dist/input/ingest-counters');
const { receiveBufferMax, udpKernelErrors, udpSocketDrops } = require('../../dist/input/kernel-counters');

/** Splits bytes at the given cut points. */
function chunks(buf, cuts) {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out = [];
  let last = 0;
  for (const p of points) {
    out.push(buf.subarray(last, p));
    last = p;
  }
  out.push(buf.subarray(last));
  return out;
}

function readAll(reader, parts) {
  const frames = [];
  let oversized = 0;
  for (const p of parts) {
    const r = reader.push(p);
    frames.push(...r.frames);
    oversized += r.oversized;
  }
  const r = reader.end();
  return { frames: [...frames, ...r.frames], oversized: oversized + r.oversized };
}

// a syslog message: PRI first, any printable text including digits, spaces, UTF-8 (no newline)
const message = fc
  .tuple(fc.integer({ min: 0, max: 191 }), fc.string({ unit: fc.constantFrom('a', 'b', ' ', '1', '=', '|', 'é', '€', '<', '>'), maxLength: 60 }))
  .map(([pri, text]) => `<${pri}>1 2024-05-08T08:10:31Z fw01 - - - - ${text}`.trimEnd());

describe('input/FrameReader', function () {
  it('reads the same frames whatever the chunking, mixing octet-counted and newline frames (property)', function () {
    fc.assert(
      fc.property(fc.array(fc.tuple(message, fc.boolean()), { minLength: 1, maxLength: 20 }), fc.array(fc.nat(), { maxLength: 10 }), (msgs, cuts) => {
        const wire = Buffer.from(msgs.map(([m, octet]) => (octet ? `${Buffer.byteLength(m)} ${m}` : `${m}\n`)).join(''));
        const { frames, oversized } = readAll(new FrameReader('auto', 1024), chunks(wire, cuts));
        oversized.should.equal(0);
        frames.should.eql(msgs.map(([m]) => m));
      }),
      { numRuns: 300 },
    );
  });

  it('skips oversized frames of either kind, counts each once, and never holds more than the cap', function () {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(message, fc.integer({ min: 300, max: 3000 })), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.boolean(),
        (items, cuts, octet) => {
          const frames = items.map((x) => (typeof x === 'number' ? `<14>${'x'.repeat(x)}` : x));
          const wire = Buffer.from(frames.map((m) => (octet ? `${Buffer.byteLength(m)} ${m}` : `${m}\n`)).join(''));
          const reader = new FrameReader('auto', 256);
          const got = [];
          let oversized = 0;
          for (const part of chunks(wire, cuts)) {
            const r = reader.push(part);
            got.push(...r.frames);
            oversized += r.oversized;
            reader.pendingBytes.should.be.belowOrEqual(256 + 9);
          }
          got.push(...reader.end().frames);
          got.should.eql(frames.filter((f) => Buffer.byteLength(f) <= 256));
          oversized.should.equal(frames.filter((f) => Buffer.byteLength(f) > 256).length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('framing settings: newline never reads a length; octet reads every "digits space"; auto needs a PRI after it', function () {
    readAll(new FrameReader('newline', 100), [Buffer.from('5 <14>abc\n')]).frames.should.eql(['5 <14>abc']);
    readAll(new FrameReader('octet', 100), [Buffer.from('3 abc3 def')]).frames.should.eql(['abc', 'def']);
    readAll(new FrameReader('auto', 100), [Buffer.from('3 abc\n1,2024/05/08 x\n')]).frames.should.eql(['3 abc', '1,2024/05/08 x']);
  });

  it('a frame cut short by the end of the stream (FIN) is counted incomplete and never emitted: octet-counted or a line without its newline', function () {
    const frame = '<14>1 2024-05-08T08:10:31Z fw01 - - - - CEF:0|a|b|c|d|e|1|in=87654 out=1';
    const octet = new FrameReader('auto', 1024);
    octet.push(Buffer.from(`${Buffer.byteLength(frame)} ${frame}`.slice(0, -5))).frames.should.eql([]);
    octet.end().should.eql({ frames: [], oversized: 0, incomplete: 1 });
    const line = new FrameReader('auto', 1024);
    line.push(Buffer.from('whole\nslowloris without newline')).frames.should.eql(['whole']);
    line.end().should.eql({ frames: [], oversized: 0, incomplete: 1 });
    // a stream that ends between frames has nothing cut short
    const clean = new FrameReader('octet', 1024);
    clean.push(Buffer.from('3 abc\n')).frames.should.eql(['abc']);
    clean.end().should.eql({ frames: [], oversized: 0, incomplete: 0 });
  });

  it('a frame trickled a byte at a time costs what its length says: bytes allocated stay within a small multiple of the frame (not its square)', function () {
    const sinon = require('sinon');
    for (const [framing, wire] of [
      ['newline', `${'a'.repeat(60000)}\n`],
      ['octet', `60000 ${'b'.repeat(60000)}`],
    ]) {
      const reader = new FrameReader(framing, 65536);
      const bytes = Buffer.from(wire);
      let allocated = 0;
      // every Buffer the reader makes (a copy of held bytes, a grown buffer, a concatenation) is counted
      const spies = ['concat', 'from', 'allocUnsafe', 'alloc'].map((m) => {
        const real = Buffer[m];
        return sinon.stub(Buffer, m).callsFake((...args) => {
          const made = real.apply(Buffer, args);
          allocated += made.length;
          return made;
        });
      });
      const frames = [];
      try {
        for (let i = 0; i < bytes.length; i++) frames.push(...reader.push(bytes.subarray(i, i + 1)).frames);
      } finally {
        spies.forEach((s) => s.restore());
      }
      frames.should.have.length(1);
      frames[0].length.should.equal(60000);
      allocated.should.be.belowOrEqual(4 * 60000, framing); // copying the held bytes at each push would be 1.8 GB
    }
  });

  it('an unfinished frame of a lost connection is reported, not emitted', function () {
    const r = new FrameReader('auto', 100);
    r.push(Buffer.from('whole\nhalf')).frames.should.eql(['whole']);
    r.abandon().should.be.true();
    r.end().frames.should.eql([]);
  });
});

describe('input/LineBatcher', function () {
  it('pauses its sources above the high-water mark, resumes at half, refuses past the hard cap (memory bounded)', async function () {
    const calls = [];
    const delivered = [];
    const b = new LineBatcher({ maxLines: 10, maxWaitMs: 1000, highWater: 40, maxQueued: 100 }, (lines) => delivered.push(lines.length), {
      pause: () => calls.push('pause'),
      resume: () => calls.push('resume'),
    });
    const lines = (n) => Array.from({ length: n }, (_, i) => `l${i}`);
    b.push('s', lines(39)).should.equal(0);
    calls.should.eql([]);
    b.push('s', lines(1)).should.equal(0);
    calls.should.eql(['pause']);
    b.push('s', lines(100)).should.equal(40); // 60 more fit under the hard cap of 100
    b.queued.should.equal(100);
    // one turn of the event loop hands on up to 1000 lines' worth of full batches
    await new Promise((r) => setImmediate(r));
    delivered.should.eql(Array(10).fill(10));
    calls.should.eql(['pause', 'resume']);
    b.close();
  });

  it('bounds its queue in bytes too: pauses above the byte high-water mark, refuses the last lines past the byte cap', async function () {
    const calls = [];
    const b = new LineBatcher({ maxLines: 10, maxWaitMs: 1000, highWater: 1000, maxQueued: 1000, highWaterBytes: 400, maxQueuedBytes: 1000 }, () => undefined, {
      pause: () => calls.push('pause'),
      resume: () => calls.push('resume'),
    });
    const big = (n) => Array.from({ length: n }, () => 'x'.repeat(100));
    b.push('s', big(3)).should.equal(0);
    calls.should.eql([]);
    b.push('s', big(1)).should.equal(0);
    calls.should.eql(['pause']);
    b.push('s', [...big(7), 'y']).should.equal(2); // six more fit under 1,000 bytes; the seventh and the line after it are refused
    b.queued.should.equal(10);
    b.queuedBytes.should.equal(1000);
    await new Promise((r) => setImmediate(r));
    b.queued.should.equal(0);
    b.queuedBytes.should.equal(0);
    calls.should.eql(['pause', 'resume']);
    b.close();
  });

  it('hands on a partial batch after maxWaitMs, and everything at once on drainAll', async function () {
    const delivered = [];
    const b = new LineBatcher({ maxLines: 5, maxWaitMs: 5, highWater: 100, maxQueued: 1000 }, (lines, sources) => delivered.push([lines, sources]), {
      pause() {},
      resume() {},
    });
    b.push('a', ['1', '2']);
    while (delivered.length === 0) await new Promise((r) => setTimeout(r, 5)); // the timer's turn, however late
    delivered.should.eql([
      [
        ['1', '2'],
        ['a', 'a'],
      ],
    ]);
    b.push('b', ['3', '4', '5', '6', '7', '8']);
    b.drainAll();
    delivered
      .slice(1)
      .map((d) => d[0])
      .should.eql([['3', '4', '5', '6', '7'], ['8']]);
    b.close();
  });

  it('a long queue taken batch by batch: every line once, in order, with its source, batches of maxLines, bytes exact (property)', function () {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(3), fc.array(fc.string({ maxLength: 8 }), { maxLength: 3000 }), fc.nat(4)), { maxLength: 8 }),
        fc.integer({ min: 1, max: 700 }),
        (steps, maxLines) => {
          const delivered = [];
          const b = new LineBatcher({ maxLines, maxWaitMs: 60000, highWater: 1e9, maxQueued: 1e9 }, (lines, sources) => delivered.push([lines, sources]), {
            pause() {},
            resume() {},
          });
          const sent = [];
          for (const [source, lines, takes] of steps) {
            b.push(source, lines);
            for (const l of lines) sent.push([l, source]);
            // a few batches taken between pushes, as the event loop does while a backlog drains
            for (let t = 0; t < takes && b.queued >= maxLines; t++) b.turn();
            const waiting = sent.slice(delivered.reduce((n, [l]) => n + l.length, 0));
            b.queued.should.equal(waiting.length);
            b.queuedBytes.should.equal(waiting.reduce((n, [l]) => n + l.length, 0));
          }
          b.drainAll();
          b.close();
          for (const [lines] of delivered) lines.length.should.be.within(1, maxLines);
          delivered.flatMap(([lines, sources]) => lines.map((l, i) => [l, sources[i]])).should.eql(sent);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('input/IngestCounters and kernel counters', function () {
  it('counts per sender up to a cap, the rest together', function () {
    const c = new IngestCounters(2);
    for (const s of ['a', 'b', 'c', 'd']) c.add(c.of(s), 'lines');
    const snap = c.snapshot();
    Object.keys(snap.senders).should.eql(['a', 'b', OTHER_SENDERS]);
    snap.senders[OTHER_SENDERS].lines.should.equal(2);
    snap.total.lines.should.equal(4);
  });

  it("reads rmem_max, the Udp: line of /proc/net/snmp and a socket's drops (null where absent)", function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-proc-'));
    try {
      fs.writeFileSync(path.join(dir, 'rmem_max'), '212992\n');
      receiveBufferMax(path.join(dir, 'rmem_max')).should.equal(212992);
      should(receiveBufferMax(path.join(dir, 'absent'))).be.null();
      const snmp = 'Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors\nUdp: 100 1 7 50 5 0\n';
      udpKernelErrors(snmp).should.eql({ RcvbufErrors: 5, InErrors: 7 });
      should(udpKernelErrors('Tcp: x\n')).be.null();
      const udp = [
        '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
        ' 1: 0100007F:158A 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 0000000000000000 42',
      ].join('\n');
      fs.writeFileSync(path.join(dir, 'udp'), udp);
      udpSocketDrops(5514, [path.join(dir, 'udp')]).should.equal(42);
      should(udpSocketDrops(5515, [path.join(dir, 'udp')])).be.null();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
