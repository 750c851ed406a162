'use strict';
/**
 * Bad input is normal input: random messages — any payload, records with
 * wrong types, huge or NaN numbers, far-past and far-future dates, long
 * strings, arrays mixing good and bad records, stray flush/reset flags —
 * (strings up to 1 MB) through each node. Each message must be completed exactly once (done or
 * done(err)) and nothing may escape as an uncaught error; the 1:1 nodes must
 * put every record of a message on one of their outputs (the filter) or at
 * most one (the scorer, which reports unscorable rows as errors).
 */
const fc = require('fast-check');
const sinon = require('sinon');
const { helper, node } = require('./harness');

const NODES = {
  'beacon-ip-filter': node('beacon-ip-filter'),
  'beacon-delta': node('beacon-delta'),
  'beacon-histogram': node('beacon-histogram'),
  'beacon-scorer': node('beacon-scorer'),
  'beacon-parse': node('beacon-parse'),
  'beacon-resolve': node('beacon-resolve'),
};

const T0 = Date.UTC(2024, 0, 1, 10);
const value = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.constantFrom(
    NaN,
    Infinity,
    -Infinity,
    -1,
    0,
    1e308,
    2 ** 53 + 1,
    '',
    '10.0.0.1',
    '8.8.8.8',
    '2001:db8::1',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    'x'.repeat(1 << 20),
  ),
  fc.integer({ min: T0 - 1e9, max: T0 + 1e9 }),
  fc.date({ noInvalidDate: false }),
);
const record = fc.record(
  {
    TimeGenerated: fc.oneof(
      value,
      fc.integer({ min: 0, max: 7200 }).map((s) => new Date(T0 + s * 1000).toISOString()),
    ),
    LocalIP: fc.oneof(value, fc.constantFrom('10.0.0.1', '10.0.0.2')),
    RemoteIP: fc.oneof(value, fc.constantFrom('8.8.8.8', '52.1.1.1')),
    RemotePortNumber: fc.oneof(value, fc.constant(443)),
    SentBytes: value,
    TimeDeltainSeconds: fc.oneof(value, fc.integer({ min: 0, max: 120 })),
    nextTimeGenerated: value,
    DeltaCounts: fc.oneof(value, fc.dictionary(fc.integer({ min: 0, max: 100 }).map(String), fc.integer({ min: 0, max: 50 }))),
    TotalEvents: value,
    GroupFields: fc.oneof(value, fc.constant(['LocalIP'])),
  },
  { requiredKeys: [], noNullPrototype: true },
);
const message = fc.record(
  {
    payload: fc.oneof(value, record, fc.array(fc.oneof(record, value), { maxLength: 20 }), fc.string(), fc.array(fc.string(), { maxLength: 5 })),
    flush: fc.oneof(fc.constant(undefined), fc.boolean(), value),
    reset: fc.oneof(fc.constant(undefined), fc.constant(false), fc.constant(true)),
  },
  { requiredKeys: ['payload'], noNullPrototype: true },
);

const count = (msgs) =>
  msgs
    .filter((m) => !(m.flush || m.reset) || m.payload !== undefined)
    .reduce((n, m) => n + (Array.isArray(m.payload) ? m.payload.length : m.payload === undefined ? 0 : 1), 0);

describe('every node survives random bad input (property)', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  for (const [type, module] of Object.entries(NODES)) {
    it(`${type}: done exactly once per message, no uncaught error; a 1:1 node puts every record on an output`, async function () {
      const flow = [
        { id: 'f1', type: 'tab' },
        { id: 'n1', z: 'f1', type, lateness: 0, closeAfter: 0, minDelta: 10, wires: [['o1'], ['o2']] },
        { id: 'o1', z: 'f1', type: 'helper' },
        { id: 'o2', z: 'f1', type: 'helper' },
      ];
      await helper.load(module, flow);
      const n1 = helper.getNode('n1');
      const o1 = [];
      const o2 = [];
      helper.getNode('o1').on('input', (m) => o1.push(m));
      helper.getNode('o2').on('input', (m) => o2.push(m));
      const completions = sinon.spy(n1, '_complete');
      const uncaught = [];
      const onError = (e) => uncaught.push(e);
      process.on('uncaughtException', onError);
      process.on('unhandledRejection', onError);
      let sent = 0;
      let records = 0;
      try {
        await fc.assert(
          fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 8 }), async (msgs) => {
            o1.length = 0;
            o2.length = 0;
            let inRun = 0;
            for (const original of msgs) {
              // nodes own the messages they receive: give each a copy (fast-check reuses values when shrinking)
              const m = { ...original, payload: Array.isArray(original.payload) ? [...original.payload] : original.payload };
              n1.receive(m);
              sent++;
              const p = original.payload;
              if (Array.isArray(p)) inRun += p.length;
              else if (p !== null && typeof p === 'object' && !(p instanceof Date)) inRun += 1;
            }
            await new Promise((r) => setImmediate(() => setImmediate(r)));
            records += inRun;
            // every record on one output, or reported (a non-object item): never both, never neither
            const reported = n1.error.getCalls().reduce((n, call) => n + (typeof call.args[0]?.count === 'number' ? call.args[0].count : 0), 0);
            n1.error.resetHistory();
            if (type === 'beacon-ip-filter' || type === 'beacon-resolve') (count(o1) + count(o2) + reported).should.equal(inRun);
            if (type === 'beacon-scorer') (count(o1) + count(o2)).should.be.belowOrEqual(inRun);
          }),
          { numRuns: 150, seed: 99 },
        );
      } finally {
        process.removeListener('uncaughtException', onError);
        process.removeListener('unhandledRejection', onError);
      }
      uncaught.should.eql([]);
      completions.callCount.should.equal(sent);
      // each message completed once: no message id completed twice
      const ids = completions.args.map((a) => a[0]._msgid);
      new Set(ids).size.should.equal(ids.length);
      records.should.be.above(100);
    });
  }
});
