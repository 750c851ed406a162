'use strict';
const should = require('should');
const { HistogramAggregator, newHistogramOutput, WIREDATA_HISTOGRAM } = require('../../dist/core/histogram');
const { scoreRow, WIREDATA_SCORER, parseEntities, groupFieldsOf } = require('../../dist/core/scorer/scorer');

const HOUR = Date.UTC(2024, 0, 1, 10, 0, 0);
const at = (s) => new Date(HOUR + s * 1000).toISOString();
const delta = (s, d, extra = {}) => ({
  TimeGenerated: at(s),
  nextTimeGenerated: at(s + d),
  TimeDeltainSeconds: d,
  LocalIP: '10.0.0.1',
  RemoteIP: '8.8.8.8',
  RemotePortNumber: 443,
  SentBytes: 10,
  ReceivedBytes: 20,
  ...extra,
});

function histogram(records, options = {}, flush = true) {
  const h = new HistogramAggregator({ ...WIREDATA_HISTOGRAM, ...options });
  const out = newHistogramOutput();
  for (const r of records) h.add(r, out);
  if (flush) h.flush(out);
  return { h, out };
}

describe('core/histogram', function () {
  it('counts each delta per (hour, group), with totals and byte sums', function () {
    const { out } = histogram([delta(0, 60), delta(60, 60), delta(120, 61, { SentBytes: undefined }), delta(180, 5), delta(200, 60, { RemoteIP: '1.1.1.1' })]);
    out.rows.should.have.length(2);
    const row = out.rows.find((r) => r.RemoteIP === '8.8.8.8');
    row.should.containDeep({
      TimeGenerated: '2024-01-01T10:00:00Z',
      LocalIP: '10.0.0.1',
      RemotePortNumber: 443,
      TotalEvents: 3,
      TotalSentBytes: 20,
      TotalReceivedBytes: 60,
    });
    row.DeltaCounts.should.eql({ 60: 2, 61: 1 }); // 5 ≤ 10 is not counted
    Object.keys(row)
      .slice(0, 7)
      .should.eql(['TimeGenerated', 'LocalIP', 'RemoteIP', 'RemotePortNumber', 'TotalEvents', 'TotalSentBytes', 'TotalReceivedBytes']);
  });

  it('puts a delta in the bin of its earlier event, aligned to UTC hours', function () {
    const { out } = histogram([delta(3599, 30), delta(3629, 30)]);
    out.rows
      .map((r) => r.TimeGenerated)
      .sort()
      .should.eql(['2024-01-01T10:00:00Z', '2024-01-01T11:00:00Z']);
  });

  it('minimum delta is exclusive', function () {
    const { out } = histogram([delta(0, 10), delta(10, 11)]);
    out.rows[0].DeltaCounts.should.eql({ 11: 1 });
  });

  it('closes a bin once the watermark passes its end plus the grace, then treats its deltas as late', function () {
    const { h, out } = histogram([delta(0, 60), delta(3000, 640)], { closeAfterSeconds: 60 }, false);
    out.rows.should.be.empty(); // watermark 3640 < 10:00 bin end 3600 + grace 60
    h.add(delta(3001, 659), out); // watermark 3660: the bin closes
    out.rows.map((r) => [r.TimeGenerated, r.TotalEvents]).should.eql([['2024-01-01T10:00:00Z', 3]]);
    h.add(delta(3610, 60), out); // 11:00 bin, open
    const late = delta(100, 30);
    h.add(late, out);
    out.late.should.eql([late]);
    h.counts.late.should.equal(1);
  });

  it('emits each closed bin once, on the watermark or on flush', function () {
    const { out } = histogram([delta(0, 60), delta(7300, 60)], { closeAfterSeconds: 0 }, false);
    out.rows.map((r) => r.TimeGenerated).should.eql(['2024-01-01T10:00:00Z']);
  });

  it('reports records without a numeric delta or time', function () {
    const { out } = histogram([delta(0, 60), { ...delta(0, 60), TimeDeltainSeconds: '60' }, { ...delta(0, 60), TimeGenerated: 'x' }, 7]);
    out.errors.map((e) => e.field).should.eql(['TimeDeltainSeconds', 'TimeGenerated', 'record']);
    out.rows[0].TotalEvents.should.equal(1);
  });

  it('reset discards open bins', function () {
    const h = new HistogramAggregator(WIREDATA_HISTOGRAM);
    const out = newHistogramOutput();
    h.add(delta(0, 60), out);
    h.openCells.should.equal(1);
    h.reset();
    h.flush(out);
    out.rows.should.be.empty();
  });

  it('rejects impossible settings', function () {
    (() => new HistogramAggregator({ ...WIREDATA_HISTOGRAM, binSeconds: 0 })).should.throw(/bin size/);
    (() => new HistogramAggregator({ ...WIREDATA_HISTOGRAM, binSeconds: 1.5 })).should.throw(/bin size/);
    (() => new HistogramAggregator({ ...WIREDATA_HISTOGRAM, closeAfterSeconds: -1 })).should.throw(/close-after/);
  });
});

describe('core/scorer', function () {
  const row = (counts, extra = {}) => ({
    TimeGenerated: '2024-01-01T10:00:00Z',
    LocalIP: '10.0.0.1',
    RemoteIP: '8.8.8.8',
    RemotePortNumber: 443,
    TotalEvents: Object.values(counts).reduce((a, b) => a + b, 0),
    TotalSentBytes: 5,
    TotalReceivedBytes: 6,
    DeltaCounts: counts,
    BinSeconds: 3600,
    GroupFields: ['LocalIP', 'RemoteIP', 'RemotePortNumber'],
    ...extra,
  });

  it('19 of 20 is exactly 95.0 and does not pass > 95; 20 of 20 does', function () {
    const miss = scoreRow(row({ 60: 19, 61: 1 }), WIREDATA_SCORER);
    miss.row.BeaconPercent.should.equal(95);
    miss.alert.should.be.false();
    miss.failed.should.eql(['BeaconPercent > 95']);
    scoreRow(row({ 60: 20 }), WIREDATA_SCORER).alert.should.be.true();
  });

  it('TotalEvents > 15 is strict', function () {
    scoreRow(row({ 60: 15 }), WIREDATA_SCORER).failed.should.eql(['TotalEvents > 15']);
    scoreRow(row({ 60: 16 }), WIREDATA_SCORER).alert.should.be.true();
  });

  it('computes count / toreal(total) * 100 in that order (1/3 → 33.33333333333333)', function () {
    scoreRow(row({ 20: 1, 30: 1, 40: 1 }), WIREDATA_SCORER).row.BeaconPercent.should.equal(33.33333333333333);
  });

  it('breaks arg_max ties by the smallest delta', function () {
    const r = scoreRow(row({ 90: 8, 30: 8, 60: 8 }), WIREDATA_SCORER).row;
    r.MostFrequentTimeDeltaCount.should.equal(8);
    r.MostFrequentTimeDeltainSeconds.should.equal(30);
  });

  it('writes the KQL output row in column order, with entities and the histogram', function () {
    const r = scoreRow(row({ 60: 20 }), { ...WIREDATA_SCORER, entities: parseEntities('IPCustomEntity=RemoteIP, HostCustomEntity=LocalIP') }).row;
    Object.keys(r).should.eql([
      'TimeGenerated',
      'LocalIP',
      'RemoteIP',
      'RemotePortNumber',
      'MostFrequentTimeDeltaCount',
      'MostFrequentTimeDeltainSeconds',
      'TotalEvents',
      'TotalSentBytes',
      'TotalReceivedBytes',
      'BeaconPercent',
      'timestamp',
      'IPCustomEntity',
      'HostCustomEntity',
      'histogram',
    ]);
    r.timestamp.should.equal('2024-01-01T10:00:00Z');
    r.IPCustomEntity.should.equal('8.8.8.8');
    r.histogram.should.eql({ 60: 20 });
  });

  it('applies the Palo Alto mode-count threshold strictly', function () {
    const pa = { minTotalEvents: 30, minModeCount: 25, minBeaconPercent: 80, entities: [] };
    scoreRow(row({ 60: 25, 61: 6 }), pa).failed.should.eql(['MostFrequentTimeDeltaCount > 25']);
    scoreRow(row({ 60: 26, 61: 5 }), pa).alert.should.be.true();
  });

  it('summarises an alert on one line, without control characters from the logs', function () {
    const s = scoreRow(row({ 60: 20 }, { LocalIP: 'evil\nhost' }), WIREDATA_SCORER, 'WireData beaconing').summary;
    s.should.not.match(/\n/);
    s.should.match(/^WireData beaconing: beacon evil host → 8\.8\.8\.8:443 every 60 s, 20\/20 \(100 %\)/);
  });

  it('a row says which columns are its group: a CEF line without suser groups on an empty SourceUserID, which a text can leave out', function () {
    const { LogParser, DEFAULT_PARSER_OPTIONS } = require('../../dist/core/parse/parser');
    const line =
      'CEF:0|Palo Alto Networks|PAN-OS|10.1|end|TRAFFIC|1|rt=May 08 2024 00:00:00 GMT deviceExternalId=1 dvchost=PA-VM src=10.0.0.4 dst=52.239.1.10 dpt=443 cat=end';
    const parsed = new LogParser({ ...DEFAULT_PARSER_OPTIONS, format: 'cef' }).parseLine(line);
    parsed.kind.should.equal('record', parsed.reason);
    const record = parsed.record;
    record.SourceUserID.should.equal('');
    const groups = ['DeviceName', 'SourceUserID', 'SourceIP', 'DestinationIP', 'DestinationPort'];
    const input = {
      TimeGenerated: '2024-05-08T00:00:00Z',
      ...Object.fromEntries(groups.map((f) => [f, record[f]])),
      TotalEvents: 40,
      DeltaCounts: { 60: 40 },
      GroupFields: groups,
    };
    const { row } = scoreRow(input, {
      minTotalEvents: 30,
      minModeCount: 25,
      minBeaconPercent: 80,
      entities: parseEntities('AccountCustomEntity=SourceUserID'),
    });
    groupFieldsOf(row).should.eql(groups);
    row.SourceUserID.should.equal('');
    should(groupFieldsOf({ MostFrequentTimeDeltaCount: 1, TimeGenerated: 'x' })).be.null();
  });

  it('names what is wrong with a row it cannot score', function () {
    (() => scoreRow('x', WIREDATA_SCORER)).should.throw(/row is not an object/);
    (() => scoreRow(row({ 60: 'many' }), WIREDATA_SCORER)).should.throw(/DeltaCounts\.60 is not a count/);
    (() => scoreRow({ TimeGenerated: 'x' }, WIREDATA_SCORER)).should.throw(/DeltaCounts/);
    (() => parseEntities('IPCustomEntity')).should.throw(/Name=Field/);
  });
});
