'use strict';
/**
 * The live CEF example's chain (its input parses with beacon-parse's code;
 * here a beacon-parse node with the same settings stands in for the socket)
 * fed a beacon's traffic with forged lines in the middle: one dated 2099, one
 * with rt=garbage, and a BSD-header line without any device time right after
 * the 2099 one (the parser used to date it 2099). Every alert stays exactly
 * what the clean lines give; the counters show the forged lines.
 */
const should = require('should');
const { helper, NODE_MODULES, readExample, instrument, replay, canonical } = require('../support/example-flows');
const oracle = require('../oracle/kql-batch');
const { beaconScenario } = require('../support/scenarios');
const { generateLines } = require('../../dist/tools/log-lines');

const EXAMPLE = 'Palo Alto beaconing from CEF over UDP syslog.json';

/** The example with its syslog input replaced by a beacon-parse node of the same parse settings and wires. */
function inProcess() {
  const flow = readExample(EXAMPLE);
  const input = flow.find((n) => n.type === 'beacon-syslog-in');
  const parse = {
    id: input.id,
    type: 'beacon-parse',
    z: input.z,
    name: 'stands in for syslog in',
    input: 'messages',
    output: 'batch',
    format: input.format,
    timeSource: input.timeSource,
    byteDirection: input.byteDirection,
    deviceOffset: input.deviceOffset,
    x: input.x,
    y: input.y,
    wires: [input.wires[0], input.wires[1]],
  };
  // the injects that ask the socket input for counters have no use here
  return flow
    .filter((n) => n !== input && !(n.type === 'inject' && n.wires[0].includes(input.id) && !n.props.some((p) => p.p === 'flush' || p.p === 'reset')))
    .concat(parse);
}

describe('forged event times in the middle of a live CEF feed (in process)', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('a line dated 2099, one with rt=garbage and a yearless one after them leave every alert as the clean lines give it; the counters show them', async function () {
    const scenario = beaconScenario(79, '10.0.0.4', '52.239.1.10');
    const cef = generateLines(scenario, 'panos-cef');
    const expected = oracle.paloAltoRule(cef.map((l) => l.record));
    expected.filter((r) => r.SourceIP === '10.0.0.4').length.should.be.above(0);
    // forged from one of the beacon's own lines (RFC 5424 header): the same host, so any effect would show in its alerts
    const victim = cef.find((l) => l.record && l.record.SourceIP === '10.0.0.4' && l.line.startsWith('<14>1 ')).line;
    const TIME = /(rt|start)=[A-Z][a-z]{2} \d\d \d{4} \d\d:\d\d:\d\d GMT /g;
    const cefBody = victim.slice(victim.indexOf('CEF:'));
    const forged = [
      victim.replace(TIME, '$1=Dec 31 2099 23:59:00 GMT '),
      victim.replace(TIME, (_, k) => (k === 'rt' ? 'rt=garbage ' : '')),
      // a BSD header has no year, and the line no other time: an error, not the year of the line before
      `<14>Dec 31 23:59:30 PA-220 ${cefBody.replace(TIME, '')}`,
    ];
    forged.forEach((l) => l.should.not.equal(victim));
    const lines = cef.map((l) => l.line);
    lines.splice(Math.floor(lines.length / 2), 0, ...forged);

    const info = instrument(inProcess());
    await helper.load(NODE_MODULES, info.nodes);
    // the last status each node showed (the replay clears the helper's spies as it goes)
    const shown = {};
    for (const id of ['pu_in', 'pu_delta']) {
      const n = helper.getNode(id);
      const status = n.status.bind(n);
      n.status = (s) => {
        shown[id] = s;
        return status(s);
      };
    }
    const got = await replay(info, lines, { batchSize: 200 });
    should(canonical(got.alerts)).deepEqual(canonical(expected));
    // the 2099 record was held apart and left marked; nothing else is late
    got.late.map((r) => [r.LateReason, r.TimeGenerated]).should.eql([['ahead', '2099-12-31T23:59:00.0000000Z']]);
    const status = (id) => shown[id].text;
    status('pu_in').should.equal(`${cef.length + 1} parsed · 2 failed`);
    status('pu_delta').should.match(/ · 1 ahead$/);
  });
});
