'use strict';
/**
 * The partition hash is a contract with other tools: FNV-1a 32-bit of the
 * key text's UTF-8 bytes, modulo the partition count. Checked against the
 * published FNV-1a test vectors and an independent byte-wise computation.
 */
require('should');
const fc = require('fast-check');
const p = require('../../dist/core/partition/partition');
const { keyOf } = require('../../dist/core/common/records');

/** FNV-1a by the book, on the bytes Node's own UTF-8 encoder produces. */
function reference(text) {
  let h = 2166136261n;
  for (const b of Buffer.from(text, 'utf8')) h = ((h ^ BigInt(b)) * 16777619n) % 4294967296n;
  return Number(h);
}

describe('partition core (FNV-1a of the delta key)', function () {
  it('matches the published FNV-1a 32-bit test vectors', function () {
    p.fnv1a32('').should.equal(0x811c9dc5);
    p.fnv1a32('a').should.equal(0xe40c292c);
    p.fnv1a32('foobar').should.equal(0xbf9cf968);
  });

  it('equals a byte-wise FNV-1a over UTF-8 for any text, astral and lone surrogates included', function () {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => p.fnv1a32(s) === reference(s)),
      { numRuns: 300 },
    );
    for (const s of ['10.0.0.1', 'é', '€', '😀', '\ud800', 'x\udc00y']) p.fnv1a32(s).should.equal(reference(s));
  });

  it('documented example: 10.0.0.1 of 4 partitions is partition 1', function () {
    p.partitionOf({ LocalIP: '10.0.0.1' }, ['LocalIP'], 4)
      .should.equal(reference('10.0.0.1') % 4)
      .and.equal(1);
  });

  it('key text: values joined with a tab, missing and null empty, numbers in shortest form', function () {
    p.partitionKeyText({ SourceIP: '1.2.3.4', DeviceName: 'fw1' }, ['SourceIP', 'DeviceName']).should.equal('1.2.3.4\tfw1');
    p.partitionKeyText({ a: null, b: 443 }, ['a', 'b', 'c']).should.equal('\t443\t');
  });

  it('records with equal delta keys always share a partition', function () {
    const value = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant(undefined), fc.ipV4(), fc.ipV6());
    fc.assert(
      fc.property(fc.array(fc.record({ a: value, b: value }), { minLength: 2, maxLength: 30 }), fc.integer({ min: 1, max: 64 }), (records, n) => {
        const byKey = new Map();
        for (const r of records) {
          const k = keyOf(r, ['a', 'b']);
          const part = p.partitionOf(r, ['a', 'b'], n);
          if (byKey.has(k) && byKey.get(k) !== part) return false;
          byKey.set(k, part);
        }
        return true;
      }),
    );
  });

  it('splits a batch by partition keeping arrival order within each, non-records apart', function () {
    const records = Array.from({ length: 200 }, (_, i) => ({ LocalIP: `10.0.${i % 7}.1`, i }));
    const { groups, invalid } = p.splitByPartition([...records, 'junk', null], ['LocalIP'], 3);
    invalid.should.eql(['junk', null]);
    [...groups.values()].flat().length.should.equal(200);
    for (const [part, group] of groups) {
      group.every((r) => p.partitionOf(r, ['LocalIP'], 3) === part).should.be.true();
      group.map((r) => r.i).should.eql(group.map((r) => r.i).sort((a, b) => a - b));
    }
  });

  it('reads partition lists and counts, refusing nonsense', function () {
    p.parsePartitionList('0-3').should.eql([0, 1, 2, 3]);
    p.parsePartitionList(' 6, 0-1 ,1').should.eql([0, 1, 6]);
    for (const bad of ['', '3-1', 'a', '1-', '0-70000', '${NETBEACON_PARTITIONS}']) (() => p.parsePartitionList(bad)).should.throw();
    p.parsePartitionCount('8').should.equal(8);
    for (const bad of ['0', '-1', '1.5', '', 'x', '70000']) (() => p.parsePartitionCount(bad)).should.throw(/partition count/);
  });

  it('topics: <prefix>/<partition> and back, anything else is not a partition topic', function () {
    p.partitionTopic('netbeacon/records', 5).should.equal('netbeacon/records/5');
    p.topicPartition('netbeacon/records/5', 'netbeacon/records').should.equal(5);
    for (const t of ['netbeacon/records/x', 'netbeacon/records', 'other/5', 'netbeacon/records/5/6', 5])
      (p.topicPartition(t, 'netbeacon/records') === null).should.be.true();
  });

  it('control payloads round-trip; a record is never read as one', function () {
    p.decodeControl(JSON.parse(JSON.stringify(p.encodeControl({ flush: true, checkpoint: true })))).should.eql({ flush: true, reset: false, checkpoint: true });
    (p.decodeControl({ LocalIP: '10.0.0.1' }) === null).should.be.true();
    (p.decodeControl([{ netbeaconControl: { flush: true } }]) === null).should.be.true();
  });

  it('control rounds: the first copy of k passes, the rest are dropped, a repeat starts a new round', function () {
    const rounds = new p.ControlRounds(3);
    [0, 1, 2, 1, 0, 2].map((part) => rounds.accept('flush', part)).should.eql([true, false, false, true, false, false]);
    // a worker restarted mid-round sees partition 2 again before 0: new round, passed again (harmless)
    [2, 2].map((part) => rounds.accept('checkpoint', part)).should.eql([true, true]);
  });
});
