const { benchRecords } = require('./tools/bench');
const { DeltaTracker, newDeltaOutput, WIREDATA_DELTA } = require('./core/delta');
const { HistogramAggregator, newHistogramOutput, WIREDATA_HISTOGRAM } = require('./core/histogram');
const { kqlPublicDropReason } = require('./core/address');
const { scoreRow, WIREDATA_SCORER } = require('./core/scorer');
const N = +(process.argv[2] || 200000);
const base = benchRecords(N);
for (let run = 0; run < 5; run++) {
  const rs = JSON.parse(JSON.stringify(base));
  global.gc && gc();
  const t0 = process.hrtime.bigint();
  const delta = new DeltaTracker({ ...WIREDATA_DELTA, latenessSeconds: 300 });
  const hist = new HistogramAggregator({ ...WIREDATA_HISTOGRAM, closeAfterSeconds: 86400 });
  let alerts = 0;
  for (let i = 0; i < rs.length; i += 1000) {
    const batch = rs.slice(i, i + 1000);
    const keep = [];
    for (const r of batch) if (kqlPublicDropReason(r.RemoteIP) === null) keep.push(r);
    const d = newDeltaOutput();
    for (const r of keep) delta.add(r, d);
    const h = newHistogramOutput();
    for (const r of d.released) hist.add(r, h);
    for (const row of h.rows) if (scoreRow(row, WIREDATA_SCORER).alert) alerts++;
  }
  const d = newDeltaOutput(); delta.flush(d);
  const h = newHistogramOutput(); for (const r of d.released) hist.add(r, h); hist.flush(h);
  for (const row of h.rows) if (scoreRow(row, WIREDATA_SCORER).alert) alerts++;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${(N / s / 1e3).toFixed(0)} k ev/s  ${(s * 1e9 / N).toFixed(0)} ns/rec  alerts ${alerts}`);
}
