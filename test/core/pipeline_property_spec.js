'use strict';
/**
 * Property: the core chain (filter → delta → port filter → histogram →
 * scorer) gives every scored group of the KQL batch oracle, on small random
 * tables built to hit the edges: ties on identical timestamps, sub-second
 * times either side of a second and of an hour boundary, several
 * destinations per source, IPv6, invalid and private addresses, prefixes,
 * port 0 and missing ports, missing bytes, and arrival in any order within
 * the lateness.
 */
const fc = require('fast-check');
const should = require('should');
const { DeltaTracker, newDeltaOutput } = require('../../dist/core/delta/delta');
const { HistogramAggregator, newHistogramOutput } = require('../../dist/core/histogram');
const { scoreRow } = require('../../dist/core/scorer/scorer');
const { kqlPublicDropReason } = require('../../dist/core/common/address');
const oracle = require('../oracle/kql-batch');

const HOUR_EDGE = Date.UTC(2024, 4, 8, 11, 0, 0);

const recordArb = fc.record(
  {
    offset: fc.integer({ min: -60, max: 60 }),
    fraction: fc.constantFrom(0, 0, 0.1, 0.5, 0.9, 0.9999999),
    LocalIP: fc.constantFrom('10.0.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.10', '', undefined),
    RemoteIP: fc.constantFrom(
      '8.8.8.8',
      '8.8.8.8',
      '9.9.9.9',
      '52.1.2.3',
      '10.0.0.10',
      '2001:db8::1',
      'bad',
      '',
      undefined,
      '1.1.1.1/24',
      '172.16.5.5/8',
      '192.168.1.1/16',
    ),
    RemotePortNumber: fc.constantFrom(443, 443, 80, 8080, 0, undefined),
    SentBytes: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
    ReceivedBytes: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
    lag: fc.integer({ min: 0, max: 120 }),
  },
  { requiredKeys: ['offset', 'fraction', 'lag'] },
);

function toRecord(a) {
  const ms = HOUR_EDGE + a.offset * 1000;
  const whole = new Date(ms).toISOString().slice(0, 19);
  const r = { TimeGenerated: `${whole}.${String(Math.round(a.fraction * 1e7)).padStart(7, '0')}Z` };
  for (const k of ['LocalIP', 'RemoteIP', 'RemotePortNumber', 'SentBytes', 'ReceivedBytes']) if (a[k] !== undefined) r[k] = a[k];
  return r;
}

function coreChain(records, minDelta) {
  const delta = new DeltaTracker({
    keyFields: ['LocalIP'],
    timeField: 'TimeGenerated',
    tieFields: ['RemoteIP', 'RemotePortNumber'],
    latenessSeconds: 300,
    deltaField: 'TimeDeltainSeconds',
    nextTimeField: 'nextTimeGenerated',
  });
  const hist = new HistogramAggregator({
    binSeconds: 3600,
    groupFields: ['LocalIP', 'RemoteIP', 'RemotePortNumber'],
    minDelta,
    sumFields: ['SentBytes', 'ReceivedBytes'],
    closeAfterSeconds: 86400,
    timeField: 'TimeGenerated',
    deltaField: 'TimeDeltainSeconds',
    nextTimeField: 'nextTimeGenerated',
  });
  const d = newDeltaOutput();
  for (const r of records) if (kqlPublicDropReason(r.RemoteIP) === null) delta.add(r, d);
  delta.flush(d);
  should(d.late).be.empty();
  const h = newHistogramOutput();
  for (const r of d.released) if (r.RemotePortNumber !== 0) hist.add(r, h);
  hist.flush(h);
  const options = { minTotalEvents: null, minModeCount: null, minBeaconPercent: null, entities: [['IPCustomEntity', 'RemoteIP']] };
  return h.rows.map((row) => scoreRow(row, options).row);
}

const canonical = (rows) => rows.map((r) => JSON.stringify(r)).sort();

describe('core pipeline equals the KQL oracle on edge-case tables (property)', function () {
  it('every scored group, every column, any arrival order within the lateness', function () {
    let groups = 0;
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 120, size: 'large' }), fc.constantFrom(0, 0, 10), (items, minDelta) => {
        // arrival order: event order perturbed by up to 120 s of lag (< 300 s lateness)
        const arrival = items.map((a, i) => ({ a, key: a.offset + a.fraction + a.lag, i })).sort((x, y) => x.key - y.key || x.i - y.i);
        const records = arrival.map((e) => toRecord(e.a));
        const expected = oracle.beaconQuery(
          records.map((r) => ({ ...r })),
          {
            allRows: true,
            source: 'LocalIP',
            dest: 'RemoteIP',
            port: 'RemotePortNumber',
            minDelta,
            portNotZero: true,
            groups: ['LocalIP', 'RemoteIP', 'RemotePortNumber'],
            minTotal: 0,
            minMode: null,
            minPercent: 0,
            entities: [['IPCustomEntity', 'RemoteIP']],
          },
        );
        const got = coreChain(
          records.map((r) => ({ ...r })),
          minDelta,
        );
        should(canonical(got)).deepEqual(canonical(expected));
        groups += expected.length;
      }),
      { numRuns: 2000, seed: 424242 },
    );
    groups.should.be.above(2000);
  });
});
