'use strict';
/**
 * Bad input through whole example flows (property): random messages — good
 * records, records with wrong types, NaN and huge numbers, far dates, long
 * strings (1 MB), arrays mixing good and bad, non-object payloads, random text for
 * the parser — enter the WireData, Palo Alto and Zeek example flows. For
 * every beacon node in the flow, each message it receives is completed
 * exactly once; nothing escapes as an uncaught error or unhandled rejection;
 * and no record is lost: at the filter every record is passed, dropped or
 * reported, at the delta stage every record is released, late, reported or
 * still waiting for its key's next event.
 */
const fc = require('fast-check');
const sinon = require('sinon');
const should = require('should');
const { helper, NODE_MODULES, readExample, instrument } = require('../support/example-flows');
const gen = require('../../dist/tools/traffic-generator');
const { generateLines } = require('../../dist/tools/log-lines');

const bad = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.constantFrom(null, NaN, Infinity, -1, 1e308, '', 'x'.repeat(1 << 20), '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2001:db8::1', '10.0.0.1'),
);
const good = {
  wiredata: gen.generateRecords({ ...gen.sampleScenario('wiredata'), hours: 1 }),
  paloalto: gen.generateRecords({ ...gen.sampleScenario('csl'), hours: 1 }),
};
/** A record: a real one, or a real one with one field replaced by a bad value. */
const recordOf = (pool) =>
  fc.tuple(fc.nat(pool.length - 1), fc.option(fc.tuple(fc.constantFrom(...Object.keys(pool[0])), bad), { freq: 2 })).map(([i, change]) => {
    const r = { ...pool[i] };
    if (change) r[change[0]] = change[1];
    return r;
  });
const messageOf = (payload) =>
  fc.record({ payload, flush: fc.constantFrom(undefined, undefined, undefined, true, 0, 'yes') }, { requiredKeys: ['payload'], noNullPrototype: true });
const recordMessage = (pool) => messageOf(fc.oneof(recordOf(pool), fc.array(fc.oneof(recordOf(pool), recordOf(pool), bad), { maxLength: 15 }), bad));
const zeekLines = generateLines({ ...gen.sampleScenario('wiredata'), hours: 1 }, 'zeek-tsv').map((l) => l.line);
const lineMessage = messageOf(fc.oneof(fc.constantFrom(...zeekLines), fc.array(fc.constantFrom(...zeekLines), { maxLength: 10 }), fc.string(), bad));

const records = (msgs) => msgs.filter((m) => m.payload !== undefined).reduce((n, m) => n + (Array.isArray(m.payload) ? m.payload.length : 1), 0);
const isRecordPayload = (p) => p !== null && typeof p === 'object' && !(p instanceof Date);
const recordsIn = (payload) => (Array.isArray(payload) ? payload.length : isRecordPayload(payload) ? 1 : 0);

const CASES = [
  { name: 'wiredata', entryType: 'beacon-ip-filter', arb: recordMessage(good.wiredata) },
  { name: 'paloalto', entryType: 'beacon-ip-filter', arb: recordMessage(good.paloalto) },
  { name: 'zeek', entryType: 'beacon-parse', arb: lineMessage },
];

describe('random bad input through the whole example flows (property)', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  for (const c of CASES) {
    it(`${c.name}: every message completed once by every node, no uncaught error, no record lost`, async function () {
      const info = instrument(readExample(c.name));
      const z = info.nodes.find((n) => n.type === 'tab').id;
      const filter = info.nodes.find((n) => n.type === 'beacon-ip-filter');
      const delta = info.nodes.find((n) => n.type === 'beacon-delta');
      filter.wires[0].push('probe-pass');
      filter.wires[1].push('probe-drop');
      delta.wires[0].push('probe-released');
      delta.wires[1].push('probe-delta-late');
      for (const id of ['probe-pass', 'probe-drop', 'probe-released', 'probe-delta-late']) info.nodes.push({ id, type: 'helper', z, wires: [] });
      await helper.load(NODE_MODULES, info.nodes);

      const got = { 'probe-pass': [], 'probe-drop': [], 'probe-released': [], 'probe-delta-late': [] };
      for (const id of Object.keys(got)) helper.getNode(id).on('input', (m) => got[id].push(m));
      const beaconNodes = info.nodes.filter((n) => n.type.startsWith('beacon-')).map((n) => helper.getNode(n.id));
      const received = beaconNodes.map((n) => sinon.spy(n, 'receive'));
      const completed = beaconNodes.map((n) => sinon.spy(n, '_complete'));
      const proto = helper._NodePrototype;
      const uncaught = [];
      const onError = (e) => uncaught.push(e);
      process.on('uncaughtException', onError);
      process.on('unhandledRejection', onError);
      let total = 0;
      try {
        await fc.assert(
          fc.asyncProperty(fc.array(c.arb, { minLength: 1, maxLength: 8 }), async (msgs) => {
            for (const list of Object.values(got)) list.length = 0;
            proto.error.resetHistory();
            const entry = helper.getNode(info.nodes.find((n) => n.type === c.entryType).id);
            entry.receive({ reset: true });
            let entered = 0;
            for (const original of msgs) {
              const m = { ...original, payload: Array.isArray(original.payload) ? [...original.payload] : original.payload };
              entered += recordsIn(original.payload);
              entry.receive(m);
            }
            entry.receive({ flush: true });
            // the flush leaves the scorer last: wait for it, a few hops
            for (let i = 0; i < 12; i++) await new Promise((r) => setImmediate(r));
            total += entered;
            // reported records per node: summarised errors carry their count
            const reported = (id) =>
              proto.error
                .getCalls()
                .filter((call) => call.thisValue.id === id)
                .reduce(
                  (n, call) => n + (typeof call.args[0]?.count === 'number' ? call.args[0].count : /record rejected/.test(call.args[0]?.message) ? 1 : 0),
                  0,
                );
            const control = (msgs2) => msgs2.filter((m) => !(m.flush || m.reset || m.checkpoint));
            const pass = records(control(got['probe-pass']));
            const drop = records(got['probe-drop']);
            if (c.entryType === 'beacon-ip-filter') (pass + drop + reported(filter.id)).should.equal(entered);
            // the delta node's books: released + late + reported + waiting (keys, from its status after the flush)
            const last = proto.status
              .getCalls()
              .filter((call) => call.thisValue.id === delta.id)
              .pop();
            const keys = Number(/ (\d+) keys/.exec(last.args[0].text)[1]);
            (records(control(got['probe-released'])) + records(got['probe-delta-late']) + reported(delta.id) + keys).should.equal(pass);
          }),
          { numRuns: 60, seed: 7 },
        );
      } finally {
        process.removeListener('uncaughtException', onError);
        process.removeListener('unhandledRejection', onError);
      }
      uncaught.should.eql([]);
      beaconNodes.forEach((n, i) => {
        // the very message objects received are the ones completed, each once (messages of one send share a _msgid)
        const done = completed[i].args.map((a) => a[0]);
        new Set(done).size.should.equal(done.length, `${n.type}: a message completed twice`);
        should(done.length).equal(received[i].callCount, `${n.type}: completions`);
        const got = new Set(received[i].args.map((a) => a[0]));
        done.every((m) => got.has(m)).should.be.true(`${n.type}: completed a message it never received`);
      });
      should(total).be.above(50);
    });
  }
});
