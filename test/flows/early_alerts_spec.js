'use strict';
/**
 * The live latency contract (README: Early verdicts) on the Sentinel example flows: with
 * traffic flowing, a beacon's hour alerts minutes after the hour (an early
 * row, Final: false, before any flush), not when the bin closes a day later;
 * the final rows after the flush still equal the KQL oracle's; and the
 * e-mail/chat hand-offs behind "notify once" fire once per cell.
 */
const should = require('should');
const { helper, NODE_MODULES, readExample, instrument, replay, canonical } = require('../support/example-flows');
const oracle = require('../oracle/kql-batch');
const gen = require('../../dist/tools/traffic-generator');

const RULES = [
  { name: 'wiredata', schema: 'wiredata', query: oracle.wireDataRule, groups: ['LocalIP', 'RemoteIP', 'RemotePortNumber'] },
  { name: 'paloalto', schema: 'csl', query: oracle.paloAltoRule, groups: ['DeviceName', 'SourceUserID', 'SourceIP', 'DestinationIP', 'DestinationPort'] },
];
const sec = (iso) => Date.parse(iso) / 1000;
const cell = (row, groups) => JSON.stringify([row.TimeGenerated, ...groups.map((g) => row[g] ?? null)]);

/** The flow with a probe behind its "notify once" switch, where the e-mail and chat hand-offs are. */
function withNotifyProbe(flow) {
  const info = instrument(flow);
  const notify = info.nodes.find((n) => n.id.endsWith('_notify'));
  notify.wires[0].push('probe-notify');
  info.nodes.push({ id: 'probe-notify', type: 'helper', z: notify.z, wires: [] });
  return info;
}

describe('early alerts in the Sentinel example flows (live latency contract)', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  for (const rule of RULES) {
    for (const batchSize of [0, 200]) {
      it(`${rule.name}${batchSize ? ', batched' : ''}: alerts within 15 min of event time after the hour, final rows equal to the oracle, notified once per cell`, async function () {
        const flow = readExample(rule.name);
        const hist = flow.find((n) => n.type === 'beacon-histogram');
        hist.closeAfter.should.equal(86400); // exactness: cells close a day later; latency comes from certainty
        const lateness = Number(flow.find((n) => n.type === 'beacon-delta').lateness);
        hist.certainAfter.should.equal(lateness);
        const info = withNotifyProbe(flow);
        await helper.load(NODE_MODULES, info.nodes);
        const notified = [];
        let drained;
        const marker = new Promise((resolve) => (drained = resolve));
        helper.getNode('probe-notify').on('input', (msg) => (msg.marker ? drained() : notified.push(...[].concat(msg.payload))));
        const records = gen.generateRecords({ ...gen.sampleScenario(rule.schema), hours: 8 });
        const got = await replay(
          info,
          records.map((r) => ({ ...r })),
          { batchSize },
        );
        // a marker through the switch after everything the scorer sent: the hand-off path has drained
        helper.getNode(info.nodes.find((n) => n.id.endsWith('_notify')).id).receive({ notify: true, marker: true, payload: {} });
        await marker;

        // final rows: exactly the batch query's
        should(canonical(got.alerts)).deepEqual(canonical(rule.query(records.map((r) => ({ ...r })))));
        got.alerts.length.should.be.above(3);

        // early alerts: before any flush (Final: false only comes from certainty), each for a cell that alerts finally
        const finals = new Set(got.alerts.map((r) => cell(r, rule.groups)));
        got.early.length.should.be.above(0);
        for (const e of got.early) {
          e.Final.should.be.false();
          finals.has(cell(e, rule.groups)).should.be.true();
          // AsOf is the histogram's watermark, which trails the newest event by the delta node's lateness
          (sec(e.AsOf) + lateness - (sec(e.TimeGenerated) + 3600)).should.be.within(0, 15 * 60);
        }
        // every hour whose end is 15 min before the traffic ends alerted early
        const lastEvent = Math.max(...records.map((r) => sec(r.TimeGenerated)));
        const judged = got.alerts.filter((r) => sec(r.TimeGenerated) + 3600 + 15 * 60 <= lastEvent);
        judged.length.should.be.above(2);
        const early = new Set(got.early.map((r) => cell(r, rule.groups)));
        for (const r of judged) early.has(cell(r, rule.groups)).should.be.true(`no early alert for ${cell(r, rule.groups)}`);

        // the hand-offs: one message per alerting cell, the first one
        const handed = notified.map((r) => cell(r, rule.groups));
        new Set(handed).size.should.equal(handed.length);
        handed.sort().should.eql([...finals].sort());
      });
    }
  }
});
