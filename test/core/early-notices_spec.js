'use strict';
/**
 * The scorer's book of early alerts (core/certainty EarlyAlerts): final rows
 * look a cell up only in windows with an early alert waiting (no cell key
 * made for the others), which must never change a decision: a final row is
 * matched to its own cell's early alert whatever the window's value type,
 * never to another cell's, and the book forgets cells as before (final row,
 * cap, damaged saved state).
 */
const should = require('should');
const { EarlyAlerts } = require('../../dist/core/scorer/early-alerts');

const OPTIONS = { minTotalEvents: 15, minModeCount: null, minBeaconPercent: 95, entities: [] };
const row = (window, ip, extra = {}) => ({
  TimeGenerated: window,
  LocalIP: ip,
  GroupFields: ['LocalIP'],
  BinSeconds: 3600,
  DeltaCounts: { 60: 30 },
  TotalEvents: 30,
  ...extra,
});
const none = () => null;

describe('early alerts: the notices a final row is matched against', () => {
  it('matches a final row to its own cell only, in the same window or another', () => {
    const book = new EarlyAlerts();
    book.decide(row('2024-05-08T09:00:00Z', 'a', { Final: false, PendingDeltas: 0 }), OPTIONS, 'T', none).notify.should.be.true();
    // same window, other cell; other window, same source: each is its own cell, notified
    book.decide(row('2024-05-08T09:00:00Z', 'b', { Final: true }), OPTIONS, 'T', none).notify.should.be.true();
    book.decide(row('2024-05-08T10:00:00Z', 'a', { Final: true }), OPTIONS, 'T', none).notify.should.be.true();
    // its own final row: already notified; the notice is gone, the cell stays notified (a repeat row of it too)
    book.decide(row('2024-05-08T09:00:00Z', 'a', { Final: true }), OPTIONS, 'T', none).notify.should.be.false();
    book.decide(row('2024-05-08T09:00:00Z', 'a', { Final: true }), OPTIONS, 'T', none).notify.should.be.false();
  });

  it('matches windows that are not strings (epoch numbers) too', () => {
    const book = new EarlyAlerts();
    book.decide(row(1715158800000, 'a', { Final: false, PendingDeltas: 0 }), OPTIONS, 'T', none).notify.should.be.true();
    book.decide(row(1715158800000, 'a', { Final: true }), OPTIONS, 'T', none).notify.should.be.false();
  });

  it('a contradicted early alert is counted when its final row is quiet', () => {
    const book = new EarlyAlerts();
    book.decide(row('2024-05-08T09:00:00Z', 'a', { Final: false, PendingDeltas: 0 }), OPTIONS, 'T', none);
    book.decide(row('2024-05-08T09:00:00Z', 'a', { Final: true, TotalEvents: 40, DeltaCounts: { 60: 30, 61: 10 } }), OPTIONS, 'T', none);
    book.counts.contradicted.should.equal(1);
  });

  it('forgets the oldest notices past its cap, and their windows with them', () => {
    const book = new EarlyAlerts(2);
    for (const ip of ['a', 'b', 'c']) book.decide(row('2024-05-08T09:00:00Z', ip, { Final: false, PendingDeltas: 0 }), OPTIONS, 'T', none);
    book.decide(row('2024-05-08T09:00:00Z', 'a', { Final: true }), OPTIONS, 'T', none).notify.should.be.true(); // forgotten
    book.decide(row('2024-05-08T09:00:00Z', 'c', { Final: true }), OPTIONS, 'T', none).notify.should.be.false();
  });

  it('restores notices (a key that is not a cell key is kept, matches nothing, and breaks nothing)', () => {
    const book = new EarlyAlerts();
    book.decide(row('2024-05-08T09:00:00Z', 'a', { Final: false, PendingDeltas: 0 }), OPTIONS, 'T', none);
    const saved = JSON.parse(JSON.stringify(book.snapshot()));
    saved.state.notices.push(['not json', { suppressed: null }]);
    const restored = new EarlyAlerts();
    should(() => restored.restore(saved)).not.throw();
    restored.decide(row('2024-05-08T09:00:00Z', 'a', { Final: true }), OPTIONS, 'T', none).notify.should.be.false();
    restored.decide(row('2024-05-08T09:00:00Z', 'b', { Final: true }), OPTIONS, 'T', none).notify.should.be.true();
  });
});
