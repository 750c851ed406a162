'use strict';
/** The board behind the "Beacons" sidebar: which rows it keeps, how it bounds itself, what clears it. */
const should = require('should');
const { BeaconsBoard } = require('../../dist/plugins/beacons-board.js');

const row = (src, dst, bin, extra = {}) => ({
  TimeGenerated: bin,
  LocalIP: src,
  RemoteIP: dst,
  RemotePortNumber: 443,
  MostFrequentTimeDeltaCount: 50,
  MostFrequentTimeDeltainSeconds: 60,
  TotalEvents: 52,
  BeaconPercent: 96.2,
  histogram: { 60: 50, 61: 2 },
  ...extra,
});

describe('Beacons sidebar board', function () {
  it('keeps alerts, near misses (one threshold failed by under 20 %) and suppressed alerts; not the clear misses', function () {
    const board = new BeaconsBoard();
    board.offer('s1', row('10.0.0.1', '1.1.1.1', 'a'), true).should.be.true();
    board.offer('s1', row('10.0.0.2', '1.1.1.2', 'a', { BeaconPercent: 90, FailedThresholds: ['BeaconPercent > 95'] }), false).should.be.true();
    board.offer('s1', row('10.0.0.3', '1.1.1.3', 'a', { FailedThresholds: ['TotalEvents > 15', 'BeaconPercent > 95'] }), false).should.be.false();
    board.offer('s1', row('10.0.0.5', '1.1.1.5', 'a', { TotalEvents: 2, FailedThresholds: ['TotalEvents > 15'] }), false).should.be.false();
    board.offer('s1', row('10.0.0.6', '1.1.1.6', 'a', { PeriodPValue: 0.002, FailedThresholds: ['PeriodPValue <= 0.001'] }), false).should.be.false();
    board.offer('s1', row('10.0.0.7', '1.1.1.7', 'a', { PeriodPValue: 0.0012, FailedThresholds: ['PeriodPValue <= 0.001'] }), false).should.be.true();
    board.offer('s1', row('10.0.0.4', '1.1.1.4', 'a', { FailedThresholds: [], Suppressed: 'NTP' }), false).should.be.true();
    board
      .list()
      .map((g) => g.state)
      .should.eql(['suppressed', 'near', 'near', 'alert']);
    const alert = board.list()[3];
    alert.fields.should.eql([
      ['LocalIP', '10.0.0.1'],
      ['RemoteIP', '1.1.1.1'],
      ['RemotePortNumber', '443'],
    ]);
    alert.histogram.should.eql([
      [60, 50],
      [61, 2],
    ]);
    should(alert.final).be.null();
  });

  it('follows a group across bins: one line, its time line in bin order, first and last seen, Final when given', function () {
    const board = new BeaconsBoard();
    board.offer('s1', row('10.0.0.1', '1.1.1.1', '2024-01-01T02:00:00Z', { TotalEvents: 30, Final: false }), true);
    board.offer('s1', row('10.0.0.1', '1.1.1.1', '2024-01-01T01:00:00Z', { TotalEvents: 20 }), true);
    board.offer('s1', row('10.0.0.1', '1.1.1.1', '2024-01-01T02:00:00Z', { TotalEvents: 60, Final: true }), true);
    const [g] = board.list();
    board.list().length.should.equal(1);
    g.timeline.should.eql([
      ['2024-01-01T01:00:00Z', 20],
      ['2024-01-01T02:00:00Z', 60],
    ]);
    g.firstSeen.should.equal('2024-01-01T01:00:00Z');
    g.lastSeen.should.equal('2024-01-01T02:00:00Z');
    g.final.should.be.true();
  });

  it('a suppressed group keeps the reason of the row that suppressed it when a later bin is only near (no blank reason)', function () {
    const board = new BeaconsBoard();
    board.offer('s1', row('10.0.0.1', '1.1.1.1', '2024-01-01T01:00:00Z', { FailedThresholds: [], Suppressed: 'repeat: pair reported 1 h ago' }), false);
    board.offer(
      's1',
      row('10.0.0.1', '1.1.1.1', '2024-01-01T02:00:00Z', { TotalEvents: 14, BeaconPercent: 90, FailedThresholds: ['BeaconPercent > 95'] }),
      false,
    );
    const [g] = board.list();
    board.list().should.have.length(1);
    [g.state, g.suppressed, g.bin, g.events].should.eql(['suppressed', 'repeat: pair reported 1 h ago', '2024-01-01T01:00:00Z', 52]);
    g.timeline.should.eql([
      ['2024-01-01T01:00:00Z', 52],
      ['2024-01-01T02:00:00Z', 14],
    ]);
  });

  it('an alert outranks a later near miss; figures come from the alerting row', function () {
    const board = new BeaconsBoard();
    board.offer('s1', row('10.0.0.1', '1.1.1.1', '2024-01-01T01:00:00Z', { TotalEvents: 60, AlertId: 'abc' }), true);
    board.offer(
      's1',
      row('10.0.0.1', '1.1.1.1', '2024-01-01T02:00:00Z', { TotalEvents: 4, BeaconPercent: 90, FailedThresholds: ['BeaconPercent > 95'] }),
      false,
    );
    const [g] = board.list();
    [g.state, g.events, g.failed, g.alertId, g.bin].should.eql(['alert', 60, '', 'abc', '2024-01-01T01:00:00Z']);
  });

  it('the streaming marks (AsOf, Notify, AlertId, DestinationSources) are no part of the group: early and final rows are one card', function () {
    const board = new BeaconsBoard();
    const bin = '2024-01-01T01:00:00Z';
    board.offer(
      's1',
      row('10.0.0.1', '1.1.1.1', bin, { TotalEvents: 40, Final: false, AsOf: '2024-01-01T02:05:00Z', Notify: true, AlertId: 'x', DestinationSources: 1 }),
      true,
    );
    board.offer('s1', row('10.0.0.1', '1.1.1.1', bin, { TotalEvents: 41, Final: true, Notify: false, AlertId: 'x', DestinationSources: 1 }), true);
    board.list().should.have.length(1);
    const [g] = board.list();
    g.fields.map(([k]) => k).should.eql(['LocalIP', 'RemoteIP', 'RemotePortNumber']);
    [g.final, g.events].should.eql([true, 41]);
    g.timeline.should.eql([[bin, 41]]);
    // an early alert its final row contradicts (disorder) leaves the board when nothing else of the group stands
    board.offer('s1', row('10.0.0.2', '1.1.1.2', bin, { Final: false }), true).should.be.true();
    board.offer('s1', row('10.0.0.2', '1.1.1.2', bin, { Final: true, FailedThresholds: ['TotalEvents > 15', 'BeaconPercent > 95'] }), false).should.be.true();
    board
      .list()
      .map((x) => x.fields[0][1])
      .should.eql(['10.0.0.1']);
  });

  it('is bounded: the newest groups, bins and histogram bars', function () {
    const board = new BeaconsBoard(3, 2, 2);
    for (let i = 0; i < 10; i++) board.offer('s1', row(`10.0.0.${i}`, '1.1.1.1', 'a', { histogram: { 1: 1, 2: 5, 3: 9 } }), true);
    for (const bin of ['b', 'c', 'd']) board.offer('s1', row('10.0.0.9', '1.1.1.1', bin), true);
    board
      .list()
      .map((g) => g.fields[0][1])
      .should.eql(['10.0.0.9', '10.0.0.8', '10.0.0.7']);
    board
      .list()[0]
      .timeline.map(([b]) => b)
      .should.eql(['c', 'd']);
    board.list()[1].histogram.should.eql([
      [2, 5],
      [3, 9],
    ]);
  });

  it('clears one scorer (a reset it passed on) or everything', function () {
    const board = new BeaconsBoard();
    board.offer('s1', row('10.0.0.1', '1.1.1.1', 'a'), true);
    board.offer('s2', row('10.0.0.1', '1.1.1.1', 'a'), true);
    board.clear('s1').should.be.true();
    board
      .list()
      .map((g) => g.scorer)
      .should.eql(['s2']);
    board.clear().should.be.true();
    board.list().should.eql([]);
  });

  it('ignores what is not a row', function () {
    const board = new BeaconsBoard();
    for (const bad of [null, 'text', 42, [1, 2]]) board.offer('s1', bad, true).should.be.false();
    board.list().should.eql([]);
  });
});

describe("Beacons sidebar board on the scorers' own rows (the sample replayed through the example flows)", function () {
  const { helper, NODE_MODULES, readExample } = require('../support/example-flows');
  const gen = require('../../dist/tools/traffic-generator');
  const fs = require('fs');
  const os = require('os');
  const path = require('path');
  this.timeout(120000);
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  const EXAMPLES = [
    ['WireData beaconing (Sentinel rule).json', 'wiredata'],
    ['Palo Alto beaconing (Sentinel rule).json', 'csl'],
    ['Beacon hunt (per pair, 7-day history).json', 'wiredata'],
  ];

  /** Every row each scorer sent, with its output port, in order; and each scorer's group fields (its histogram's). */
  async function scorerRows() {
    const sent = [];
    const groupFields = {};
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-board-'));
    for (const [file, schema] of EXAMPLES) {
      const flow = JSON.parse(JSON.stringify(readExample(file)));
      const scorers = [];
      for (const n of flow.slice()) {
        if (n.type === 'file') n.filename = path.join(tmp, `${n.id}.jsonl`);
        if (n.type !== 'beacon-scorer') continue;
        const hist = flow.find((h) => (h.type === 'beacon-histogram' || h.type === 'beacon-pairs') && h.wires[0].includes(n.id));
        groupFields[n.id] = (hist.groupFields ?? hist.keyFields).split(',').map((f) => f.trim());
        scorers.push(n.id);
        n.wires = [
          [...n.wires[0], `${n.id}-p0`],
          [...n.wires[1], `${n.id}-p1`],
        ];
        flow.push({ id: `${n.id}-p0`, type: 'helper', z: n.z, wires: [] }, { id: `${n.id}-p1`, type: 'helper', z: n.z, wires: [] });
      }
      await helper.load(NODE_MODULES, flow);
      let flushes = 0;
      const done = new Promise((resolve) => {
        for (const id of scorers) {
          for (const port of [0, 1]) {
            helper.getNode(`${id}-p${port}`).on('input', (msg) => {
              if (msg.flush) return ++flushes === scorers.length && setImmediate(resolve);
              if (msg.reset || msg.checkpoint) return;
              for (const row of [].concat(msg.payload)) sent.push({ scorer: id, port, row });
            });
          }
        }
      });
      const entry = helper.getNode(flow.find((n) => n.type === 'json').wires[0][0]);
      const records = gen.generateRecords(gen.sampleScenario(schema));
      entry.receive({ reset: true });
      for (let i = 0; i < records.length; i += 500) {
        entry.receive({ payload: records.slice(i, i + 500) });
        await new Promise((resolve) => setImmediate(resolve));
      }
      entry.receive({ flush: true });
      await done;
      await helper.unload();
    }
    return { sent, groupFields };
  }

  it("one card per group (the scorer's group fields), early → final in place, alert > suppressed > near with the reason and figures of the row that gave it", async function () {
    const { sent, groupFields } = await scorerRows();
    const board = new BeaconsBoard();
    for (const { scorer, port, row } of sent) board.offer(scorer, row, port === 0);
    const cards = board.list();
    const groupKey = (scorer, row) => JSON.stringify([scorer, ...groupFields[scorer].map((f) => String(row[f] ?? ''))]);

    // labels: the group fields alone, one card each
    for (const card of cards) card.fields.map(([k]) => k).should.eql(groupFields[card.scorer]);
    const keys = cards.map((c) => JSON.stringify([c.scorer, ...c.fields.map(([, v]) => v)]));
    new Set(keys).size.should.equal(cards.length);
    // every group the scorers alerted or suppressed is there, and nothing beyond the groups the rows name
    const byGroup = new Map();
    for (const s of sent) {
      const k = groupKey(s.scorer, s.row);
      if (!byGroup.has(k)) byGroup.set(k, []);
      byGroup.get(k).push(s);
    }
    const stated = [...byGroup].filter(([, rows]) => rows.some((s) => s.port === 0 || s.row.Suppressed));
    stated.length.should.be.within(5, 12); // the sample's handful of beacons and look-alikes, per scorer
    keys.should.containDeep(stated.map(([k]) => k));
    for (const k of keys) byGroup.has(k).should.be.true();

    for (const [k, rows] of stated) {
      const card = cards[keys.indexOf(k)];
      // the latest row of each bin (an early alert replaced by its final row)
      const latest = new Map();
      for (const s of rows) latest.set(s.row.TimeGenerated, s);
      const alerts = [...latest.values()].filter((s) => s.port === 0);
      const held = [...latest.values()].filter((s) => s.row.Suppressed);
      const from = alerts.length > 0 ? alerts : held;
      const expect = from.reduce((a, b) => (b.row.TimeGenerated > a.row.TimeGenerated ? b : a));
      card.state.should.equal(alerts.length > 0 ? 'alert' : 'suppressed', k);
      card.bin.should.equal(expect.row.TimeGenerated, k);
      card.events.should.equal(expect.row.TotalEvents, k);
      card.suppressed.should.equal(expect.row.Suppressed || '', k);
      if (card.state === 'suppressed') card.suppressed.should.not.be.empty();
      if (card.state === 'alert') {
        card.alertId.should.equal(expect.row.AlertId);
        should(card.final).equal(typeof expect.row.Final === 'boolean' ? expect.row.Final : null);
      }
    }
    // the hunt's C2 pair: one card, an alert of the periodicity test on its pair's intervals
    const c2 = cards.filter((c) => c.fields.some(([, v]) => v === '185.225.17.0/24'));
    c2.map((c) => [c.scorer, c.state]).should.eql([['hu_score', 'alert']]);
  });
});
