'use strict';
/**
 * The worker's pairs profile: the hunt example's pair history inside one
 * partition's chain. It scores what the example's own stages (address
 * filter → pair history → scorer with its alert gate, run as the nodes run
 * them) score, and a chain restored from a snapshot taken mid-stream goes
 * on exactly as one never stopped (the snapshot is what a worker saves with
 * the stream position).
 */
require('should');
const { DetectionChain } = require('../../dist/stream/detection-chain');
const { PairHuntStage } = require('../../dist/core/pairs');
const { ScorerStage } = require('../../dist/core/scorer/scorer-stage');
const { AlertGate } = require('../../dist/core/scorer/alert-gate');
const { ipFilterDropReason } = require('../../dist/core/filter/ip-filter');
const { partitionOf } = require('../../dist/core/partition/partition');
const { ensureStream } = require('../../dist/stream/connection');
const { StreamPublisher } = require('../../dist/stream/publisher');
const { profileChain } = require('./support/example-chain');
const { collectingWorker } = require('./support/collecting-worker');
const { natsSuite, until } = require('./support/nats-server');
const { zeekTraffic } = require('./support/traffic');

/** Two days of a few hosts, with beacons of several periods (the pair history scores every 12 h of event time). */
function records(seed) {
  const beacon = (i) => ({
    dst: `52.${10 + i}.${seed}.${20 + i}`,
    port: [443, 80, 8443][i % 3],
    periodSeconds: [300, 600, 900, 1800][i % 4],
    jitter: i % 4 === 3 ? 0.1 : 0,
    startOffsetSeconds: i * 60,
    durationSeconds: 40 * 3600,
  });
  return zeekTraffic({ seed, hours: 48, count: 8, beacon, noiseHosts: 6, noisePerHour: 20, disorderSeconds: 60 })
    .map((r) => r.record)
    .filter(Boolean);
}

const copies = (rs) => rs.map((r) => ({ ...r }));
const strip = ({ AlertId, Notify, ...row }) => row;
const canonical = (out) => [...out.alerts, ...out.rows].map((r) => JSON.stringify(strip(r))).sort();

describe('stream worker: the pairs profile (the hunt on the pair history)', function () {
  const pairs = profileChain('pairs', '');

  it("scores what the hunt example's stages score, run as its nodes run them", function () {
    const rs = records(3);
    const chain = new DetectionChain(pairs.chain).push(copies(rs), true);
    const spec = pairs.chain;
    // the nodes: filter → beacon-pairs (a batch in, rows out until it has no more) → scorer
    const stage = new PairHuntStage(spec.pairs);
    const s = spec.scorers[0];
    const scorer = new ScorerStage(s.options, new AlertGate(s.gate, new Map()), s.title, s.rule);
    const kept = copies(rs).filter((r) => ipFilterDropReason(r, spec.filter) === null);
    stage.addBatch(kept, [], true);
    const expected = { alerts: [], rows: [] };
    for (let rows = stage.nextRows(); rows !== null; rows = stage.nextRows()) {
      if (rows.length === 0) continue;
      const scored = scorer.score(rows, true);
      expected.alerts.push(...scored.hits);
      expected.rows.push(...scored.misses);
    }
    canonical(chain).should.eql(canonical(expected));
    chain.alerts.length.should.be.above(3);
    chain.alerts.every((r) => r.Method === 'periodic').should.be.true();
    chain.errors.should.eql([]);
  });

  it('restored from a snapshot taken mid-stream, goes on as a chain that never stopped', function () {
    const rs = records(4);
    const whole = new DetectionChain(pairs.chain).push(copies(rs), true);
    for (const cut of [Math.floor(rs.length / 3), Math.floor((2 * rs.length) / 3)]) {
      const before = new DetectionChain(pairs.chain);
      const first = before.push(copies(rs.slice(0, cut)), false);
      const saved = JSON.parse(JSON.stringify(before.snapshot()));
      const after = new DetectionChain(pairs.chain);
      after.restore(saved);
      const rest = after.push(copies(rs.slice(cut)), true);
      canonical({ alerts: [...first.alerts, ...rest.alerts], rows: [...first.rows, ...rest.rows] }).should.eql(canonical(whole));
    }
    whole.alerts.length.should.be.above(3);
  });

  it('refuses the snapshot of a chain with other stages', function () {
    const wiredata = new DetectionChain(profileChain('wiredata', '').chain);
    (() => new DetectionChain(pairs.chain).restore(wiredata.snapshot())).should.throw(/other stages/);
    const onPairs = new DetectionChain(pairs.chain);
    (() => wiredata.restore(onPairs.snapshot())).should.throw(/other stages/);
  });

  describe('in workers on a real nats-server', function () {
    this.timeout(60000);
    const nats = natsSuite();
    const PARTITIONS = 6;

    it('a worker killed mid-stream: the other takes its partitions over from their checkpoints; every pair scored as by one chain per partition', async function () {
      const { clients, dir, open } = nats;
      const rs = records(5);
      const stream = `pairs${process.pid}`;
      await ensureStream(clients.jsm, { name: stream, partitions: PARTITIONS });
      const options = (id) => ({ stream, partitions: PARTITIONS, workerId: id, checkpointDir: dir, ...pairs });
      const a = collectingWorker(clients, options('a'), open);
      const b = collectingWorker(clients, options('b'), open);
      await a.worker.start();
      await b.worker.start();
      await until('a split of 3 and 3', () => a.worker.lag.length === 3 && b.worker.lag.length === 3, 30000);
      const publisher = new StreamPublisher(clients.js, { name: stream, partitions: PARTITIONS }, { keyFields: ['LocalIP'] });
      const half = Math.floor(rs.length / 2);
      for (let i = 0; i < half; i += 300) await publisher.publishRecords(copies(rs.slice(i, Math.min(i + 300, half))));
      await until('both to read the first half', () => a.worker.counts.records + b.worker.counts.records >= half);
      a.worker.counts.checkpoints.should.be.above(0);
      await a.worker.abandon();
      for (let i = half; i < rs.length; i += 300) await publisher.publishRecords(copies(rs.slice(i, i + 300)));
      await publisher.publishControl({ flush: true });
      await until('b to take every partition and flush it', () => b.got.flushed.size === PARTITIONS, 30000);
      b.worker.counts.restored.should.be.above(0);
      [...a.got.errors, ...b.got.errors].should.eql([]);
      const expected = new Map();
      for (const r of rs) {
        const p = partitionOf(r, ['LocalIP'], PARTITIONS);
        expected.set(p, [...(expected.get(p) || []), { ...r }]);
      }
      const single = [...expected.values()].map((part) => new DetectionChain(pairs.chain).push(part, true));
      // rows a scored after its last checkpoint are scored again by b, the same
      const written = new Set([...a.got.rows, ...b.got.rows].map((r) => JSON.stringify(strip(r))));
      [...written].sort().should.eql(single.flatMap(canonical).sort());
      single.flatMap((o) => o.alerts).length.should.be.above(3);
    });
  });
});
