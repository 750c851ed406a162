'use strict';
/**
 * quietByTotal decides "below the TotalEvents threshold" without making the
 * scored row, for a scorer whose misses nobody reads. It must never say
 * quiet where scoreRow alerts, and must fail exactly where scoreRow fails.
 */
const fc = require('fast-check');
const should = require('should');
const path = require('path');
const { quietByTotal, scoreRow, WIREDATA_SCORER } = require(path.join(__dirname, '..', '..', 'dist', 'core', 'scorer', 'scorer'));
const { EarlyAlerts } = require(path.join(__dirname, '..', '..', 'dist', 'core', 'scorer', 'early-alerts'));

const countValue = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 30 }), weight: 20 }, fc.constantFrom(-1, NaN, Infinity, '3', null, 1.5));
const row = fc.record(
  {
    TimeGenerated: fc.constant('2024-01-01T10:00:00Z'),
    LocalIP: fc.constant('10.0.0.1'),
    RemoteIP: fc.constantFrom('8.8.8.8', '9.9.9.9'),
    TotalEvents: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 40 }), weight: 5 }, fc.constantFrom(undefined, '12', NaN, 15, 16)),
    DeltaCounts: fc.oneof(
      {
        arbitrary: fc.dictionary(fc.oneof({ arbitrary: fc.integer({ min: 0, max: 100 }).map(String), weight: 20 }, fc.constantFrom('x', '1e400')), countValue, {
          maxKeys: 5,
        }),
        weight: 10,
      },
      fc.constantFrom(null, 'text', 7),
    ),
    GroupFields: fc.constant(['LocalIP', 'RemoteIP']),
    Final: fc.constantFrom(undefined, true),
  },
  { requiredKeys: ['TimeGenerated', 'DeltaCounts'] },
);
const options = fc.record({
  minTotalEvents: fc.constantFrom(15, 0, null),
  minModeCount: fc.constantFrom(null, 5),
  minBeaconPercent: fc.constantFrom(95, 80, null),
  entities: fc.constant([['IPCustomEntity', 'RemoteIP']]),
  method: fc.constantFrom(undefined, 'kql', 'kql', 'window', 'stats'),
  strobePerHour: fc.constantFrom(undefined, null, null, 600),
});

const outcome = (f) => {
  try {
    return { value: f() };
  } catch (err) {
    return { error: String(err.message) };
  }
};

describe('quietByTotal: a miss known without scoring', function () {
  it('says quiet only where scoreRow finds no alert, and fails exactly where scoreRow fails', function () {
    let quiet = 0;
    fc.assert(
      fc.property(fc.oneof({ arbitrary: row, weight: 10 }, fc.anything({ maxDepth: 1 })), options, (input, opts) => {
        const fast = outcome(() => quietByTotal(input, opts));
        const full = outcome(() => scoreRow(input, opts));
        if (fast.error !== undefined) {
          should(full.error).equal(fast.error);
          return;
        }
        if (fast.value) {
          quiet++;
          should(full.error).be.undefined();
          full.value.alert.should.be.false();
          full.value.failed.should.containEql(`TotalEvents > ${opts.minTotalEvents}`);
        }
      }),
      { numRuns: 3000 },
    );
    // the property was exercised, not vacuous (96–155 of the 3,000 runs came out quiet in 16 runs of this test)
    quiet.should.be.above(30);
  });

  it('leaves a final row to decide() when an early alert of its cell waits for it', function () {
    const early = new EarlyAlerts();
    const cell = { TimeGenerated: '2024-01-01T10:00:00Z', LocalIP: '10.0.0.1', RemoteIP: '8.8.8.8', GroupFields: ['LocalIP', 'RemoteIP'], BinSeconds: 3600 };
    const alerted = early.decide({ ...cell, DeltaCounts: { 60: 20 }, TotalEvents: 20, Final: false, PendingDeltas: 0 }, WIREDATA_SCORER, 't', () => null);
    alerted.notify.should.be.true();
    // its final row came out below threshold (disorder beyond lateness): decide() must see it to count the contradiction
    const final = { ...cell, DeltaCounts: { 60: 3 }, TotalEvents: 3, Final: true };
    early.quietWithoutScoring(final, WIREDATA_SCORER).should.be.false();
    early.quietWithoutScoring({ ...final, RemoteIP: '9.9.9.9' }, WIREDATA_SCORER).should.be.true();
    early.quietWithoutScoring({ ...final, Final: false, PendingDeltas: 0 }, WIREDATA_SCORER).should.be.false();
  });
});
