'use strict';
require('should');
const { DeltaTracker, newDeltaOutput, WIREDATA_DELTA } = require('../../dist/core/delta/delta');

const at = (s) => new Date(Date.UTC(2024, 0, 1, 10, 0, 0) + s * 1000).toISOString();
const rec = (s, extra = {}) => ({ TimeGenerated: at(s), LocalIP: '10.0.0.1', RemoteIP: '8.8.8.8', RemotePortNumber: 443, ...extra });

function run(records, options = {}) {
  const tracker = new DeltaTracker({ ...WIREDATA_DELTA, ...options });
  const out = newDeltaOutput();
  for (const r of records) tracker.add(r, out);
  tracker.flush(out);
  return { tracker, out };
}

describe('core/delta', function () {
  it('attaches to each event the time to the next event of its key; the last has none', function () {
    const { out } = run([rec(0), rec(60), rec(125)]);
    out.released.map((r) => r.TimeDeltainSeconds).should.eql([60, 65]);
    out.released[0].nextTimeGenerated.should.equal(at(60));
    out.released.map((r) => r.TimeGenerated).should.eql([at(0), at(60)]);
  });

  it('keeps keys apart and interleaves destinations of one key (per-source, as the rules do)', function () {
    const { out } = run([
      rec(0, { RemoteIP: '1.1.1.1' }),
      rec(10, { LocalIP: '10.0.0.2' }),
      rec(30, { RemoteIP: '2.2.2.2' }),
      rec(60, { RemoteIP: '1.1.1.1' }),
      rec(70, { LocalIP: '10.0.0.2' }),
    ]);
    const byKey = (ip) => out.released.filter((r) => r.LocalIP === ip).map((r) => [r.RemoteIP, r.TimeDeltainSeconds]);
    byKey('10.0.0.1').should.eql([
      ['1.1.1.1', 30],
      ['2.2.2.2', 30],
    ]);
    byKey('10.0.0.2').should.eql([['8.8.8.8', 60]]);
  });

  it('pairs per (source, destination, port) when the key lists them', function () {
    const { out } = run(
      [rec(0, { RemoteIP: '1.1.1.1' }), rec(30, { RemoteIP: '2.2.2.2' }), rec(60, { RemoteIP: '1.1.1.1' }), rec(90, { RemoteIP: '2.2.2.2' })],
      {
        keyFields: ['LocalIP', 'RemoteIP', 'RemotePortNumber'],
      },
    );
    out.released
      .map((r) => [r.RemoteIP, r.TimeDeltainSeconds])
      .should.eql([
        ['1.1.1.1', 60],
        ['2.2.2.2', 60],
      ]);
  });

  it('orders ties by the tie fields (missing first, numbers numerically, text ordinally), then arrival', function () {
    const { out } = run([
      rec(0, { RemoteIP: '9.9.9.9', RemotePortNumber: 80, n: 'a' }),
      rec(0, { RemoteIP: '10.0.0.10', RemotePortNumber: 443, n: 'b' }),
      rec(0, { RemoteIP: '10.0.0.10', RemotePortNumber: 80, n: 'c' }),
      rec(0, { RemoteIP: '10.0.0.10', RemotePortNumber: undefined, n: 'd' }),
      rec(0, { RemoteIP: '9.9.9.9', RemotePortNumber: 80, n: 'e' }),
      rec(20, { n: 'z' }),
    ]);
    // "10.0.0.10" < "9.9.9.9" as text; undefined port first; 80 < 443; full tie a/e by arrival
    out.released.map((r) => r.n).should.eql(['d', 'c', 'b', 'a', 'e']);
    out.released.map((r) => r.TimeDeltainSeconds).should.eql([0, 0, 0, 0, 20]);
  });

  it('reorders events that arrive within the lateness', function () {
    const { out } = run([rec(0), rec(100), rec(50), rec(160), rec(130)], { latenessSeconds: 60 });
    out.late.should.be.empty();
    out.released.map((r) => r.TimeDeltainSeconds).should.eql([50, 50, 30, 30]);
  });

  it('sends events further behind than the lateness to the late list, unmerged', function () {
    const tracker = new DeltaTracker({ ...WIREDATA_DELTA, latenessSeconds: 10 });
    const out = newDeltaOutput();
    for (const r of [rec(0), rec(100), rec(200), rec(50, { n: 'late' })]) tracker.add(r, out);
    out.late.map((r) => r.n).should.eql(['late']);
    tracker.counts.late.should.equal(1);
    out.released.map((r) => r.TimeDeltainSeconds).should.eql([100]);
  });

  it('holds events until the watermark passes them by the lateness (event time only)', function () {
    const tracker = new DeltaTracker({ ...WIREDATA_DELTA, latenessSeconds: 30 });
    const out = newDeltaOutput();
    tracker.add(rec(0), out);
    tracker.add(rec(20), out);
    tracker.add(rec(45), out);
    out.released.should.be.empty(); // 0 released at 45 > 30, but it waits for its successor (20, still buffered)
    tracker.bufferedCount.should.equal(2);
    tracker.add(rec(51), out); // horizon 21: 20 released, 0 gets its delta
    out.released.map((r) => r.TimeDeltainSeconds).should.eql([20]);
  });

  it('flush releases the buffer; reset forgets everything', function () {
    const tracker = new DeltaTracker({ ...WIREDATA_DELTA, latenessSeconds: 3600 });
    const out = newDeltaOutput();
    tracker.add(rec(0), out);
    tracker.add(rec(30), out);
    out.released.should.be.empty();
    tracker.flush(out);
    out.released.map((r) => r.TimeDeltainSeconds).should.eql([30]);
    tracker.keyCount.should.equal(1);
    tracker.reset();
    tracker.keyCount.should.equal(0);
    tracker.bufferedCount.should.equal(0);
    const again = newDeltaOutput();
    tracker.add(rec(-500), again); // before the reset this would have been late
    again.late.should.be.empty();
  });

  it('counts second boundaries (KQL datetime_diff), not elapsed time', function () {
    const { out } = run([rec(0.9), rec(11.1)]);
    out.released[0].TimeDeltainSeconds.should.equal(11);
  });

  it('reports records without an object shape or a readable time, and goes on', function () {
    const { out, tracker } = run([rec(0), 'text', null, rec(5, { TimeGenerated: 'soon' }), { LocalIP: '10.0.0.1' }, rec(40)]);
    out.errors.map((e) => e.field).should.eql(['record', 'record', 'TimeGenerated', 'TimeGenerated']);
    out.errors[2].message.should.match(/TimeGenerated is not a timestamp: "soon"/);
    out.released.map((r) => r.TimeDeltainSeconds).should.eql([40]);
    tracker.counts.errors.should.equal(4);
  });

  it('treats a missing key as one key of its own', function () {
    const { out } = run([rec(0, { LocalIP: undefined }), rec(20, { LocalIP: null }), rec(50, { LocalIP: '' })]);
    out.released.map((r) => r.TimeDeltainSeconds).should.eql([20]);
  });

  it('rejects impossible settings', function () {
    (() => new DeltaTracker({ ...WIREDATA_DELTA, latenessSeconds: -1 })).should.throw(/lateness/);
    (() => new DeltaTracker({ ...WIREDATA_DELTA, keyFields: [] })).should.throw(/key field/);
  });
});
