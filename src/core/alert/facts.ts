/**
 * What an alert row says, read once: who (source, user, device →
 * destination, port), how regular (the figures of the one method that
 * decided, never a mix), when, and why. Every alert text and format (the
 * subject, the body, e-mail, chat, ECS, CEF, syslog) is written from these
 * facts, so they cannot disagree. Pure: rows in, plain data out.
 */
export type AlertRow = Record<string, unknown>;
export type Method = 'kql' | 'window' | 'stats' | 'periodic';

/** What the caller knows beyond the row (the scorer's settings); everything else comes from the row. */
export interface AlertContext {
  /** the scorer's title, e.g. "Palo Alto beaconing" */
  title?: string;
  /** the conditions the scorer applies, as it words them ("TotalEvents > 15", "PeriodPValue <= 0.001") */
  thresholds?: string[];
}

/** The figures of the method that decided: each set is internally consistent. */
export type Regularity =
  /** the Sentinel rules: the single most frequent interval and its count */
  | { method: 'kql'; every: number | null; count: number; total: number; percent: number }
  /** a band around the typical interval (Flare): the intervals in it */
  | { method: 'window'; every: number | null; tolerance: string | null; count: number; total: number; percent: number }
  /** the periodicity test: the band it found, the intervals in it, its p-value */
  | { method: 'periodic'; every: number | null; band: [number, number] | null; count: number | null; total: number | null; pValue: number | null }
  /** RITA-style dispersion score: median interval and the 0–1 score */
  | { method: 'stats'; every: number | null; score: number | null }
  /** an extreme connection rate */
  | { method: 'strobe'; perHour: number | null; total: number };

export interface AlertFacts {
  kind: 'beacon' | 'strobe';
  /** alert (on the alert output), suppressed (held back by the alert gate), below (a miss) */
  state: 'alert' | 'suppressed' | 'below';
  title: string | null;
  alertId: string | null;
  source: string | null;
  user: string | null;
  device: string | null;
  destination: string | null;
  /** the destination is a network (e.g. 185.225.17.0/24), not one address */
  destinationIsNetwork: boolean;
  port: string | null;
  /** group fields with no role above, non-empty, as [name, value] */
  others: Array<[string, string]>;
  /** the group fields as written in the row, for formats that keep names */
  group: Array<[string, string]>;
  regularity: Regularity;
  /** the bin or window: start, and end when the row says how long it is */
  start: string | null;
  end: string | null;
  /** how long the pair has been alerting (the alert gate), when it says */
  since: string | null;
  patternHours: number | null;
  /** an early (certain) verdict and the event time it was reached at; null when the row does not say */
  final: boolean | null;
  asOf: string | null;
  suppressed: string | null;
  failed: string[];
  thresholds: string[];
  connectionsPerHour: number | null;
  sentBytes: number | null;
  receivedBytes: number | null;
}

const SOURCE = ['LocalIP', 'SourceIP', 'id.orig_h', 'src', 'SrcAddr', 'ClientIP'];
// a key by name (beacon-resolve) first: it is what the pair was counted by
const DESTINATION = [
  'RemoteKey',
  'DestinationKey',
  'RemoteHostName',
  'DestinationHostName',
  'RemoteNetwork',
  'RemoteIP',
  'DestinationNetwork',
  'DestinationIP',
  'id.resp_h',
  'dst',
  'DstAddr',
  'RemoteDomain',
];
const PORT = ['RemotePortNumber', 'DestinationPort', 'id.resp_p', 'dpt', 'DstPort'];
const USER = ['SourceUserID', 'SourceUserName', 'suser', 'UserName'];
const DEVICE = ['DeviceName', 'Computer', 'dvchost', 'HostName'];

/** Strings from logs are untrusted: no control characters, bounded length. */
export function clean(value: unknown, max = 80): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  const plain = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ').trim();
  return plain.length > max ? plain.slice(0, max - 1) + '…' : plain;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** Columns before the figures that are not the group's (an AlertId may be put first). */
const NOT_GROUP = new Set(['TimeGenerated', 'AlertId', 'timestamp']);

/** The group fields: the columns between TimeGenerated and the figures (the scorer writes them in that order). */
export function groupFields(row: AlertRow): string[] {
  const keys = Object.keys(row);
  const end = keys.indexOf('MostFrequentTimeDeltaCount');
  return keys.slice(0, Math.max(end, 0)).filter((k) => !NOT_GROUP.has(k));
}

/** Which method's figures the row carries (the hunt's rows say; Sentinel-rule rows are kql). */
export function methodOf(row: AlertRow): Method {
  const m = row.Method;
  if (m === 'kql' || m === 'window' || m === 'stats' || m === 'periodic') return m;
  if (num(row.PeriodPValue) !== null) return 'periodic';
  if (num(row.Score) !== null) return 'stats';
  return 'kql';
}

/** The histogram as [interval, count] pairs, intervals > 0, ascending. */
export function histogramPairs(row: AlertRow): Array<[number, number]> {
  const h = row.histogram ?? row.DeltaCounts;
  if (!h || typeof h !== 'object' || Array.isArray(h)) return [];
  const out: Array<[number, number]> = [];
  for (const [k, v] of Object.entries(h as Record<string, unknown>)) {
    const d = Number(k);
    if (Number.isFinite(d) && d > 0 && typeof v === 'number' && v > 0) out.push([d, v]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** Median of the intervals inside [lo, hi), from the histogram: the typical interval of the band a method found. */
function bandMedian(pairs: Array<[number, number]>, lo: number, hi: number): { median: number | null; count: number; total: number } {
  let count = 0;
  let total = 0;
  for (const [d, c] of pairs) {
    total += c;
    if (d >= lo && d < hi) count += c;
  }
  if (count === 0) return { median: null, count, total };
  let seen = 0;
  for (const [d, c] of pairs) {
    if (d < lo || d >= hi) continue;
    seen += c;
    if (seen * 2 >= count) return { median: d, count, total };
  }
  return { median: null, count, total };
}

function regularityOf(row: AlertRow, method: Method, strobe: boolean): Regularity {
  const total = num(row.TotalEvents) ?? 0;
  if (strobe) return { method: 'strobe', perHour: num(row.ConnectionsPerHour), total };
  const every = num(row.MostFrequentTimeDeltainSeconds);
  const count = num(row.MostFrequentTimeDeltaCount) ?? 0;
  const percent = num(row.BeaconPercent) ?? (total > 0 ? (count / total) * 100 : 0);
  switch (method) {
    case 'window': {
      const p = num(row.BandPercent) ?? 0;
      const s = num(row.BandSeconds) ?? 0;
      // the wider of the two tolerances applies (as the window score measures it)
      const tolerance = every !== null && (p > 0 || s > 0) ? ((p / 100) * every >= s ? `±${fmtNumber(p)} %` : `±${fmtNumber(s)} s`) : null;
      return { method, every, tolerance, count, total, percent };
    }
    case 'periodic': {
      const band =
        Array.isArray(row.PeriodBand) && row.PeriodBand.length === 2 && row.PeriodBand.every((x) => num(x) !== null)
          ? (row.PeriodBand as [number, number])
          : null;
      if (!band) return { method, every: num(row.PeriodSeconds), band: null, count: null, total: null, pValue: num(row.PeriodPValue) };
      // the typical interval inside the band the test found (not the grid point it scanned from)
      const inBand = bandMedian(histogramPairs(row), band[0], band[1]);
      const known = inBand.total > 0;
      return {
        method,
        every: inBand.median ?? num(row.PeriodSeconds),
        band,
        count: known ? inBand.count : null,
        total: known ? inBand.total : null,
        pValue: num(row.PeriodPValue),
      };
    }
    case 'stats':
      return { method, every: num(row.MedianIntervalSeconds), score: num(row.Score) };
    default:
      return { method: 'kql', every, count, total, percent };
  }
}

function endOf(start: string | null, seconds: number | null): string | null {
  if (!start || seconds === null || seconds <= 0) return null;
  const ms = Date.parse(start);
  if (Number.isNaN(ms)) return null;
  return new Date(ms + seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** Reads an alert row (any method, any example) into facts. */
export function alertFacts(row: AlertRow, context: AlertContext = {}): AlertFacts {
  const fields = groupFields(row);
  const pick = (names: string[]): [string, string] | null => {
    for (const n of names) if (fields.includes(n) && clean(row[n]) !== '') return [n, clean(row[n])];
    return null;
  };
  const src = pick(SOURCE);
  const dst = pick(DESTINATION);
  const port = pick(PORT);
  const user = pick(USER);
  const device = pick(DEVICE);
  const used = new Set([src, dst, port, user, device].filter((x): x is [string, string] => x !== null).map((x) => x[0]));
  // empty group values (a CEF line without suser) are left out, not printed as blanks
  const others = fields.filter((f) => !used.has(f) && clean(row[f]) !== '').map((f) => [f, clean(row[f])] as [string, string]);
  const strobe = row.AlertClass === 'strobe';
  const failed = Array.isArray(row.FailedThresholds) ? row.FailedThresholds.map((x) => clean(x)) : [];
  const suppressed = clean(row.Suppressed, 200) || null;
  // where the row carries its connections' span, that is when; otherwise the window's start and length
  const seen = str(row.FirstSeen) !== null && str(row.LastSeen) !== null;
  const start = seen ? str(row.FirstSeen) : str(row.TimeGenerated);
  return {
    kind: strobe ? 'strobe' : 'beacon',
    state: suppressed ? 'suppressed' : failed.length > 0 ? 'below' : 'alert',
    title: context.title ? clean(context.title, 60) : null,
    alertId: clean(row.AlertId) || null,
    source: src?.[1] ?? null,
    user: user?.[1] ?? null,
    device: device?.[1] ?? null,
    destination: dst?.[1] ?? null,
    destinationIsNetwork: dst !== null && dst[1].includes('/'),
    port: port?.[1] ?? null,
    others,
    group: fields.map((f) => [f, clean(row[f])] as [string, string]),
    regularity: regularityOf(row, methodOf(row), strobe),
    start,
    end: seen ? str(row.LastSeen) : endOf(start, num(row.BinSeconds)),
    since: str(row.PatternSince),
    patternHours: num(row.PatternHours),
    final: typeof row.Final === 'boolean' ? row.Final : null,
    asOf: str(row.AsOf),
    suppressed,
    failed,
    thresholds: (context.thresholds ?? []).map((t) => clean(t)),
    connectionsPerHour: num(row.ConnectionsPerHour),
    sentBytes: num(row.TotalSentBytes),
    receivedBytes: num(row.TotalReceivedBytes),
  };
}

/** 40 → "40", 40.66 → "40.7", 0.5 → "0.5". */
export function fmtNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const abs = Math.abs(x);
  return abs >= 100 ? String(Math.round(x)) : abs >= 1 ? String(Math.round(x * 10) / 10) : String(Number(x.toPrecision(2)));
}

/** A percentage as people read it: 100 %, 95.5 %, never 100.0 % for 99.96. */
export function fmtPercent(p: number): string {
  const one = Math.round(p * 10) / 10;
  return `${one === 100 && p < 100 ? '99.9' : one === 0 && p > 0 ? '0.1' : fmtNumber(one)} %`;
}

/** Seconds as a period: 40 s, 5 min, 2 h (whole units only; otherwise seconds). */
export function fmtSeconds(s: number): string {
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600} h`;
  if (s >= 600 && s % 60 === 0) return `${s / 60} min`;
  return `${fmtNumber(s)} s`;
}

/**
 * A p-value in words: how likely random timing is to pile intervals up like
 * this. A p-value that underflowed to 0 is "below 1 in 10^300", never 0.
 */
export function pValueWords(p: number): string {
  if (!(p > 0) || !Number.isFinite(1 / p) || p < 1e-300) return 'less than 1 in 10^300';
  if (p >= 0.5) return 'likely (no sign of a period)';
  const odds = 1 / p;
  if (odds < 1000) return `about 1 in ${Math.round(odds)}`;
  if (odds < 1e6) return `about 1 in ${Math.round(odds / 1000)} thousand`;
  if (odds < 1e9) return `about 1 in ${Math.round(odds / 1e6)} million`;
  if (odds < 1e12) return `about 1 in ${Math.round(odds / 1e9)} billion`;
  return `about 1 in 10^${Math.floor(Math.log10(odds))}`;
}
