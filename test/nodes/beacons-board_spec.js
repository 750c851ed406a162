'use strict';
/** The board behind the "Beacons" sidebar: which rows it keeps, how it bounds itself, what clears it. */
const should = require('should');
const { BeaconsBoard } = require('../../dist/plugins/beacons-board.js');

const row = (src, dst, bin, extra = {}) => ({
  TimeGenerated: bin, LocalIP: src, RemoteIP: dst, RemotePortNumber: 443,
  MostFrequentTimeDeltaCount: 50, MostFrequentTimeDeltainSeconds: 60, TotalEvents: 52, BeaconPercent: 96.2,
  histogram: { 60: 50, 61: 2 }, ...extra,
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
    board.list().map((g) => g.state).should.eql(['suppressed', 'near', 'near', 'alert']);
    const alert = board.list()[3];
    alert.fields.should.eql([['LocalIP', '10.0.0.1'], ['RemoteIP', '1.1.1.1'], ['RemotePortNumber', '443']]);
    alert.histogram.should.eql([[60, 50], [61, 2]]);
    should(alert.final).be.null();
  });

  it('follows a group across bins: one line, its time line in bin order, first and last seen, Final when given', function () {
    const board = new BeaconsBoard();
    board.offer('s1', row('10.0.0.1', '1.1.1.1', '2024-01-01T02:00:00Z', { TotalEvents: 30, Final: false }), true);
    board.offer('s1', row('10.0.0.1', '1.1.1.1', '2024-01-01T01:00:00Z', { TotalEvents: 20 }), true);
    board.offer('s1', row('10.0.0.1', '1.1.1.1', '2024-01-01T02:00:00Z', { TotalEvents: 60, Final: true }), true);
    const [g] = board.list();
    board.list().length.should.equal(1);
    g.timeline.should.eql([['2024-01-01T01:00:00Z', 20], ['2024-01-01T02:00:00Z', 60]]);
    g.firstSeen.should.equal('2024-01-01T01:00:00Z');
    g.lastSeen.should.equal('2024-01-01T02:00:00Z');
    g.final.should.be.true();
  });

  it('is bounded: the newest groups, bins and histogram bars', function () {
    const board = new BeaconsBoard(3, 2, 2);
    for (let i = 0; i < 10; i++) board.offer('s1', row(`10.0.0.${i}`, '1.1.1.1', 'a', { histogram: { 1: 1, 2: 5, 3: 9 } }), true);
    for (const bin of ['b', 'c', 'd']) board.offer('s1', row('10.0.0.9', '1.1.1.1', bin), true);
    board.list().map((g) => g.fields[0][1]).should.eql(['10.0.0.9', '10.0.0.8', '10.0.0.7']);
    board.list()[0].timeline.map(([b]) => b).should.eql(['c', 'd']);
    board.list()[1].histogram.should.eql([[2, 5], [3, 9]]);
  });

  it('clears one scorer (a reset it passed on) or everything', function () {
    const board = new BeaconsBoard();
    board.offer('s1', row('10.0.0.1', '1.1.1.1', 'a'), true);
    board.offer('s2', row('10.0.0.1', '1.1.1.1', 'a'), true);
    board.clear('s1').should.be.true();
    board.list().map((g) => g.scorer).should.eql(['s2']);
    board.clear().should.be.true();
    board.list().should.eql([]);
  });

  it('ignores what is not a row', function () {
    const board = new BeaconsBoard();
    for (const bad of [null, 'text', 42, [1, 2]]) board.offer('s1', bad, true).should.be.false();
    board.list().should.eql([]);
  });
});
