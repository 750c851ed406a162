'use strict';
/**
 * The one alert text (core/alert/text): over real rows of every example and
 * every score method (test/fixtures/alert-rows.json, captured from the
 * example flows on the sample traffic), the subject fits 120 characters,
 * carries the figures of one method only, leaves empty fields out and
 * words the p-value; the console says the same as the e-mail.
 */
const should = require('should');
const { alertSubject, alertBody, batchSubject, SUBJECT_MAX } = require('../../dist/core/alert/text');
const { alertFacts, pValueWords } = require('../../dist/core/alert/facts');
const { describeAlert } = require('../../dist/run/alert-follower');
const { scoreRow } = require('../../dist/core/scorer/scorer');
const FIXTURE = require('../fixtures/alert-rows.json');

const byMethod = (method) => FIXTURE.filter((r) => alertFacts(r.row).regularity.method === method);
const paloAlto = () => FIXTURE.find((r) => r.example === 'Palo Alto' && r.kind === 'alert').row;

describe('alert text: the subject', function () {
  it('the fixture covers every example, every method, alerts, suppressed rows and near misses', function () {
    new Set(FIXTURE.map((r) => r.example)).should.containDeep(['WireData', 'Palo Alto', 'Zeek conn.log', 'hunt', 'hunt (stats)', 'hunt (kql)']);
    new Set(FIXTURE.map((r) => alertFacts(r.row).regularity.method)).should.containDeep(['kql', 'window', 'periodic', 'stats']);
    new Set(FIXTURE.map((r) => r.kind)).should.containDeep(['alert', 'suppressed', 'near']);
  });

  it('is at most 120 characters for every row, with and without the title, and for every batch', function () {
    const over = [];
    for (const r of FIXTURE) {
      for (const s of [alertSubject(r.row, { title: r.scorer }), alertSubject(r.row)]) if (s.length > SUBJECT_MAX) over.push(s);
    }
    over.should.eql([]);
    const groups = new Map();
    for (const r of FIXTURE) groups.set(`${r.example}|${r.scorer}`, [...(groups.get(`${r.example}|${r.scorer}`) || []), r]);
    for (const rows of groups.values()) {
      const s = batchSubject(
        rows.map((r) => r.row),
        { title: rows[0].scorer },
      );
      s.length.should.be.belowOrEqual(SUBJECT_MAX, s);
      if (rows.length > 1) s.should.endWith(`(+${rows.length - 1} more)`);
      // the title once, never "title: N alert(s); first: title: …"
      s.split(rows[0].scorer).length.should.be.belowOrEqual(2, s);
    }
  });

  it('the scorer topics captured from the examples are the same text and fit', function () {
    const topics = FIXTURE.filter((r) => r.topic);
    topics.length.should.be.above(10);
    for (const r of topics) r.topic.length.should.be.belowOrEqual(SUBJECT_MAX, r.topic);
  });

  it('kql rows: the most frequent interval with its own count and share', function () {
    for (const { row } of byMethod('kql')) {
      const s = alertSubject(row);
      const pct = Math.round(row.BeaconPercent * 10) / 10;
      s.should.containEql(`every ${row.MostFrequentTimeDeltainSeconds} s, ${row.MostFrequentTimeDeltaCount}/${row.TotalEvents} (${pct} %)`);
      s.should.not.match(/~|score|median/);
    }
  });

  it('window rows: the band around the typical interval, its tolerance and the intervals in it', function () {
    const rows = byMethod('window');
    rows.length.should.be.above(0);
    for (const { row } of rows) {
      alertSubject(row).should.containEql(
        `every ~${row.MostFrequentTimeDeltainSeconds} s (±${row.BandPercent} %), ${row.MostFrequentTimeDeltaCount}/${row.TotalEvents}`,
      );
    }
    // the issue's own example, on the hunt's real C2 pair
    const c2 = rows.find((r) => r.row.LocalIP === '10.0.0.7' && r.kind === 'alert').row;
    alertSubject(c2).should.equal('beacon 10.0.0.7 → 185.225.17.0/24:8443 every ~40 s (±10 %), 85/89 in 05-08 00:00–01:00Z');
  });

  it("periodic rows: the band the test found and the intervals in it; never the single most frequent interval's share beside them", function () {
    const rows = byMethod('periodic');
    rows.length.should.be.above(0);
    for (const { row } of rows) {
      const s = alertSubject(row);
      s.should.not.containEql('%');
      s.should.not.match(/\bp\b|e[+-]\d/);
      const m = /every ~(\d+(?:\.\d)?) s \(([\d.]+)–([\d.]+) s\), (\d+)\/(\d+)/.exec(s);
      should.exist(m, s);
      // the period lies inside the band; the count is the band's share of the intervals (PeriodShare), not the mode's (76/535 on the C2 pair)
      Number(m[1]).should.be.within(Number(m[2]), Number(m[3]));
      (Number(m[4]) / Number(m[5])).should.be.approximately(row.PeriodShare, 0.001);
    }
    const c2 = rows.find((r) => r.row.LocalIP === '10.0.0.7' && r.kind === 'alert').row;
    alertSubject(c2).should.containEql('every ~40 s (36.5–44.5 s), 480/535 in 05-05 12:00–05-08 12:00Z');
    // NTP: the e-mail and the console both say ~64 s (the typical interval in the band, not the grid point 63.5 or 65.4)
    const ntp = rows.find((r) => r.row.RemotePortNumber === 123).row;
    alertSubject(ntp).should.match(/every ~64 s/);
  });

  it('stats rows: the median interval and the score, nothing else', function () {
    const rows = byMethod('stats');
    rows.length.should.be.above(0);
    for (const { row } of rows) {
      const s = alertSubject(row);
      s.should.match(/median interval \d+ s, score \d\.\d\d/);
      s.should.not.match(/, \d+\/\d+|%/);
    }
  });

  it('strobes say their rate', function () {
    const counts = {};
    for (let d = 1; d <= 3; d++) counts[d] = 1500;
    const input = {
      TimeGenerated: '2024-05-08T01:00:00Z',
      LocalIP: '10.0.0.9',
      RemoteIP: '52.1.2.3',
      RemotePortNumber: 443,
      TotalEvents: 4500,
      DeltaCounts: counts,
      BinSeconds: 3600,
      GroupFields: ['LocalIP', 'RemoteIP', 'RemotePortNumber'],
    };
    const { row, alert } = scoreRow(input, {
      minTotalEvents: 10,
      minModeCount: null,
      minBeaconPercent: 80,
      entities: [],
      method: 'window',
      windowPercent: 10,
      strobePerHour: 3600,
    });
    alert.should.be.true();
    alertSubject(row).should.equal('strobe 10.0.0.9 → 52.1.2.3:443 4500 connections/h in 05-08 01:00–02:00Z');
  });

  it('leaves empty fields out (a CEF line without suser): no "@", no blank user, no double spaces', function () {
    const row = { ...paloAlto(), SourceUserID: '' };
    const s = alertSubject(row, { title: 'Palo Alto beaconing' });
    s.should.equal('Palo Alto beaconing: beacon 10.0.0.4 → 52.239.1.10:443 via PA-VM every 60 s, 55/55 (100 %) in bin 05-08 00:00Z');
    const body = alertBody(row);
    body.should.not.match(/user/);
    body.should.not.match(/ {2}[,;]|, ,|; ;/);
    alertSubject({ ...row, DeviceName: '' }).should.not.containEql('via');
  });

  it('keeps control characters and long log strings out, and still fits', function () {
    const row = { ...paloAlto(), SourceUserID: 'evil\nuser\r' + 'x'.repeat(200), DeviceName: 'fw-' + 'y'.repeat(150) };
    const s = alertSubject(row, { title: 'Palo Alto beaconing' });
    s.length.should.be.belowOrEqual(SUBJECT_MAX);
    s.should.not.match(/[\r\n]/);
    s.should.match(/every 60 s, 55\/55 \(100 %\)/); // the figures survive the shortening
  });

  it('the console line is the subject (one text everywhere)', function () {
    for (const r of FIXTURE.filter((x) => x.kind === 'alert')) {
      describeAlert('beacon-alerts-hunt.jsonl', r.row).should.endWith(` ${alertSubject(r.row)}`);
    }
    describeAlert('beacon-alerts-wiredata.jsonl', { ...paloAlto(), Final: false, AsOf: '2024-05-08T01:05:00Z' }).should.startWith(
      'ALERT [WireData] (early, as of 2024-05-08T01:05:00Z) beacon ',
    );
  });

  it("the Beacons sidebar's summary line is the subject of the group's latest row", function () {
    const { BeaconsBoard } = require('../../dist/plugins/beacons-board');
    const board = new BeaconsBoard();
    const hunt = FIXTURE.filter((r) => r.example === 'hunt' && r.scorer === 'Beacon hunt' && r.kind === 'alert' && r.row.LocalIP === '10.0.0.7');
    for (const r of hunt) board.offer('scorer-1', r.row, true);
    const card = board.list().find((g) => g.summary.includes('10.0.0.7'));
    card.summary.should.equal(alertSubject(hunt[hunt.length - 1].row));
  });
});

describe('alert text: the body', function () {
  it('says what, who, how regular, since when and why, then the row as JSON', function () {
    const hunt = FIXTURE.find((r) => r.example === 'hunt' && r.scorer === 'Beacon hunt' && r.kind === 'alert').row;
    const body = alertBody(hunt, { title: 'Beacon hunt', thresholds: ['TotalEvents > 10', 'PeriodPValue <= 0.001'] });
    const lines = body.split('\n');
    lines[0].should.equal(alertSubject(hunt, { title: 'Beacon hunt' }));
    for (const label of ['What:', 'Who:', 'How regular:', 'Since when:', 'Why:', 'Chance:']) lines.some((l) => l.startsWith(label)).should.be.true(label);
    body.should.match(/Why: +method: the interval periodicity test.*thresholds: TotalEvents > 10, PeriodPValue <= 0\.001/);
    body.should.match(/alerting since 2024-05-05T12:00:00Z \(72 h\)/);
    JSON.parse(body.slice(body.indexOf('Row:\n') + 5)).should.eql(hunt);
  });

  it('words the p-value, also one that underflowed to 0 (never "p 0.0e+0")', function () {
    pValueWords(0).should.equal('less than 1 in 10^300');
    pValueWords(3.3e-316).should.equal('less than 1 in 10^300');
    pValueWords(2e-5).should.equal('about 1 in 50 thousand');
    pValueWords(4e-8).should.equal('about 1 in 25 million');
    pValueWords(1e-15).should.equal('about 1 in 10^15');
    pValueWords(0.002).should.equal('about 1 in 500');
    for (const { row } of byMethod('periodic')) {
      const body = alertBody(row);
      body.should.match(/Chance: +p (< 1e-300|= [\d.e-]+): the chance that random timing looks this regular is (less than|about) 1 in /);
      body.split('Row:')[0].should.not.match(/e\+0|0\.0e/);
    }
  });

  it('a suppressed row says why it was held back; a near miss says what it failed', function () {
    const suppressed = FIXTURE.find((r) => r.kind === 'suppressed').row;
    alertBody(suppressed).should.match(/What: +a beacon the alert gate held back: allow-list: NTP/);
    alertSubject(suppressed).should.startWith('suppressed beacon ');
    const near = FIXTURE.find((r) => r.kind === 'near').row;
    alertBody(near).should.match(/below threshold \(failed: /);
  });

  it('an AlertId in the row is shown, not computed', function () {
    alertBody({ ...paloAlto(), AlertId: 'pa-1234' }).should.match(/Alert id: +pa-1234/);
    alertBody(paloAlto()).should.not.match(/Alert id/);
    // wherever it sits in the row, it is not taken for a group field
    const first = { AlertId: 'pa-1', ...paloAlto() };
    alertSubject(first).should.equal(alertSubject(paloAlto()));
    alertBody(first).should.not.match(/Who:.*pa-1/);
  });
});
