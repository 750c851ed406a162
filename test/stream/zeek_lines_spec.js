'use strict';
/**
 * Raw Zeek lines on the scale-out stream: the ingest finds each row's
 * partition from its key column without parsing, the worker parses the
 * lines it reads. Held against the parser and partitionOf on the parsed
 * records (the partition beacon-partition computes), and, through a real
 * nats-server, against one chain fed every record.
 */
const should = require('should');
const { partitionOf } = require('../../dist/core/partition/partition');
const { DEFAULT_PARSER_OPTIONS, LogParser } = require('../../dist/core/parse/parser');
const { ensureStream } = require('../../dist/stream/connection');
const { StreamPublisher } = require('../../dist/stream/publisher');
const { DetectionChain } = require('../../dist/stream/detection-chain');
const { ZeekLinePartitioner } = require('../../dist/stream/zeek-lines');
const { decodeLines, encodeLines, isLinesMessage, UnreadableMessageError } = require('../../dist/stream/line-messages');
const { EXAMPLE_CHAIN } = require('./support/example-chain');
const { natsSuite, until } = require('./support/nats-server');
const { zeekTraffic } = require('./support/traffic');
const { collectingWorker } = require('./support/collecting-worker');

const PARTITIONS = 12;

/** A Zeek conn.log (header and rows) with beacons from many sources, rows up to 200 s out of order. */
function zeekLog(seed, hours = 3) {
  const beacon = (i) => ({
    dst: `52.${10 + i}.${seed % 50}.${20 + i}`,
    port: [443, 80, 8443][i % 3],
    periodSeconds: [30, 45, 60, 90][i % 4],
    startOffsetSeconds: i * 7,
    durationSeconds: 2 * 3600,
  });
  return zeekTraffic({ seed, hours, count: 12, beacon }).map((r) => r.line);
}

/** What the parser makes of the whole text, one line after the other. */
function parsedRecords(text) {
  const parser = new LogParser({ ...DEFAULT_PARSER_OPTIONS, format: 'zeek-tsv' });
  return text
    .split('\n')
    .map((l) => parser.parseLine(l))
    .filter((r) => r.kind === 'record')
    .map((r) => r.record);
}

/** Pushes the text in pieces cut at the given byte lengths (anywhere, mid-line or mid-character), then ends it. */
function pushInPieces(partitioner, bytes, sizes) {
  const batches = [];
  const rejected = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    const out = partitioner.push(bytes.subarray(at, at + size));
    batches.push(...out.batches);
    rejected.push(...out.rejected);
    at += size;
  }
  const end = partitioner.push('', true);
  return { batches: [...batches, ...end.batches], rejected: [...rejected, ...end.rejected] };
}

/** Each partition's records, as the workers parse the messages the batches make. */
function decodedByPartition(batches, key) {
  const got = new Map();
  for (const { header, groups } of batches) {
    for (const [p, lines] of groups) {
      const decoded = decodeLines(encodeLines(key, header, lines), p, PARTITIONS);
      decoded.unparsed.should.equal(0);
      decoded.misplaced.should.equal(0);
      got.set(p, [...(got.get(p) || []), ...decoded.records]);
    }
  }
  return got;
}

describe('Zeek lines on the scale-out stream', function () {
  describe('the ingest side: partitions found in place', function () {
    for (const key of [['LocalIP'], ['LocalIP', 'RemoteIP']]) {
      it(`puts every row on the partition of its parsed record (${key.join(' + ')}), whatever the chunk cuts`, function () {
        // a multi-byte character in a uid, so some cut falls inside it
        const lines = zeekLog(3).map((l, i) => (i === 20 ? l.replace(/\tC[A-Za-z0-9]+\t/, '\tCé€x\t') : l));
        const text = lines.join('\n') + '\n';
        const records = parsedRecords(text);
        records.length.should.be.above(1000);
        const expected = new Map();
        for (const r of records) {
          const p = partitionOf(r, key, PARTITIONS);
          expected.set(p, [...(expected.get(p) || []), r]);
        }
        const { batches, rejected } = pushInPieces(new ZeekLinePartitioner(key, PARTITIONS), Buffer.from(text), [1, 7, 4096, 333, 65536]);
        rejected.should.eql([]);
        const got = decodedByPartition(batches, key);
        [...got.keys()].sort((a, b) => a - b).should.eql([...expected.keys()].sort((a, b) => a - b));
        for (const [p, rs] of expected) got.get(p).should.eql(rs, `partition ${p}`);
        got.size.should.be.above(PARTITIONS / 2);
      });
    }

    it('reads a character cut between two chunks whole', function () {
      const log = zeekLog(3, 1);
      const text = [...log.slice(0, 12).map((l, i) => (i === 10 ? l.replace(/\tC[A-Za-z0-9]+\t/, '\tCé€x\t') : l)), ''].join('\n');
      const bytes = Buffer.from(text);
      const cut = bytes.indexOf(Buffer.from('€')) + 1;
      const p = new ZeekLinePartitioner(['LocalIP'], PARTITIONS);
      const lines = [p.push(bytes.subarray(0, cut)), p.push(bytes.subarray(cut), true)].flatMap((o) => o.batches.flatMap((b) => [...b.groups.values()].flat()));
      lines.should.containEql(text.split('\n')[10]);
      lines.length.should.equal(log.slice(0, 12).filter((l) => !l.startsWith('#')).length);
    });

    it('keeps the header in force with each batch: a new #fields (another column order, another separator) starts a new one', function () {
      const first = zeekLog(4, 1);
      const fields = first
        .find((l) => l.startsWith('#fields'))
        .split('\t')
        .slice(1);
      const rows = first.filter((l) => !l.startsWith('#'));
      // the same rows again with the columns reversed and a comma separator
      const reversed = rows.slice(0, 50).map((l) => l.split('\t').reverse().join(','));
      const text = [...first, '#separator ,', `#fields,${[...fields].reverse().join(',')}`, ...reversed, ''].join('\n');
      const p = new ZeekLinePartitioner(['LocalIP'], PARTITIONS);
      const { batches, rejected } = p.push(text, true);
      rejected.should.eql([]);
      batches.length.should.equal(2);
      // the separator the fields were read with comes first
      batches[1].header.slice(0, 2).should.eql(['#separator ,', `#fields,${[...fields].reverse().join(',')}`]);
      const got = decodedByPartition(batches, ['LocalIP']);
      const all = [...got.values()].flat();
      all.length.should.equal(parsedRecords(text).length);
      // a reversed row reads as its original
      const again = parsedRecords(text).slice(rows.length);
      again.should.eql(parsedRecords([...first].join('\n')).slice(0, 50));
    });

    it('refuses what it cannot place, with the reason the parser would give; a reset forgets the header', function () {
      const log = zeekLog(5, 1);
      const row = log.find((l) => !l.startsWith('#'));
      const p = new ZeekLinePartitioner(['LocalIP'], PARTITIONS);
      p.push(`${row}\n`).rejected.should.eql([{ line: row, reason: 'Zeek TSV row before any #fields header' }]);
      const fine = p.push(`${log.join('\n')}\n${row}\tone more\n\n`);
      fine.rejected.length.should.equal(1);
      fine.rejected[0].reason.should.match(/^Zeek row has \d+ fields, the #fields header \d+$/);
      p.reset();
      p.push(`${row}\n`).rejected.length.should.equal(1);
      (() => new ZeekLinePartitioner(['SentBytes'], PARTITIONS)).should.throw(/partitioned by LocalIP.*not SentBytes/);
      (() => new ZeekLinePartitioner([], PARTITIONS)).should.throw(/not no field/);
    });
  });

  describe('the message', function () {
    it('names its format and version on its first line; a later version is refused, not skipped', function () {
      const log = zeekLog(6, 1);
      const header = log.filter((l) => l.startsWith('#separator') || l.startsWith('#fields'));
      const rows = log.filter((l) => !l.startsWith('#')).slice(0, 30);
      const body = encodeLines(['LocalIP'], header, rows);
      body.split('\n')[0].should.equal('#netbeacon-lines 1 {"format":"zeek-tsv","key":["LocalIP"]}');
      isLinesMessage(Buffer.from(body)).should.be.true();
      isLinesMessage(Buffer.from('{"records":[]}')).should.be.false();
      const later = body.replace('#netbeacon-lines 1 ', '#netbeacon-lines 2 ');
      (() => decodeLines(later, 0, PARTITIONS)).should.throw(UnreadableMessageError, { message: /format version 2; this worker reads version 1/ });
      (() => decodeLines(body.replace('"zeek-tsv"', '"cef"'), 0, PARTITIONS)).should.throw(UnreadableMessageError);
    });

    it('counts rows that do not parse and rows of another partition, and leaves them out', function () {
      const log = zeekLog(7, 1);
      const header = log.filter((l) => l.startsWith('#separator') || l.startsWith('#fields'));
      const rows = log.filter((l) => !l.startsWith('#')).slice(0, 40);
      const records = parsedRecords([...header, ...rows].join('\n'));
      const p = partitionOf(records[0], ['LocalIP'], PARTITIONS);
      const bad = rows[1].replace(/^[0-9.]+/, 'soon');
      const out = decodeLines(encodeLines(['LocalIP'], header, [...rows, bad]), p, PARTITIONS);
      out.unparsed.should.equal(1);
      out.firstError.should.match(/^Zeek ts is not a time/);
      const mine = records.filter((r) => partitionOf(r, ['LocalIP'], PARTITIONS) === p);
      out.records.should.eql(mine);
      out.misplaced.should.equal(records.length - mine.length);
      out.misplaced.should.be.above(0);
    });
  });

  describe('through a real nats-server', function () {
    this.timeout(60000);
    const nats = natsSuite();
    let clients;
    let dir;
    const open = nats.open;

    beforeEach(function () {
      ({ clients, dir } = nats);
    });

    const worker = (stream) => {
      const { worker: w, got } = collectingWorker(clients, { stream, partitions: PARTITIONS, workerId: 'a', checkpointDir: dir, ...EXAMPLE_CHAIN }, open);
      return { w, got };
    };

    const cell = (row) => JSON.stringify([row.TimeGenerated, row.LocalIP, row.RemoteIP, row.RemotePortNumber]);
    const strip = ({ FailedThresholds, AlertId, Notify, ...row }) => row;
    const sorted = (rows) => rows.map(strip).sort((a, b) => (cell(a) < cell(b) ? -1 : cell(a) > cell(b) ? 1 : 0));

    it('a worker reading lines writes exactly the rows of one chain fed every parsed record', async function () {
      const stream = `l${process.pid}_1`;
      const text = zeekLog(8).join('\n') + '\n';
      await ensureStream(clients.jsm, { name: stream, partitions: PARTITIONS });
      const publisher = new StreamPublisher(clients.js, { name: stream, partitions: PARTITIONS }, { keyFields: ['LocalIP'] });
      const partitioner = new ZeekLinePartitioner(['LocalIP'], PARTITIONS);
      const { w, got } = worker(stream);
      await w.start();
      const bytes = Buffer.from(text);
      for (let at = 0; at < bytes.length; at += 16384) {
        const { batches, rejected } = partitioner.push(bytes.subarray(at, at + 16384));
        rejected.should.eql([]);
        await publisher.publishLines(batches);
      }
      await publisher.publishLines(partitioner.push('', true).batches);
      await publisher.publishControl({ flush: true });
      await until('every partition flushed', () => got.flushed.size === PARTITIONS);
      got.errors.should.eql([]);
      const records = parsedRecords(text);
      publisher.counts.records.should.equal(records.length);
      const single = new DetectionChain(EXAMPLE_CHAIN.chain).push(records, true);
      single.alerts.length.should.be.above(3);
      sorted(got.rows).should.eql(sorted([...single.alerts, ...single.rows]));
    });

    it('a lines message of a later version stops its partition with the reason; the others are read', async function () {
      const stream = `l${process.pid}_2`;
      await ensureStream(clients.jsm, { name: stream, partitions: PARTITIONS });
      const log = zeekLog(9, 1);
      const header = log.filter((l) => l.startsWith('#separator') || l.startsWith('#fields'));
      const row = log.find((l) => !l.startsWith('#'));
      await clients.js.publish(`${stream}.3`, encodeLines(['LocalIP'], header, [row]).replace('#netbeacon-lines 1 ', '#netbeacon-lines 9 '));
      const publisher = new StreamPublisher(clients.js, { name: stream, partitions: PARTITIONS }, { keyFields: ['LocalIP'] });
      await publisher.publishControl({ flush: true });
      const { w, got } = worker(stream);
      await w.start();
      await until('the other partitions flushed and the error', () => got.flushed.size === PARTITIONS - 1 && got.errors.length === 1);
      got.flushed.has(3).should.be.false();
      got.errors[0].p.should.equal(3);
      got.errors[0].err.message.should.match(
        /partition 3: message 1: lines message of format version 9; this worker reads version 1: upgrade the worker; the partition is not read further/,
      );
      w.lag.find((l) => l.partition === 3).failed.should.be.true();
      should(w.lag.find((l) => l.partition === 3).lastSeq).equal(0);
    });
  });
});
