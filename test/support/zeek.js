'use strict';
/**
 * Reads the real Zeek conn.log captures in ../shared/datasets (never copied
 * into the project) and maps them to WireData and CommonSecurityLog columns
 * (datasets/README.md). Tests call `datasetsOrSkip` so a fresh clone without
 * ../shared skips them with a printed reason.
 */
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const DATASETS = path.resolve(__dirname, '..', '..', '..', 'shared', 'datasets');

function datasetsOrSkip(ctx) {
  if (!fs.existsSync(DATASETS)) {
    console.log(`      skipped: ${DATASETS} is absent (real Zeek datasets live beside the project, never in it)`);
    ctx.skip();
  }
  return DATASETS;
}

/** The captures, each a list of files read in order. */
function listDatasets() {
  const hourly = fs
    .readdirSync(path.join(DATASETS, 'rita-missing-host'))
    .filter((f) => f.endsWith('.log.gz'))
    .sort()
    .map((f) => path.join('rita-missing-host', f));
  return [
    { name: 'rita-proxy', files: ['rita-proxy/conn.log'] },
    { name: 'rita-missing-host', files: hourly },
    { name: 'stratosphere-001', files: ['stratosphere/001-labeled-conn.log'] },
    { name: 'stratosphere-008', files: ['stratosphere/008-conn.log.labeled'] },
    { name: 'stratosphere-010', files: ['stratosphere/010-conn.log.labeled'] },
    { name: 'stratosphere-011', files: ['stratosphere/011-conn.log.labeled'] },
    { name: 'stratosphere-012', files: ['stratosphere/012-conn.log.labeled'] },
  ].filter((d) => d.files.every((f) => fs.existsSync(path.join(DATASETS, f))));
}

/** The raw text lines of a capture, headers included, as a log shipper would send them. */
function readLines(file) {
  const raw = fs.readFileSync(path.join(DATASETS, file));
  return (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.length > 0);
}

/** Zeek TSV rows as objects keyed by the #fields header, in file order. */
function readZeekTsv(file) {
  let fields = null;
  const rows = [];
  for (const line of readLines(file)) {
    if (line.startsWith('#fields')) fields = line.split('\t').slice(1);
    if (line.startsWith('#') || !fields) continue;
    const values = line.split('\t');
    const row = {};
    fields.forEach((f, i) => (row[f] = values[i]));
    rows.push(row);
  }
  return rows;
}

/** Zeek epoch seconds text ("1517336047.123456") → ISO with 7 digits, without float rounding. */
function isoFromZeekTs(ts) {
  const [whole, frac = ''] = ts.split('.');
  const base = new Date(Number(whole) * 1000).toISOString().slice(0, 19);
  return `${base}.${(frac + '0000000').slice(0, 7)}Z`;
}

const num = (v) => (v === undefined || v === '-' || v === '' ? undefined : Number(v));
const str = (v) => (v === undefined || v === '-' ? undefined : v);

function toWireData(z) {
  const r = {
    TimeGenerated: isoFromZeekTs(z.ts),
    LocalIP: str(z['id.orig_h']),
    LocalPortNumber: num(z['id.orig_p']),
    RemoteIP: str(z['id.resp_h']),
    RemotePortNumber: num(z['id.resp_p']),
    SentBytes: num(z.orig_bytes),
    ReceivedBytes: num(z.resp_bytes),
  };
  for (const k of Object.keys(r)) if (r[k] === undefined) delete r[k];
  return r;
}

function toCommonSecurityLog(z) {
  const w = toWireData(z);
  const r = {
    TimeGenerated: w.TimeGenerated,
    DeviceVendor: 'Palo Alto Networks',
    Activity: 'TRAFFIC',
    DeviceName: 'zeek-sensor',
    SourceUserID: '',
    SourceIP: w.LocalIP,
    SourcePort: w.LocalPortNumber,
    DestinationIP: w.RemoteIP,
    DestinationPort: w.RemotePortNumber,
    SentBytes: w.SentBytes,
    ReceivedBytes: w.ReceivedBytes,
  };
  for (const k of Object.keys(r)) if (r[k] === undefined) delete r[k];
  return r;
}

/** Largest lag (seconds) of a row behind the newest time seen before it: the lateness a replay needs. */
function maxLagSeconds(records) {
  let newest = -Infinity;
  let lag = 0;
  for (const r of records) {
    const t = Date.parse(r.TimeGenerated) / 1000;
    if (t < newest) lag = Math.max(lag, newest - t);
    newest = Math.max(newest, t);
  }
  return Math.ceil(lag) + 1;
}

function loadDataset(d) {
  return d.files.flatMap(readZeekTsv);
}

module.exports = { datasetsOrSkip, listDatasets, loadDataset, readLines, toWireData, toCommonSecurityLog, maxLagSeconds };
