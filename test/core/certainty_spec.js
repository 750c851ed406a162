'use strict';
/**
 * Early verdicts (the live latency contract): a verdict the scorer
 * calls certain on an early row never differs from the final row's, over
 * generated traffic with hosts that fall silent right after a bin, ties on
 * one second and at bin edges, sub-second times, port 0, late events, and
 * arrival disorder up to lateness + certain after.
 */
const fc = require('fast-check');
const should = require('should');
const { DeltaTracker, newDeltaOutput } = require('../../dist/core/delta/delta');
const { HistogramAggregator, newHistogramOutput, parseDeltaBucket } = require('../../dist/core/histogram');
const { scoreRow } = require('../../dist/core/scorer/scorer');
const { certainty, cellKey, EarlyAlerts } = require('../../dist/core/scorer/early-alerts');

const T0 = Date.UTC(2024, 4, 8, 9, 0, 0) / 1000;
const iso = (sec) => {
  const whole = Math.floor(sec);
  const ticks = Math.round((sec - whole) * 1e7);
  return `${new Date(whole * 1000).toISOString().slice(0, 19)}.${String(ticks).padStart(7, '0')}Z`;
};

const sessionArb = fc.record({
  host: fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3'),
  dest: fc.constantFrom('8.8.8.8', '9.9.9.9'),
  port: fc.constantFrom(443, 443, 80, 0),
  period: fc.constantFrom(11, 26, 30, 60, 60, 61, 120, 900),
  jitter: fc.constantFrom(0, 0, 0, 1, 3),
  // starts anywhere in three hours; ends right before, at or after an hour edge (hosts that fall silent after a bin)
  startHour: fc.integer({ min: 0, max: 2 }),
  startOffset: fc.integer({ min: 0, max: 3599 }),
  hours: fc.integer({ min: 0, max: 3 }),
  endEdge: fc.constantFrom(-61, -1, 0, 0, 1, 59, 1800),
  fraction: fc.constantFrom(0, 0, 0.5, 0.9999999),
  ties: fc.boolean(),
});

/** The events of a session, with a small deterministic jitter and optional duplicates on the same second. */
function sessionEvents(s, index) {
  const start = T0 + s.startHour * 3600 + s.startOffset;
  const end = T0 + (s.startHour + s.hours + 1) * 3600 + s.endEdge;
  const events = [];
  for (let t = start, i = 0; t < end && events.length < 400; t += s.period, i++) {
    const sec = t + (s.jitter ? ((i * 7 + index) % (2 * s.jitter + 1)) - s.jitter : 0) + s.fraction;
    const r = { TimeGenerated: iso(sec), LocalIP: s.host, RemoteIP: s.dest, RemotePortNumber: s.port, SentBytes: 100 + (i % 3), ReceivedBytes: 50 };
    events.push({ sec, r });
    if (s.ties && i % 5 === 0) events.push({ sec, r: { ...r, RemotePortNumber: s.port === 0 ? 0 : s.port + 1 } });
  }
  return events;
}

const SCORERS = [
  { minTotalEvents: 15, minModeCount: null, minBeaconPercent: 95, entities: [] },
  { minTotalEvents: 30, minModeCount: 25, minBeaconPercent: 80, entities: [] },
  { minTotalEvents: 3, minModeCount: null, minBeaconPercent: 50, entities: [] },
  { minTotalEvents: 5, minModeCount: null, minBeaconPercent: 80, entities: [], method: 'window', windowSeconds: 0, windowPercent: 10 },
  { minTotalEvents: 10, minModeCount: null, minBeaconPercent: null, entities: [], method: 'stats', minScore: 0.8 },
  { minTotalEvents: 15, minModeCount: null, minBeaconPercent: 95, entities: [], strobePerHour: 100 },
];

const settingsArb = fc.record({
  lateness: fc.constantFrom(60, 300),
  certainAfter: fc.constantFrom('lateness', 0),
  key: fc.constantFrom('source', 'pair'),
  hop: fc.constantFrom(0, 0, 1800),
  bucket: fc.constantFrom('', '', '10s', '10%'),
  skipZero: fc.boolean(),
  portSwitch: fc.boolean(),
  connections: fc.boolean(),
  minDelta: fc.constantFrom(10, 25),
});

/** Runs delta → (port switch) → histogram record by record, as a live flow does; returns early and final rows. */
function run(records, st) {
  const keyFields = st.key === 'source' ? ['LocalIP'] : ['LocalIP', 'RemoteIP', 'RemotePortNumber'];
  const delta = new DeltaTracker({
    keyFields,
    timeField: 'TimeGenerated',
    tieFields: ['RemoteIP', 'RemotePortNumber'],
    latenessSeconds: st.lateness,
    deltaField: 'TimeDeltainSeconds',
    nextTimeField: 'nextTimeGenerated',
  });
  const hist = new HistogramAggregator({
    binSeconds: 3600,
    groupFields: ['LocalIP', 'RemoteIP', 'RemotePortNumber'],
    minDelta: st.minDelta,
    sumFields: ['SentBytes', 'ReceivedBytes'],
    closeAfterSeconds: 86400,
    timeField: 'TimeGenerated',
    deltaField: 'TimeDeltainSeconds',
    nextTimeField: 'nextTimeGenerated',
    hopSeconds: st.hop,
    deltaBucket: parseDeltaBucket(st.bucket),
    skipZeroField: st.skipZero ? 'RemotePortNumber' : '',
    countConnections: st.connections,
    certainAfterSeconds: st.certainAfter === 'lateness' ? st.lateness : 0,
    certainKeyFields: keyFields,
  });
  if (st.restoreFrom) hist.restore(st.restoreFrom);
  const h = newHistogramOutput();
  let released = 0;
  const forward = (d) => {
    // a resumed histogram: the delta stage runs again from the start; the deltas before the cut were counted already
    d.released = d.released.filter(() => released++ >= (st.skip ?? 0));
    for (const r of d.released) if (!st.portSwitch || r.RemotePortNumber !== 0) hist.add(r, h);
    d.released.length = 0;
  };
  let late = 0;
  for (const r of records) {
    const d = newDeltaOutput();
    delta.add(r, d);
    late += d.late.length;
    forward(d);
  }
  if (st.noFlush) return { rows: h.rows, late, hist, released };
  const d = newDeltaOutput();
  delta.flush(d);
  forward(d);
  hist.flush(h);
  return { rows: h.rows, late, hist };
}

describe('early verdicts (certainty, property)', function () {
  it("an early verdict called certain never differs from the final row's; nothing pending means the final row itself", function () {
    const seen = { certainAlerts: 0, certainQuiet: 0, uncertain: 0, complete: 0, pending: 0, late: 0 };
    fc.assert(
      fc.property(
        fc.array(sessionArb, { minLength: 1, maxLength: 6 }),
        settingsArb,
        fc.integer({ min: 0, max: 2 ** 30 }),
        fc.boolean(),
        (sessions, st, seed, withLate) => {
          const events = sessions.flatMap(sessionEvents);
          // arrival: each event lags by up to lateness + certain after (the disorder early verdicts are safe for)
          const maxLag = st.lateness + (st.certainAfter === 'lateness' ? st.lateness : 0);
          let x = seed;
          const lag = () => (x = (x * 1103515245 + 12345) % 2 ** 31) % (maxLag + 1);
          const arrival = events
            .map((e, i) => ({ r: e.r, at: e.sec + lag(), i }))
            .sort((a, b) => a.at - b.at || a.i - b.i)
            .map((e) => e.r);
          if (withLate && events.length > 0) {
            // late events: older than their key's newest, after everything (the delta node sends them to its late output)
            for (const e of events.slice(0, 5)) arrival.push({ ...e.r, TimeGenerated: iso(e.sec - 7200), SentBytes: 1 });
          }
          const { rows, late, hist } = run(arrival, st);
          seen.late += late;
          hist.counts.afterCertain.should.equal(0);
          const finals = new Map(rows.filter((r) => r.Final === true).map((r) => [cellKey(r), r]));
          rows.every((r) => typeof r.Final === 'boolean').should.be.true();
          for (const early of rows.filter((r) => r.Final === false)) {
            const final = finals.get(cellKey(early));
            should.exist(final, 'every early row has a final row');
            if (early.PendingDeltas === 0) {
              seen.complete++;
              should(final.DeltaCounts).eql(early.DeltaCounts);
              final.TotalEvents.should.equal(early.TotalEvents);
            } else {
              seen.pending++;
              (final.TotalEvents - early.TotalEvents).should.be.within(0, 1);
            }
            for (const options of SCORERS) {
              const { certainty: verdict } = certainty(early, options);
              const finalAlert = scoreRow(final, options).alert;
              if (verdict === 'uncertain') seen.uncertain++;
              else {
                if (verdict === 'alert') seen.certainAlerts++;
                else seen.certainQuiet++;
                should(finalAlert).equal(verdict === 'alert', `${verdict} early, final ${finalAlert}: ${JSON.stringify({ early, final, options })}`);
              }
            }
          }
        },
      ),
      { numRuns: 400, seed: 20261201 },
    );
    if (process.env.SHOW) console.log(seen);
    // not vacuous: certain alerts and quiet verdicts, with and without a pending delta, some uncertain, late events seen
    seen.certainAlerts.should.be.above(200);
    seen.certainQuiet.should.be.above(200);
    seen.uncertain.should.be.above(10);
    seen.complete.should.be.above(100);
    seen.pending.should.be.above(50);
    seen.late.should.be.above(10);
  });

  it('a histogram restored from a snapshot at any record sends the same early and final rows as one never stopped', function () {
    fc.assert(
      fc.property(fc.array(sessionArb, { minLength: 1, maxLength: 4 }), settingsArb, fc.nat(), (sessions, st, cutAt) => {
        const arrival = sessions
          .flatMap(sessionEvents)
          .sort((a, b) => a.sec - b.sec)
          .map((e) => e.r);
        const whole = run(
          arrival.map((r) => ({ ...r })),
          st,
        ).rows;
        // the same run, its histogram saved as JSON and restored into a new one after `cut` released deltas
        const cut = arrival.length ? cutAt % arrival.length : 0;
        const first = run(
          arrival.slice(0, cut).map((r) => ({ ...r })),
          { ...st, noFlush: true },
        );
        const resumed = run(
          arrival.map((r) => ({ ...r })),
          { ...st, restoreFrom: JSON.parse(JSON.stringify(first.hist.snapshot())), skip: first.released },
        ).rows;
        const before = first.rows;
        should([...before, ...resumed].map((r) => JSON.stringify(r))).eql(whole.map((r) => JSON.stringify(r)));
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('kql: one pending delta that could tip the share leaves the verdict uncertain; one that cannot, certain', function () {
    const options = { minTotalEvents: 15, minModeCount: null, minBeaconPercent: 95, entities: [] };
    const row = (counts, pending) => ({
      TimeGenerated: '2024-05-08T09:00:00Z',
      LocalIP: 'a',
      GroupFields: ['LocalIP'],
      BinSeconds: 3600,
      DeltaCounts: counts,
      TotalEvents: Object.values(counts).reduce((a, b) => a + b, 0),
      Final: false,
      PendingDeltas: pending,
    });
    // 20 of 20: one more other delta gives 20/21 = 95.2 % > 95: still an alert
    certainty(row({ 60: 20 }, 1), options).certainty.should.equal('alert');
    // 19 of 19: 19/20 = 95.0 % is not > 95
    certainty(row({ 60: 19 }, 1), options).certainty.should.equal('uncertain');
    // 15 events: TotalEvents > 15 needs the pending one
    certainty(row({ 60: 15 }, 1), options).certainty.should.equal('uncertain');
    certainty(row({ 60: 15 }, 0), options).certainty.should.equal('quiet');
    // far from every threshold
    certainty(row({ 60: 5, 30: 5 }, 1), options).certainty.should.equal('quiet');
    // nothing at all yet: one delta cannot make 16
    certainty(row({}, 1), options).certainty.should.equal('quiet');
  });

  it('stats waits for the final row unless nothing is pending', function () {
    const options = { minTotalEvents: 3, minModeCount: null, minBeaconPercent: null, entities: [], method: 'stats', minScore: 0.5 };
    const row = {
      TimeGenerated: '2024-05-08T09:00:00Z',
      LocalIP: 'a',
      GroupFields: ['LocalIP'],
      BinSeconds: 3600,
      DeltaCounts: { 60: 40 },
      TotalEvents: 40,
      Final: false,
    };
    certainty({ ...row, PendingDeltas: 1 }, options).certainty.should.equal('uncertain');
    certainty({ ...row, PendingDeltas: 0 }, options).certainty.should.equal('alert');
  });

  it('notifies a cell once: early alert, then its final row without notify; a restart keeps what was sent', function () {
    const options = { minTotalEvents: 15, minModeCount: null, minBeaconPercent: 95, entities: [] };
    const base = { TimeGenerated: '2024-05-08T09:00:00Z', LocalIP: 'a', GroupFields: ['LocalIP'], BinSeconds: 3600, DeltaCounts: { 60: 30 }, TotalEvents: 30 };
    const early = new EarlyAlerts();
    let gateCalls = 0;
    const gate = () => (gateCalls++, null);
    const first = early.decide({ ...base, Final: false, PendingDeltas: 1 }, options, 'T', gate);
    first.notify.should.be.true();
    should(early.decide({ ...base, Final: false, PendingDeltas: 0 }, options, 'T', gate)).be.null();
    const restarted = new EarlyAlerts();
    restarted.restore(JSON.parse(JSON.stringify(early.snapshot())));
    const final = restarted.decide({ ...base, DeltaCounts: { 60: 31 }, TotalEvents: 31, Final: true }, options, 'T', gate);
    final.result.alert.should.be.true();
    final.notify.should.be.false();
    gateCalls.should.equal(1);
    // a row without Final (certainty off) alerts and notifies as before; the same cell again (a replay) is not told twice
    restarted.decide({ ...base, LocalIP: 'b' }, options, 'T', gate).notify.should.be.true();
    const again = restarted.decide({ ...base }, options, 'T', gate);
    [again.result.alert, again.notify, again.result.row.AlertId].should.eql([true, false, first.result.row.AlertId]);
  });
});
