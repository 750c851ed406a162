'use strict';
/**
 * The WireData rule fed by raw Zeek conn.log lines through the log parse node
 * (examples/WireData beaconing from Zeek conn.log.json) equals the KQL oracle
 * run on the records those lines mean — generated lines (records written by
 * the generator, not the parser) and the real captures in ../shared/datasets
 * (mapped by the test's own reader, not the parser).
 */
const should = require('should');
const { helper, NODE_MODULES, readExample, instrument, replay, canonical } = require('../support/example-flows');
const oracle = require('../oracle/kql-batch');
const gen = require('../../dist/tools/traffic-generator');
const { generateLines } = require('../../dist/tools/log-lines');
const zeek = require('../support/zeek');

describe('Zeek conn.log example flow (parse → WireData rule) equals the KQL oracle', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  async function run(lines, lateness) {
    const flow = readExample('zeek');
    if (lateness !== undefined) flow.find((n) => n.type === 'beacon-delta').lateness = lateness;
    const info = instrument(flow);
    await helper.load(NODE_MODULES, info.nodes);
    return replay(info, lines);
  }

  for (const format of ['zeek-tsv', 'zeek-json']) {
    it(`on generated ${format} lines with beacons, shuffled within the lateness`, async function () {
      let alerts = 0;
      for (const seed of [11, 12, 13, 14, 15]) {
        const rendered = generateLines({ ...gen.randomScenario(seed, 'wiredata'), disorderSeconds: seed % 2 ? 600 : 0 }, format);
        const records = rendered.map((r) => r.record).filter(Boolean);
        const got = await run(rendered.map((r) => r.line));
        await helper.unload();
        should(got.late).be.empty();
        should(canonical(got.alerts)).deepEqual(canonical(oracle.wireDataRule(records)));
        should(canonical([...got.alerts, ...got.below])).deepEqual(canonical(oracle.wireDataRule(records, { allRows: true })));
        alerts += got.alerts.length;
      }
      alerts.should.be.above(5);
    });
  }

  describe('on the real captures, as raw lines', function () {
    before(function () {
      zeek.datasetsOrSkip(this);
    });
    for (const name of ['rita-proxy', 'rita-missing-host', 'stratosphere-008', 'stratosphere-011']) {
      it(name, async function () {
        zeek.datasetsOrSkip(this);
        const d = zeek.listDatasets().find((x) => x.name === name);
        const lines = d.files.flatMap(zeek.readLines);
        const records = zeek.loadDataset(d).map(zeek.toWireData);
        const got = await run(lines, zeek.maxLagSeconds(records));
        should(got.late).be.empty();
        const all = oracle.wireDataRule(records, { allRows: true });
        should(canonical([...got.alerts, ...got.below])).deepEqual(canonical(all));
        console.log(`      ${name}: ${lines.length} lines, ${all.length} scored groups equal`);
      });
    }
  });
});
