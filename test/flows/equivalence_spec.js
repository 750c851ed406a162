'use strict';
/**
 * The equivalence contract (README: Tests): replaying records through an example
 * flow, ending with a flush, yields exactly the rows of the stage-by-stage
 * batch reading of the KQL query (test/oracle), every column compared, when
 * arrival disorder ≤ lateness and no bin closed before the flush.
 */
const fc = require('fast-check');
const should = require('should');
const { helper, NODE_MODULES, readExample, instrument, replay, canonical } = require('../support/example-flows');
const oracle = require('../oracle/kql-batch');
const gen = require('../../dist/tools/traffic-generator');
const zeek = require('../support/zeek');

const RULES = [
  { name: 'wiredata', schema: 'wiredata', query: oracle.wireDataRule, toRecord: zeek.toWireData },
  { name: 'paloalto', schema: 'csl', query: oracle.paloAltoRule, toRecord: zeek.toCommonSecurityLog },
];

/**
 * A replay equals the oracle: no late events, the same alert rows, and the
 * same scored groups before the thresholds (alerts plus below-threshold rows).
 */
function shouldEqualOracle(got, rule, records) {
  should(got.late).be.empty();
  const expected = rule.query(records.map((r) => ({ ...r })));
  should(canonical(got.alerts)).deepEqual(canonical(expected));
  const all = rule.query(
    records.map((r) => ({ ...r })),
    { allRows: true },
  );
  should(canonical([...got.alerts, ...got.below])).deepEqual(canonical(all));
  return { expected, all };
}

/** Generated datasets per rule (RUNS=20 for a quick local run; CI runs 200). */
const RUNS = Number(process.env.RUNS || 200);

/** The lateness the example flow ships with (disorder beyond it is out of contract). */
function shippedLateness(flow) {
  return Number(flow.find((n) => n.type === 'beacon-delta').lateness);
}

describe('example flows equal the KQL batch oracle', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  for (const rule of RULES) {
    describe(`${rule.name} rule`, function () {
      let info;
      let lateness;
      beforeEach(async function () {
        const flow = readExample(rule.name);
        lateness = shippedLateness(flow);
        info = instrument(flow);
        await helper.load(NODE_MODULES, info.nodes);
      });

      it('on 200 generated datasets, in order and shuffled within the lateness', async function () {
        let alerts = 0;
        let shuffled = 0;
        await fc.assert(
          fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 30 }), fc.constantFrom(0, 0, 30, lateness), async (seed, disorder) => {
            const records = gen.generateRecords({ ...gen.randomScenario(seed, rule.schema), disorderSeconds: disorder });
            // the oracle reads the table in arrival order: full ties keep it, as the flow does
            const got = await replay(
              info,
              records.map((r) => ({ ...r })),
            );
            const { expected } = shouldEqualOracle(got, rule, records);
            alerts += expected.length;
            if (disorder > 0) shuffled++;
          }),
          { numRuns: RUNS, seed: 20241122 },
        );
        // the comparison must not be vacuous
        alerts.should.be.above(RUNS);
        shuffled.should.be.above(RUNS / 4);
      });

      it('on the shipped sample scenario, with an alert for the planted beacon', async function () {
        const records = gen.generateRecords(gen.sampleScenario(rule.schema));
        const expected = rule.query(records.map((r) => ({ ...r })));
        const got = await replay(info, records);
        should(canonical(got.alerts)).deepEqual(canonical(expected));
        const source = rule.schema === 'csl' ? 'SourceIP' : 'LocalIP';
        got.alerts.filter((a) => a[source] === '10.0.0.4').length.should.be.above(3);
        // the 20 %-jittered beacon is missed by the exact-second rule (the hunt profile's job)
        got.alerts.filter((a) => a[source] === '10.0.0.7').should.be.empty();
      });

      it('when one source talks to several destinations, deltas interleave (per-source semantics)', async function () {
        const beacon = (dst, offset) => ({
          src: '10.5.5.5',
          dst,
          port: 443,
          periodSeconds: 60,
          jitter: 0,
          jitterMode: 'one-sided',
          startOffsetSeconds: offset,
          durationSeconds: 3 * 3600,
          sentBytes: 100,
          receivedBytes: 100,
        });
        const base = { ...gen.DEFAULT_OPTIONS, schema: rule.schema, hours: 3, noiseHosts: 0, ntp: false, internal: false, quirks: false, quantizeSeconds: 1 };
        const alone = gen.generateRecords({ ...base, beacons: [beacon('52.1.1.1', 0)] });
        const together = gen.generateRecords({ ...base, beacons: [beacon('52.1.1.1', 0), beacon('52.2.2.2', 30)] });
        const a = await replay(info, alone);
        const b = await replay(info, together);
        should(canonical(a.alerts)).deepEqual(canonical(rule.query(alone)));
        should(canonical(b.alerts)).deepEqual(canonical(rule.query(together)));
        a.alerts.length.should.be.above(0);
        // two 60 s beacons offset by 30 s make every per-source delta 30 s, attributed to alternating destinations
        for (const row of b.alerts) row.MostFrequentTimeDeltainSeconds.should.equal(30);
      });

      it('on identical timestamps: only the last event of a tie block carries the delta, in tie order', async function () {
        const src = rule.schema === 'csl' ? 'SourceIP' : 'LocalIP';
        const dst = rule.schema === 'csl' ? 'DestinationIP' : 'RemoteIP';
        const port = rule.schema === 'csl' ? 'DestinationPort' : 'RemotePortNumber';
        const extra = rule.schema === 'csl' ? { DeviceVendor: 'Palo Alto Networks', Activity: 'TRAFFIC', DeviceName: 'fw', SourceUserID: '' } : {};
        const records = [];
        for (let i = 0; i < 80; i++) {
          const t = new Date(Date.UTC(2024, 0, 1, 9, 30) + i * 60000).toISOString();
          // arrival order deliberately differs from the tie order (2.x before 1.x)
          records.push({ ...extra, TimeGenerated: t, [src]: '10.7.7.7', [dst]: '52.2.2.2', [port]: 443, SentBytes: 2 });
          records.push({ ...extra, TimeGenerated: t, [src]: '10.7.7.7', [dst]: '52.1.1.1', [port]: 443, SentBytes: 1 });
        }
        const expected = rule.query(records.map((r) => ({ ...r })));
        const got = await replay(
          info,
          records.map((r) => ({ ...r })),
        );
        should(canonical(got.alerts)).deepEqual(canonical(expected));
        // 52.2.2.2 sorts last in every tie block, so it alone carries the 60 s deltas
        got.alerts.length.should.be.above(0);
        for (const row of got.alerts) row[dst].should.equal('52.2.2.2');
      });

      describe('on the real Zeek datasets (../shared/datasets), lateness set from the data', function () {
        before(function () {
          zeek.datasetsOrSkip(this);
        });
        for (const d of (() => {
          try {
            return zeek.listDatasets();
          } catch {
            return [{ name: 'all', files: [] }];
          }
        })()) {
          it(d.name, async function () {
            zeek.datasetsOrSkip(this);
            const records = zeek.loadDataset(d).map(rule.toRecord);
            const flow = readExample(rule.name);
            flow.find((n) => n.type === 'beacon-delta').lateness = zeek.maxLagSeconds(records);
            await helper.unload();
            info = instrument(flow);
            await helper.load(NODE_MODULES, info.nodes);
            const got = await replay(
              info,
              records.map((r) => ({ ...r })),
            );
            const { expected, all } = shouldEqualOracle(got, rule, records);
            console.log(`      ${d.name}: ${records.length} records, ${all.length} scored groups, ${got.alerts.length} alert rows (oracle ${expected.length})`);
          });
        }
      });
    });
  }
});
