'use strict';
/**
 * Notify-once on the example flows, the way a person meets it: what passes
 * the "notify once" switch (where the e-mail and chat hand-offs hang) when
 * the sample is replayed: each pair is told once per re-arm period of its
 * events, however many scorings found it; a second replay
 * of the same events after a reset tells nobody again.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const should = require('should');
const { helper, NODE_MODULES, readExample } = require('../support/example-flows');
const gen = require('../../dist/tools/traffic-generator');

const HUNT = 'Beacon hunt (per pair, 7-day history).json';
const pairOf = (row) => `${row.LocalIP} → ${row.RemoteNetwork}:${row.RemotePortNumber}`;
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** The hunt flow with probes: behind "notify once", on every scorer's alert output, and where each scorer's control messages leave. */
function huntWithProbes() {
  const nodes = JSON.parse(JSON.stringify(readExample(HUNT)));
  const z = nodes.find((n) => n.type === 'tab').id;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-notify-'));
  for (const n of nodes) if (n.type === 'file') n.filename = path.join(tmp, path.basename(n.filename));
  const scorers = nodes.filter((n) => n.type === 'beacon-scorer');
  for (const s of scorers) {
    s.wires[0].push('probe-alerts');
    s.wires[1].push(`probe-below-${s.id}`);
    nodes.push({ id: `probe-below-${s.id}`, type: 'helper', z, wires: [] });
  }
  nodes.find((n) => n.id.endsWith('_notify')).wires[0].push('probe-notify');
  nodes.push({ id: 'probe-alerts', type: 'helper', z, wires: [] }, { id: 'probe-notify', type: 'helper', z, wires: [] });
  const entry = nodes.find((n) => n.type === 'json').wires[0][0];
  return { nodes, entry, scorers: scorers.map((s) => s.id) };
}

describe('notify once: what reaches the hand-offs of the example flows', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('hunt: replaying the sample notifies each alerting pair once (not once per window and branch), pattern clocks on the events; a replay after a reset notifies nobody', async function () {
    const flow = huntWithProbes();
    await helper.load(NODE_MODULES, flow.nodes);
    const got = { notify: [], alerts: [], below: [] };
    // a replay has ended when each scorer has passed its flush on, whichever output it took
    let flushes = 0;
    let ended = null;
    const flushed = () => new Promise((resolve) => (ended = resolve));
    const control = (m) => {
      if (m.flush && ++flushes % flow.scorers.length === 0) ended();
      return Boolean(m.flush || m.reset || m.checkpoint);
    };
    helper.getNode('probe-notify').on('input', (m) => got.notify.push(m));
    helper.getNode('probe-alerts').on('input', (m) => got.alerts.push(m) && control(m));
    for (const id of flow.scorers) helper.getNode(`probe-below-${id}`).on('input', (m) => control(m) || got.below.push(m));
    const records = gen.generateRecords(gen.sampleScenario('wiredata'));
    const replay = async () => {
      const entry = helper.getNode(flow.entry);
      entry.receive({ reset: true });
      for (let i = 0; i < records.length; i += 500) {
        entry.receive({ payload: records.slice(i, i + 500).map((r) => ({ ...r })) });
        await settle();
      }
      entry.receive({ flush: true });
    };
    let done = flushed();
    await replay();
    await done;
    await settle();

    const notified = got.notify.flatMap((m) => [].concat(m.payload));
    const pairs = notified.map(pairOf);
    // the sample's two outbound beacons the hunt reports (the NTP poller is allow-listed)
    pairs.slice().sort().should.eql(['10.0.0.4 → 52.239.1.0/24:443', '10.0.0.7 → 185.225.17.0/24:8443']);
    // the sample is 6 h: one scoring (the flush), one alert row per pair, nothing held back as a repeat
    const suppressed = got.below.flatMap((m) => [].concat(m.payload)).filter((r) => r.Suppressed);
    suppressed.filter((r) => pairs.includes(pairOf(r))).should.have.length(0);
    got.alerts
      .flatMap((m) => [].concat(m.payload))
      .map(pairOf)
      .sort()
      .should.eql(pairs.slice().sort());
    // all the traffic is on 2024-05-08 (6 h): the pattern started then
    const first = Date.parse(records[0].TimeGenerated);
    for (const row of notified) {
      (Date.parse(row.PatternSince) - first).should.be.within(0, 3600e3);
      row.PatternHours.should.be.within(1, 6.1);
    }
    // connections per hour over the time the pair was active: the 40 s beacon makes ~89 an hour
    const c2 = notified.filter((r) => r.LocalIP === '10.0.0.7');
    c2.should.have.length(1);
    for (const row of c2) row.ConnectionsPerHour.should.be.within(80, 95);
    // alert messages: rows only, each with a payload and an AlertId; control messages left on the second outputs
    got.alerts.length.should.be.above(0);
    for (const m of [...got.alerts, ...got.notify]) {
      should(m.flush || m.reset || m.checkpoint).not.be.ok();
      [].concat(m.payload).length.should.be.above(0);
      for (const row of [].concat(m.payload)) row.AlertId.should.match(/^[0-9a-f]{20}$/);
    }

    // the same events again after a reset: the same cells, nobody told twice
    const before = got.notify.length;
    const alertsBefore = got.alerts.length;
    done = flushed();
    await replay();
    await done;
    await settle();
    got.alerts.length.should.be.above(alertsBefore); // the alerts are there: only the notification is held back
    got.notify.length.should.equal(before);
  });
});
