'use strict';
/**
 * The UDP reader's raw chunks (src/input/raw-chunks.ts) and the parse
 * thread's work on them (parse-thread.ts): the same lines, runs, counts and
 * drops as the text chunker for the same datagrams and bounds; the bytes
 * survive the move between threads; a raw chunk parsed equals its lines
 * parsed one by one with each stream's parser.
 */
const fc = require('fast-check');
const should = require('should');
const { RawChunker, rawChunkLines } = require('../../dist/input/raw-chunks');
const { UdpChunker } = require('../../dist/input/udp-chunks');
const { ChunkParser } = require('../../dist/input/chunk-parse');
const { parseRawChunk } = require('../../dist/input/parse-thread');
const { decodeRecords } = require('../../dist/input/record-columns');
const { DEFAULT_PARSER_OPTIONS } = require('../../dist/core/parse/parser');
const { chunkLine, parseEachLine } = require('../support/parse-each-line');

/** ASCII datagrams with the awkward bytes: newlines, CRs, empty lines (byte counts then equal character counts) */
const asciiDatagram = fc
  .array(fc.oneof(fc.constantFrom('\n', '\r', '\r\n', '\n\n', 'x'.repeat(40)), fc.string({ maxLength: 12 })), { maxLength: 6 })
  .map((parts) => parts.join('').replace(/[^\x00-\x7f]/g, '?'));
const peer = fc.tuple(fc.constantFrom('10.0.0.1', '10.0.0.2', '::1'), fc.constantFrom(514, 515));

/** Feeds both chunkers the same datagrams, each taking its own lines out of the same room. */
function both(datagrams, maxFrameBytes, capLines, capBytes) {
  const text = { waiting: 0, waitingBytes: 0 };
  const raw = { waiting: 0, waitingBytes: 0 };
  const t = new UdpChunker({ maxFrameBytes, room: () => capLines - text.waiting, roomBytes: () => capBytes - text.waitingBytes });
  const r = new RawChunker({ maxFrameBytes, room: () => capLines - raw.waiting, roomBytes: () => capBytes - raw.waitingBytes }, 1 << 16);
  for (const [data, [address, port]] of datagrams) {
    const buf = Buffer.from(data);
    t.add(buf, address, port);
    r.fits(buf.length).should.be.true(); // 64 KiB: never filled in these runs
    r.add(buf, address, port);
  }
  return { text: t.take(), raw: r.take() };
}

describe("input/RawChunker (the reader thread's bytes for the parse thread)", function () {
  it('gathers the lines, runs, per-sender counts and drops the text chunker gathers, within the same line and byte bounds (property)', function () {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(asciiDatagram, peer), { maxLength: 30 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 200 }),
        (datagrams, maxFrameBytes, capLines, capBytes) => {
          const { text, raw } = both(datagrams, maxFrameBytes, capLines, capBytes);
          // the bytes cross to the parse thread moved, not copied
          const crossed = structuredClone(raw, { transfer: [raw.bytes] });
          rawChunkLines(crossed).should.eql(text.lines);
          crossed.runs.should.eql(text.runs);
          crossed.counts.should.eql(text.counts);
          crossed.lineCount.should.equal(text.lines.length);
          crossed.lineBytes.should.equal(text.bytes);
          crossed.lineCount.should.be.belowOrEqual(capLines);
          crossed.lineBytes.should.be.belowOrEqual(capBytes);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps any bytes unchanged across the move, UTF-8 split over datagrams and invalid sequences included', function () {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 20 }), (datagrams) => {
        const r = new RawChunker({ maxFrameBytes: 100, room: () => 1e9, roomBytes: () => 1e9 }, 4096);
        for (const d of datagrams) r.add(Buffer.from(d), '10.0.0.1', 514);
        const raw = r.take();
        const sent = Buffer.from(raw.bytes, 0, raw.used).toString('hex');
        const crossed = structuredClone(raw, { transfer: [raw.bytes] });
        raw.bytes.byteLength.should.equal(0); // detached here: the parse thread owns it now
        Buffer.from(crossed.bytes, 0, crossed.used).toString('hex').should.equal(sent);
        // every line is the text of its datagram, split as the text chunker splits it
        const t = new UdpChunker({ maxFrameBytes: 100, room: () => 1e9, roomBytes: () => 1e9 });
        for (const d of datagrams) t.add(Buffer.from(d), '10.0.0.1', 514);
        rawChunkLines(crossed).should.eql(t.take().lines);
      }),
      { numRuns: 300 },
    );
  });

  it('bounds the bytes waiting as well as the lines: what does not fit is dropped and counted in lines and bytes', function () {
    let waitingBytes = 0;
    const c = new RawChunker({ maxFrameBytes: 1000, room: () => 1000, roomBytes: () => 250 - waitingBytes }, 4096);
    for (let i = 0; i < 5; i++) c.add(Buffer.from(String(i).repeat(100)), '10.0.0.1', 5000);
    c.pendingLines.should.equal(2);
    const chunk = c.take();
    rawChunkLines(chunk)
      .map((l) => l[0])
      .should.eql(['0', '1']);
    chunk.counts['10.0.0.1'].should.eql([5, 500, 0, 3, 300]);
    // what the flow has not taken yet still counts against the room
    waitingBytes = chunk.lineBytes;
    c.add(Buffer.from('x'.repeat(60)), '10.0.0.2', 1);
    c.add(Buffer.from('y'.repeat(40)), '10.0.0.2', 1);
    const next = c.take();
    rawChunkLines(next).should.eql(['y'.repeat(40)]);
    next.counts['10.0.0.2'].should.eql([2, 100, 0, 1, 60]);
  });

  it('a full chunk moves its buffer and the next chunk gets a new one; a chunk mostly empty is copied out small', function () {
    const c = new RawChunker({ maxFrameBytes: 100, room: () => 1e9, roomBytes: () => 1e9 }, 100);
    c.add(Buffer.from('a'.repeat(80)), '10.0.0.1', 1);
    c.fits(30).should.be.false();
    const full = c.take();
    full.bytes.byteLength.should.equal(100);
    c.fits(100).should.be.true();
    c.add(Buffer.from('b'), '10.0.0.1', 1);
    const small = c.take();
    small.bytes.byteLength.should.equal(1);
    rawChunkLines(small).should.eql(['b']);
  });
});

describe('input/parse-thread (a raw chunk parsed)', function () {
  it("equals parsing each line with its stream's parser: records after the crossing, unparsed lines, header and error counts (property)", function () {
    const line = chunkLine(fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.includes('\n') && s !== '\r'));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(line, { minLength: 1, maxLength: 3 }), peer), { maxLength: 40 }), (datagrams) => {
        const r = new RawChunker({ maxFrameBytes: 65535, room: () => 1e9, roomBytes: () => 1e12 }, 1 << 16);
        for (const [lines, [a, p]] of datagrams) r.add(Buffer.from(lines.join('\n')), a, p);
        const raw = structuredClone(r.take());
        const chunk = structuredClone(parseRawChunk(new ChunkParser(DEFAULT_PARSER_OPTIONS), raw));
        const { records, unparsed, counts } = parseEachLine(datagrams.map(([lines, [a, p]]) => [a, p, lines]));
        should(decodeRecords(chunk.parsed.records)).eql(records);
        chunk.parsed.unparsed.should.eql(unparsed);
        chunk.parsed.counts.should.eql(counts);
        chunk.lineCount.should.equal(datagrams.reduce((n, [ls]) => n + ls.length, 0));
        chunk.lines.should.eql([]);
      }),
      { numRuns: 150 },
    );
  });
});
