'use strict';
/**
 * beacon-format in Node-RED (node-red-node-test-helper): each format from
 * the scorer's alert messages, control messages and empty payloads never
 * leave it, bad input reaches Catch, bad settings show as invalid; and a
 * real scorer in front of it, so the rule (title, thresholds) travels.
 */
const { helper, should, node, catchNode, flowWith } = require('./harness');
const formatNode = node('beacon-format');
const scorerNode = node('beacon-scorer');
const { LogParser, DEFAULT_PARSER_OPTIONS } = require('../../dist/core/parse/parser');
const FIXTURE = require('../fixtures/alert-rows.json');

const PA = () => ({ ...FIXTURE.find((r) => r.example === 'Palo Alto' && r.kind === 'alert').row, AlertId: 'nb-1' });
const RULE = { name: 'Palo Alto beaconing', method: 'kql', thresholds: ['TotalEvents > 30', 'MostFrequentTimeDeltaCount > 25', 'BeaconPercent > 80'] };

/** Sends messages to n1 and collects o1 and c1 until `count` messages came out of o1 and `errors` reached c1. */
function collect(messages, count, errors = 0) {
  const got = { o1: [], c1: [] };
  return new Promise((resolve, reject) => {
    const check = () => got.o1.length >= count && got.c1.length >= errors && setImmediate(() => resolve(got));
    helper.getNode('o1').on('input', (m) => (got.o1.push(m), check()));
    helper.getNode('c1').on('input', (m) => (got.c1.push(m), check()));
    for (const m of messages) helper.getNode('n1').receive(m);
    setTimeout(() => reject(new Error(`expected ${count} messages and ${errors} errors, got ${got.o1.length} and ${got.c1.length}`)), 5000).unref();
  });
}

describe('beacon-format node', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  const load = (config) => helper.load([formatNode, catchNode], flowWith('beacon-format', config));

  it('e-mail, as node-red-node-email takes it: subject in msg.topic, HTML in msg.payload (and msg.html), text in msg.plaintext; the rest rides along', async function () {
    await load({ format: 'email' });
    const got = await collect([{ payload: PA(), topic: 'old', notify: true, rule: RULE }], 1);
    const m = got.o1[0];
    m.topic.should.equal('Palo Alto beaconing: beacon corp\\svc-backup@10.0.0.4 → 52.239.1.10:443 every 60 s, 55/55 (100 %) in bin 05-08 00:00Z');
    m.plaintext.should.startWith(m.topic);
    m.plaintext.should.match(/thresholds: TotalEvents > 30, MostFrequentTimeDeltaCount > 25, BeaconPercent > 80/);
    m.payload.should.match(/^<!DOCTYPE html>/);
    m.html.should.equal(m.payload);
    // the e-mail node's own test for an HTML body (61-email.js), which then sends msg.plaintext as the text part
    /<[a-z][\s\S]*>/i.test(m.payload).should.be.true();
    m.notify.should.be.true();
    m.rule.should.eql(RULE);
  });

  it('control messages and messages without rows never leave (no empty hand-off); the alert after them does', async function () {
    await load({ format: 'slack' });
    const got = await collect([{ flush: true }, { reset: true }, { checkpoint: true, payload: [] }, { payload: [] }, { payload: PA(), rule: RULE }], 1);
    got.o1.should.have.length(1);
    got.o1[0].payload.text.should.match(/^Palo Alto beaconing: beacon /);
    should(got.o1[0].flush).be.undefined();
    got.c1.should.eql([]);
  });

  it('SIEM formats: one message per row of a batch; CEF and syslog lines read back by the log parser', async function () {
    const rows = [PA(), { ...PA(), AlertId: 'nb-2', DestinationIP: '52.239.1.11' }];
    await load({ format: 'syslog', hostname: 'nr-test', facility: '13' });
    const got = await collect([{ payload: rows, rule: RULE }], 2);
    got.o1.map((m) => m.payload.slice(0, 8)).should.eql(['<108>1 2', '<108>1 2']);
    const parsed = got.o1.map((m) => new LogParser(DEFAULT_PARSER_OPTIONS).parseLine(m.payload).record);
    parsed
      .map((r) => [r.Computer, r.ExternalID, r.DestinationIP])
      .should.eql([
        ['nr-test', 'nb-1', '52.239.1.10'],
        ['nr-test', 'nb-2', '52.239.1.11'],
      ]);
    await helper.unload();
    await load({ format: 'ecs', title: 'Firewall beacons' });
    const ecs = await collect([{ payload: rows }], 2);
    ecs.o1
      .map((m) => [m.payload.event.kind, m.payload.event.id, m.payload.rule.name])
      .should.eql([
        ['alert', 'nb-1', 'Firewall beacons'],
        ['alert', 'nb-2', 'Firewall beacons'],
      ]);
  });

  it('a payload that is not a row reaches Catch; nothing is sent', async function () {
    await load({ format: 'cef' });
    const got = await collect([{ payload: 'not an alert' }, { payload: PA() }], 1, 1);
    got.c1[0].error.message.should.match(/msg\.payload must be an alert row/);
    got.o1.should.have.length(1);
    got.o1[0].payload.should.startWith('CEF:0|netbeacon|');
  });

  it('invalid settings: red status naming them, and no message ever leaves', async function () {
    await load({ format: 'sms' });
    const n1 = helper.getNode('n1');
    n1.status.lastCall.args[0].should.containDeep({ fill: 'red' });
    n1.error.lastCall.args[0].should.match(/format: one of e-mail, Slack, Teams, ECS, CEF, syslog/);
    n1.receive({ payload: PA() });
    await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
    n1.send.called.should.be.false();
    await helper.unload();
    await load({ format: 'syslog', facility: 24 });
    helper.getNode('n1').error.lastCall.args[0].should.match(/facility: a whole number from 0 to 23/);
  });

  it('an absent format is e-mail (a flow saved without the setting)', async function () {
    await load({});
    const got = await collect([{ payload: PA() }], 1);
    got.o1[0].html.should.match(/<table/);
  });

  it("behind a real scorer: the scorer's title and thresholds reach the text; its flush does not", async function () {
    const flow = [
      { id: 'f1', type: 'tab' },
      {
        id: 's1',
        z: 'f1',
        type: 'beacon-scorer',
        minTotalEvents: 15,
        minModeCount: '',
        minBeaconPercent: 95,
        entities: 'IPCustomEntity=RemoteIP',
        title: 'WireData beaconing',
        wires: [['n1'], []],
      },
      { id: 'n1', z: 'f1', type: 'beacon-format', format: 'email', wires: [['o1']] },
      { id: 'o1', z: 'f1', type: 'helper' },
      { id: 'k1', z: 'f1', type: 'catch', scope: null, uncaught: false, wires: [['c1']] },
      { id: 'c1', z: 'f1', type: 'helper' },
    ];
    await helper.load([scorerNode, formatNode, catchNode], flow);
    const row = {
      TimeGenerated: '2024-05-08T01:00:00Z',
      LocalIP: '10.0.0.4',
      RemoteIP: '52.239.1.10',
      RemotePortNumber: 443,
      TotalEvents: 60,
      DeltaCounts: { 60: 60 },
      BinSeconds: 3600,
      GroupFields: ['LocalIP', 'RemoteIP', 'RemotePortNumber'],
    };
    const got = { o1: [] };
    const done = new Promise((resolve) => helper.getNode('o1').on('input', (m) => (got.o1.push(m), resolve())));
    helper.getNode('s1').receive({ payload: row });
    helper.getNode('s1').receive({ flush: true });
    await done;
    await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
    got.o1.should.have.length(1);
    got.o1[0].topic.should.equal('WireData beaconing: beacon 10.0.0.4 → 52.239.1.10:443 every 60 s, 60/60 (100 %) in bin 05-08 01:00Z');
    got.o1[0].plaintext.should.match(
      /Why: +method: the Sentinel rule: the share of the single most frequent interval; thresholds: TotalEvents > 15, BeaconPercent > 95/,
    );
  });
});
