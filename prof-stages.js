const { benchRecords } = require('./tools/bench');
const { DeltaTracker, newDeltaOutput, WIREDATA_DELTA } = require('./core/delta');
const { HistogramAggregator, newHistogramOutput, WIREDATA_HISTOGRAM } = require('./core/histogram');
const { kqlPublicDropReason } = require('./core/address');
const { scoreRow, WIREDATA_SCORER } = require('./core/scorer');
const N = +(process.argv[2] || 200000);
const base = benchRecords(N);
const now = () => process.hrtime.bigint();
for (let run = 0; run < 5; run++) {
  const rs = JSON.parse(JSON.stringify(base));
  global.gc && gc();
  const T = { filter: 0n, delta: 0n, hist: 0n, score: 0n };
  const delta = new DeltaTracker({ ...WIREDATA_DELTA, latenessSeconds: 300 });
  const hist = new HistogramAggregator({ ...WIREDATA_HISTOGRAM, closeAfterSeconds: 86400 });
  let rows = 0, released = 0;
  for (let i = 0; i < rs.length; i += 1000) {
    const batch = rs.slice(i, i + 1000);
    let t = now();
    const keep = [];
    for (const r of batch) if (kqlPublicDropReason(r.RemoteIP) === null) keep.push(r);
    let u = now(); T.filter += u - t; t = u;
    const d = newDeltaOutput();
    for (const r of keep) delta.add(r, d);
    u = now(); T.delta += u - t; t = u;
    const h = newHistogramOutput();
    for (const r of d.released) hist.add(r, h);
    released += d.released.length;
    u = now(); T.hist += u - t; t = u;
    for (const row of h.rows) scoreRow(row, WIREDATA_SCORER);
    rows += h.rows.length;
    u = now(); T.score += u - t;
  }
  console.log(Object.entries(T).map(([k, v]) => `${k} ${(Number(v) / N).toFixed(0)} ns/rec`).join('  '), 'rows', rows, 'released', released);
}
