'use strict';
/**
 * The JetStream scale-out without Node-RED, against a real nats-server
 * (file storage, 127.0.0.1): the ingest publisher, partition leases in a KV
 * bucket, and workers whose checkpoint holds state and stream position
 * together. The detection result is held against one chain fed every record
 * (the single instance) and against the KQL batch oracle.
 */
const fs = require('fs');
const path = require('path');
const should = require('should');
const gen = require('../../dist/tools/traffic-generator');
const { generateLines } = require('../../dist/tools/log-lines');
const { partitionOf } = require('../../dist/core/partition/partition');
const { connectStream, ensureStream, openAlertBucket, openLeaseBucket } = require('../../dist/stream/connection');
const { StreamPublisher } = require('../../dist/stream/publisher');
const { LeaseManager, fairShare } = require('../../dist/stream/leases');
const { StreamWorker } = require('../../dist/stream/worker');
const { CheckpointStore } = require('../../dist/stream/checkpoint-store');
const { DetectionChain } = require('../../dist/stream/detection-chain');
const { decodeRecords, encodeRecords } = require('../../dist/stream/record-codec');
const { EXAMPLE_CHAIN, profileChain } = require('./support/example-chain');
const oracle = require('../oracle/kql-batch');
const { natsSuite, until } = require('./support/nats-server');

const PARTITIONS = 12;
let streamCount = 0;
const newStream = () => `t${process.pid}_${++streamCount}`;

/** Beacons from many sources so every partition has some; arrival up to 200 s out of order. */
function traffic(seed) {
  const rnd = (k) => (seed * 31 + k * 17) % 97;
  const beacons = Array.from({ length: 16 }, (_, i) => ({
    src: `10.9.${i}.${10 + i}`,
    dst: `52.${10 + i}.${rnd(i)}.${20 + i}`,
    port: [443, 80, 8443][i % 3],
    periodSeconds: [30, 45, 60, 90, 120][i % 5],
    jitter: i % 4 === 3 ? 0.1 : 0,
    jitterMode: 'one-sided',
    startOffsetSeconds: rnd(i) * 10,
    durationSeconds: 2 * 3600,
    sentBytes: 300 + i,
    receivedBytes: 900 + i,
    user: '',
  }));
  return generateLines({ ...gen.DEFAULT_OPTIONS, seed, hours: 3, beacons, noiseHosts: 8, noisePerHour: 30, disorderSeconds: 200 }, 'zeek-tsv')
    .map((r) => r.record)
    .filter(Boolean);
}

/** What one instance writes for the records: every scored row, alerts and the rest. */
function singleInstance(records) {
  const out = new DetectionChain(EXAMPLE_CHAIN.chain).push(records, true);
  return [...out.alerts, ...out.rows];
}

/** A row's cell: its window and group. */
const cellKey = (row) => JSON.stringify([row.TimeGenerated, row.LocalIP, row.RemoteIP, row.RemotePortNumber]);
const strip = ({ FailedThresholds, AlertId, Notify, ...row }) => row;

/** Rows by cell; a cell written twice must be written the same both times (a re-read never counts twice). */
function byCell(rows) {
  const cells = new Map();
  for (const row of rows) {
    const key = cellKey(row);
    if (cells.has(key)) should(strip(row)).eql(strip(cells.get(key)), `cell ${key} written twice with different counts`);
    cells.set(key, row);
  }
  return cells;
}

function sameRows(actual, expected) {
  const a = byCell(actual);
  const e = byCell(expected);
  [...a.keys()].sort().should.eql([...e.keys()].sort());
  for (const [key, row] of e) should(strip(a.get(key))).eql(strip(row), key);
}

/** A worker with its output collected; `flushed` holds the partitions whose flush came out. */
function collectingWorker(clients, stream, dir, id, extra = {}) {
  const got = { rows: [], flushed: new Set(), errors: [], warnings: [], outputs: 0 };
  const worker = new StreamWorker(
    clients,
    { stream, partitions: PARTITIONS, workerId: id, checkpointDir: dir, ...EXAMPLE_CHAIN, leaseSeconds: 2, checkpointMessages: 3, ...extra },
    {
      output: (p, out) => {
        got.outputs++;
        got.rows.push(...out.alerts, ...out.rows);
      },
      control: (p, flags) => flags.flush && got.flushed.add(p),
      warn: (m) => got.warnings.push(m),
      error: (err, p) => got.errors.push({ err, p }),
    },
  );
  return { worker, got };
}

/** Publishes records in batches of `size` (one message per partition per batch). */
async function publishAll(publisher, records, size = 200) {
  for (let i = 0; i < records.length; i += size) await publisher.publishRecords(records.slice(i, i + size));
}

describe('JetStream scale-out, in process (real nats-server)', function () {
  this.timeout(60000);
  const nats = natsSuite();
  let server;
  let clients;
  let dir;
  const open = nats.open;

  beforeEach(function () {
    ({ server, clients, dir } = nats);
  });

  async function newClients() {
    const c = await connectStream({ servers: server.url });
    open.push(() => c.nc.close().catch(() => undefined));
    return c;
  }

  function start(c, stream, id, extra) {
    const w = collectingWorker(c, stream, dir, id, extra);
    open.push(() => w.worker.abandon());
    return w;
  }

  describe('ingest publisher', function () {
    it('sends each partition of a batch as one acknowledged message to <stream>.<partition>', async function () {
      const stream = newStream();
      await ensureStream(clients.jsm, { name: stream, partitions: PARTITIONS });
      const publisher = new StreamPublisher(clients.js, { name: stream, partitions: PARTITIONS }, { keyFields: ['LocalIP'] });
      const records = traffic(1).slice(0, 500);
      await publisher.publishRecords(records);
      const expected = new Map();
      for (const r of records) {
        const p = partitionOf(r, ['LocalIP'], PARTITIONS);
        expected.set(p, [...(expected.get(p) || []), r]);
      }
      publisher.counts.messages.should.equal(expected.size);
      publisher.counts.records.should.equal(500);
      const info = await clients.jsm.streams.info(stream);
      info.state.messages.should.equal(expected.size);
      for (const [p, group] of expected) {
        const m = await clients.jsm.streams.getMessage(stream, { last_by_subj: `${stream}.${p}` });
        const body = JSON.parse(m.string());
        // field names once per shape, a row of values per record: the records come back whole, in order
        body.records.length.should.be.below(3);
        body.rows.length.should.equal(group.length);
        decodeRecords(body).should.eql(JSON.parse(JSON.stringify(group)));
      }
    });

    it('encodes records compactly and exactly: shapes, field order, nulls, nested values; absent = undefined', function () {
      const records = [{ a: 1, b: 'x', c: null }, { a: 2, b: 'y', c: { d: [1, 2] } }, { b: 'z', a: 3 }, { a: 4, b: undefined, e: true }, {}];
      const body = JSON.parse(encodeRecords(records));
      body.records.should.eql([['a', 'b', 'c'], ['b', 'a'], ['a', 'e'], []]);
      const back = decodeRecords(body);
      back.should.eql([{ a: 1, b: 'x', c: null }, { a: 2, b: 'y', c: { d: [1, 2] } }, { b: 'z', a: 3 }, { a: 4, e: true }, {}]);
      Object.keys(back[2]).should.eql(['b', 'a']);
      const bytes = (x) => Buffer.byteLength(x);
      const zeek = traffic(2).slice(0, 200);
      bytes(encodeRecords(zeek)).should.be.below(bytes(JSON.stringify(zeek)) * 0.6);
      should(decodeRecords([{ a: 1 }])).be.null();
      (() => decodeRecords({ records: [['a']], rows: [[0, 1, 2]] })).should.throw(/does not match its shape/);
    });

    it('counts a full stream and gives a batch up with an error, never silently', async function () {
      const stream = newStream();
      await ensureStream(clients.jsm, { name: stream, partitions: 1 }, { maxMessages: 2 });
      const publisher = new StreamPublisher(clients.js, { name: stream, partitions: 1 }, { keyFields: ['LocalIP'], fullRetrySeconds: 0 });
      await publisher.publishRecords([{ LocalIP: '10.0.0.1' }]);
      await publisher.publishRecords([{ LocalIP: '10.0.0.2' }]);
      await publisher.publishRecords([{ LocalIP: '10.0.0.3' }, { LocalIP: '10.0.0.4' }]).should.be.rejectedWith(/is full.*2 record\(s\)/);
      publisher.counts.fullRefusals.should.be.above(0);
      publisher.counts.dropped.should.equal(2);
      publisher.counts.records.should.equal(2);
    });
  });

  describe('partition leases', function () {
    it('splits the partitions fairly, whatever the count', function () {
      const split = (n, workers) => workers.map((w) => fairShare(n, workers, w));
      split(12, ['a', 'b']).should.eql([6, 6]);
      split(12, ['a', 'b', 'c', 'd', 'e']).should.eql([3, 3, 2, 2, 2]);
      split(2, ['a', 'b', 'c']).should.eql([1, 1, 0]);
    });

    it('gives a newcomer its share from the loaded worker, and everything back when it leaves', async function () {
      const stream = newStream();
      // a TTL no pause of a loaded machine outlasts: this test is about hand-over, never expiry
      const kv = await openLeaseBucket(clients.nc, stream, 10);
      const events = [];
      const handlers = (who) => ({
        acquired: (l) => events.push([who, 'acquired', l.partition]),
        lost: (p) => events.push([who, 'lost', p]),
        releasing: async (p) => events.push([who, 'releasing', p]),
      });
      const a = new LeaseManager(kv, { workerId: 'a', partitions: PARTITIONS, ttlSeconds: 10 }, handlers('a'));
      await a.tick();
      a.partitions.length.should.equal(PARTITIONS);
      const b = new LeaseManager(kv, { workerId: 'b', partitions: PARTITIONS, ttlSeconds: 10 }, handlers('b'));
      await until('a split of 6 and 6', async () => {
        await b.tick();
        await a.tick();
        return a.partitions.length === 6 && b.partitions.length === 6;
      });
      [...a.partitions, ...b.partitions].sort((x, y) => x - y).should.eql([...Array(PARTITIONS).keys()]);
      // every partition b took was released (checkpointed) by a first
      for (const p of b.partitions)
        events
          .findIndex((e) => e[0] === 'a' && e[1] === 'releasing' && e[2] === p)
          .should.be.below(events.findIndex((e) => e[0] === 'b' && e[1] === 'acquired' && e[2] === p));
      events.filter((e) => e[1] === 'lost').should.eql([]);
      await b.close();
      await until('a holds all again', async () => {
        await a.tick();
        return a.partitions.length === PARTITIONS;
      });
      await a.close();
    });

    it('fences a paused holder: once another worker has its partitions, it holds none and its renewal is refused', async function () {
      const stream = newStream();
      const kv = await openLeaseBucket(clients.nc, stream, 1);
      const lost = [];
      const a = new LeaseManager(
        kv,
        { workerId: 'a', partitions: 2, ttlSeconds: 1 },
        { acquired() {}, lost: (p, why) => lost.push([p, why]), releasing: async () => {} },
      );
      const b = new LeaseManager(kv, { workerId: 'b', partitions: 2, ttlSeconds: 1 }, { acquired() {}, lost() {}, releasing: async () => {} });
      await a.tick();
      a.partitions.should.eql([0, 1]);
      const epochs = a.partitions.map((p) => a.lease(p).epoch);
      // a is "paused": it stops renewing; b takes over once the entries expire
      await until('b to take both partitions', async () => {
        await b.tick();
        return b.partitions.length === 2;
      });
      b.partitions.map((p) => b.lease(p).epoch).forEach((e, i) => e.should.be.above(epochs[i]));
      a.holds(0).should.be.false();
      a.holds(1).should.be.false();
      lost
        .map((l) => l[0])
        .sort()
        .should.eql([0, 1]);
      await b.close();
    });
  });

  describe('checkpoint files', function () {
    it("hold state and position together, and never take an earlier owner's write over a later one's", function () {
      const store = new CheckpointStore(dir, 'cp');
      const big = { keys: Array.from({ length: 5000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`) };
      store.save({ partition: 3, epoch: 7, lastSeq: 40, settings: 's', state: big }).should.be.true();
      store.save({ partition: 3, epoch: 5, lastSeq: 90, settings: 's', state: {} }).should.be.false();
      const kept = store.load(3);
      [kept.epoch, kept.lastSeq].should.eql([7, 40]);
      kept.state.should.eql(big);
      store.save({ partition: 3, epoch: 9, lastSeq: 95, settings: 's', state: { x: 1 } }).should.be.true();
      store.load(3).lastSeq.should.equal(95);
      should(store.load(4)).be.null();
      // written beside and renamed: no temporary file stays
      fs.readdirSync(dir).should.eql(['cp-p3.json']);
    });
  });

  describe('workers: the checkpoint is the position', function () {
    it('one worker alone writes exactly the single instance rows, the KQL batch rows', async function () {
      const stream = newStream();
      const records = traffic(2);
      const publisher = new StreamPublisher(clients.js, { name: stream, partitions: PARTITIONS }, { keyFields: ['LocalIP'] });
      await ensureStream(clients.jsm, { name: stream, partitions: PARTITIONS });
      const a = start(clients, stream, 'a');
      await a.worker.start();
      await publishAll(publisher, records);
      await publisher.publishControl({ flush: true });
      await until('every partition flushed', () => a.got.flushed.size === PARTITIONS);
      a.got.errors.should.eql([]);
      sameRows(a.got.rows, singleInstance(records));
      const kql = oracle.wireDataRule(records);
      kql.length.should.be.above(5);
      byCell(a.got.rows.filter((r) => r.FailedThresholds === undefined)).size.should.equal(kql.length);
    });

    it("a worker on the hunt profile writes what the hunt's nodes write on each partition's records; each AlertId notified once", async function () {
      const stream = newStream();
      const records = traffic(6);
      // the hunt's nodes fed each partition's records (the filter and delta write into records: copies)
      const hunt = profileChain('hunt', '');
      const parts = new Map();
      for (const r of records) {
        const p = partitionOf(r, ['LocalIP'], PARTITIONS);
        parts.set(p, [...(parts.get(p) || []), { ...r }]);
      }
      const expected = [...parts.values()].flatMap((rs) => {
        const out = new DetectionChain(hunt.chain).push(rs, true);
        return [...out.alerts, ...out.rows];
      });
      const publisher = new StreamPublisher(clients.js, { name: stream, partitions: PARTITIONS }, { keyFields: ['LocalIP'] });
      await ensureStream(clients.jsm, { name: stream, partitions: PARTITIONS });
      const a = start(clients, stream, 'a', hunt);
      await a.worker.start();
      await publishAll(publisher, records);
      await publisher.publishControl({ flush: true });
      await until('every partition flushed', () => a.got.flushed.size === PARTITIONS);
      a.got.errors.should.eql([]);
      const canonical = (rows) => rows.map((r) => JSON.stringify(strip(r))).sort();
      canonical(a.got.rows).should.eql(canonical(expected));
      // both of the hunt's histograms were scored; the 72 h windows alerted, and the hourly bursts of the same pairs were held back by
      // the re-arm time the two scorers share (one alert per pair a day), as in the hunt example
      a.got.rows.filter((r) => r.Method === 'window' && /^repeat: pair reported/.test(r.Suppressed)).length.should.be.above(3);
      const alerts = a.got.rows.filter((r) => typeof r.AlertId === 'string' && r.FailedThresholds === undefined && r.Suppressed === undefined);
      alerts.filter((r) => r.Method === 'periodic').length.should.be.above(3);
      alerts.filter((r) => r.Notify !== false).length.should.equal(new Set(alerts.map((r) => r.AlertId)).size);
    });

    it('a worker killed mid-stream: another takes its partitions over from their checkpoints; nothing lost, nothing twice', async function () {
      const stream = newStream();
      const records = traffic(3);
      const half = Math.floor(records.length / 2);
      await ensureStream(clients.jsm, { name: stream, partitions: PARTITIONS });
      const publisher = new StreamPublisher(clients.js, { name: stream, partitions: PARTITIONS }, { keyFields: ['LocalIP'] });
      const a = start(await newClients(), stream, 'a');
      const b = start(await newClients(), stream, 'b');
      await a.worker.start();
      await b.worker.start();
      await until('a split of 6 and 6', () => a.worker.lag.length === 6 && b.worker.lag.length === 6, 30000);
      await publishAll(publisher, records.slice(0, half));
      const last = (await clients.jsm.streams.info(stream)).state.last_seq;
      await until('both to read the first half', () => a.worker.counts.records + b.worker.counts.records >= half);
      a.worker.counts.checkpoints.should.be.above(0);
      // the crash: no checkpoint, no release; what a read since its last checkpoint is read again by b
      await a.worker.abandon();
      const crashed = a.got.rows.length;
      await publishAll(publisher, records.slice(half));
      await publisher.publishControl({ flush: true });
      await until('b to take every partition and flush it', () => b.got.flushed.size === PARTITIONS, 30000);
      a.got.rows.length.should.equal(crashed);
      b.worker.counts.restored.should.be.above(0);
      last.should.be.above(0);
      sameRows([...a.got.rows, ...b.got.rows], singleInstance(records));
    });

    it('a worker restarted after a crash resumes from its checkpoints', async function () {
      const stream = newStream();
      const records = traffic(4);
      const cut = Math.floor(records.length / 3);
      await ensureStream(clients.jsm, { name: stream, partitions: PARTITIONS });
      const publisher = new StreamPublisher(clients.js, { name: stream, partitions: PARTITIONS }, { keyFields: ['LocalIP'] });
      const first = start(await newClients(), stream, 'a');
      await first.worker.start();
      await publishAll(publisher, records.slice(0, cut));
      await until('the first third read', () => first.worker.counts.records >= cut);
      await first.worker.abandon();
      await publishAll(publisher, records.slice(cut));
      await publisher.publishControl({ flush: true });
      const again = start(await newClients(), stream, 'a');
      await again.worker.start();
      await until('the restarted worker to flush every partition', () => again.got.flushed.size === PARTITIONS, 30000);
      again.worker.counts.restored.should.be.above(0);
      // it re-read only what followed its checkpoints, not the whole stream
      again.worker.counts.records.should.be.below(records.length);
      sameRows([...first.got.rows, ...again.got.rows], singleInstance(records));
    });

    it('a worker that joins after the ingest started gets its share and the flush', async function () {
      const stream = newStream();
      const records = traffic(5);
      const half = Math.floor(records.length / 2);
      await ensureStream(clients.jsm, { name: stream, partitions: PARTITIONS });
      const publisher = new StreamPublisher(clients.js, { name: stream, partitions: PARTITIONS }, { keyFields: ['LocalIP'] });
      // leases no pause outlasts: a lost one would move a partition and spoil the 6/6 split asserted below
      const a = start(await newClients(), stream, 'a', { leaseSeconds: 10 });
      await a.worker.start();
      await publishAll(publisher, records.slice(0, half));
      await until('a to read the first half', () => a.worker.counts.records >= half);
      const b = start(await newClients(), stream, 'b', { leaseSeconds: 10 });
      await b.worker.start();
      await until('a split of 6 and 6', () => a.worker.lag.length === 6 && b.worker.lag.length === 6, 30000);
      await publishAll(publisher, records.slice(half));
      await publisher.publishControl({ flush: true });
      await until('every partition flushed by one of them', () => a.got.flushed.size + b.got.flushed.size === PARTITIONS, 30000);
      b.got.flushed.size.should.equal(6);
      b.got.rows.length.should.be.above(0);
      sameRows([...a.got.rows, ...b.got.rows], singleInstance(records));
    });

    it('a paused worker whose lease passed to another writes nothing more', async function () {
      const stream = newStream();
      const records = traffic(6);
      await ensureStream(clients.jsm, { name: stream, partitions: PARTITIONS });
      const publisher = new StreamPublisher(clients.js, { name: stream, partitions: PARTITIONS }, { keyFields: ['LocalIP'] });
      const a = start(await newClients(), stream, 'a', { leaseSeconds: 1 });
      await a.worker.start();
      // "pause": its renewals stop, its readers keep receiving
      clearInterval(a.worker.timer);
      const b = start(await newClients(), stream, 'b', { leaseSeconds: 1 });
      await b.worker.start();
      await until('b to hold every partition', () => b.worker.lag.length === PARTITIONS, 30000);
      const before = a.got.outputs;
      await publishAll(publisher, records);
      await publisher.publishControl({ flush: true });
      await until('b to flush every partition', () => b.got.flushed.size === PARTITIONS, 30000);
      a.got.outputs.should.equal(before);
      a.got.flushed.size.should.equal(0);
      sameRows(b.got.rows, singleInstance(records));
    });

    it('alerts scored again after a crash carry the same AlertId and are notified once', async function () {
      const stream = newStream();
      const records = traffic(8);
      await ensureStream(clients.jsm, { name: stream, partitions: PARTITIONS });
      const publisher = new StreamPublisher(clients.js, { name: stream, partitions: PARTITIONS }, { keyFields: ['LocalIP'] });
      const a = start(await newClients(), stream, 'a');
      await a.worker.start();
      await publishAll(publisher, records);
      await publisher.publishControl({ flush: true });
      await until('a to flush every partition', () => a.got.flushed.size === PARTITIONS);
      await a.worker.abandon();
      const first = a.got.rows.filter((r) => r.AlertId);
      first.length.should.be.above(5);
      first.every((r) => r.Notify === true).should.be.true();
      // a crash before any checkpoint: the next owner scores everything again
      for (const f of fs.readdirSync(dir)) fs.unlinkSync(path.join(dir, f));
      const b = start(await newClients(), stream, 'b');
      await b.worker.start();
      await until('b to flush every partition', () => b.got.flushed.size === PARTITIONS, 30000);
      const again = b.got.rows.filter((r) => r.AlertId);
      again
        .map((r) => r.AlertId)
        .sort()
        .should.eql(first.map((r) => r.AlertId).sort());
      again.filter((r) => r.Notify !== false).should.eql([]);
      b.worker.counts.alertsRepeated.should.equal(first.length);
    });

    it('an alert its earlier owner claimed but never sent is notified by the next owner; one it sent is not', async function () {
      const stream = newStream();
      const records = traffic(8);
      const expected = new DetectionChain(EXAMPLE_CHAIN.chain).push(
        records.map((r) => ({ ...r })),
        true,
      ).alerts;
      expected.length.should.be.above(5);
      const [claimed, sent] = expected.map((r) => r.AlertId);
      await ensureStream(clients.jsm, { name: stream, partitions: PARTITIONS });
      // what an owner leaves when it claimed one alert and lost the partition before the alert left, and sent another
      const bucket = await openAlertBucket(clients.nc, stream, 168);
      await bucket.create(claimed, 'pending');
      await bucket.create(sent, 'sent');
      const publisher = new StreamPublisher(clients.js, { name: stream, partitions: PARTITIONS }, { keyFields: ['LocalIP'] });
      const a = start(await newClients(), stream, 'a');
      await a.worker.start();
      await publishAll(publisher, records);
      await publisher.publishControl({ flush: true });
      await until('every partition flushed', () => a.got.flushed.size === PARTITIONS);
      const alerts = a.got.rows.filter((r) => typeof r.AlertId === 'string' && r.FailedThresholds === undefined);
      alerts
        .map((r) => r.AlertId)
        .sort()
        .should.eql(expected.map((r) => r.AlertId).sort());
      alerts.find((r) => r.AlertId === claimed).Notify.should.be.true();
      alerts.find((r) => r.AlertId === sent).Notify.should.be.false();
      alerts.filter((r) => r.Notify === true).length.should.equal(expected.length - 1);
      // each alert that left is recorded as sent, for whoever scores it next
      await until('every alert recorded as sent', async () =>
        (await Promise.all(expected.map((r) => bucket.get(r.AlertId)))).every((e) => e && e.string() === 'sent'),
      );
    });

    it('a NATS restart while records are published and read: the ingest retries, the worker resumes; nothing lost, nothing twice', async function () {
      const stream = newStream();
      const records = traffic(9);
      const half = Math.floor(records.length / 2);
      await ensureStream(clients.jsm, { name: stream, partitions: PARTITIONS });
      const publisher = new StreamPublisher(clients.js, { name: stream, partitions: PARTITIONS }, { keyFields: ['LocalIP'], retryMillis: 100 });
      const a = start(await newClients(), stream, 'a');
      await a.worker.start();
      await publishAll(publisher, records.slice(0, half));
      await until('a to read the first half', () => a.worker.counts.records >= half);
      await server.stop();
      // published while the server is down: retried until it is back
      const sending = publishAll(publisher, records.slice(half));
      await until('a publish to be retried', () => publisher.counts.retries > 0);
      await server.restart();
      await sending;
      await publisher.publishControl({ flush: true });
      await until('every partition flushed', () => a.got.flushed.size === PARTITIONS, 60000);
      publisher.counts.dropped.should.equal(0);
      publisher.counts.records.should.equal(records.length);
      sameRows(a.got.rows, singleInstance(records));
    });

    it('an unreadable checkpoint stops its partition with an error, the others run', async function () {
      const stream = newStream();
      await ensureStream(clients.jsm, { name: stream, partitions: PARTITIONS });
      fs.writeFileSync(path.join(dir, `${stream}-p4.json`), '{"format":"netbeacon-partition-checkpoint","version":1,"stream":"');
      const a = start(await newClients(), stream, 'a');
      await a.worker.start();
      await until('every partition held', () => a.worker.lag.length === PARTITIONS);
      a.got.errors.map((e) => e.p).should.eql([4]);
      a.got.errors[0].err.message.should.match(/partition 4: its checkpoint cannot be read/);
      a.worker.lag
        .filter((l) => l.failed)
        .map((l) => l.partition)
        .should.eql([4]);
    });

    it('a checkpoint from before the stream was trimmed is a clear error, not silent loss', async function () {
      const stream = newStream();
      const records = traffic(7);
      await ensureStream(clients.jsm, { name: stream, partitions: PARTITIONS });
      const publisher = new StreamPublisher(clients.js, { name: stream, partitions: PARTITIONS }, { keyFields: ['LocalIP'] });
      const a = start(await newClients(), stream, 'a', { checkpointMessages: 1 });
      await a.worker.start();
      await publishAll(publisher, records.slice(0, 600));
      await until('a to read them', () => a.worker.counts.records >= 600);
      await a.worker.close();
      await publishAll(publisher, records.slice(600));
      const { state } = await clients.jsm.streams.info(stream);
      // retention by age or size would do this; purge is the same cut, on demand
      await clients.jsm.streams.purge(stream, { seq: state.last_seq - 5 });
      const again = start(await newClients(), stream, 'a');
      await again.worker.start();
      await until('an error for the partitions whose next message is gone', () => again.got.errors.length > 0);
      const err = again.got.errors[0].err;
      err.name.should.equal('TrimmedStreamError');
      err.message.should.match(/cannot resume.*trimmed/);
      again.worker.lag.filter((l) => l.failed).length.should.be.above(0);
    });
  });
});
