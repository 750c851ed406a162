import { LogRecord } from '../common/records';
import { isoFromSeconds } from '../common/time';
import { DEFAULT_PERIODICITY, intervalPeriodicity, isPeriodicSeconds, PeriodicityOptions } from '../scorer/periodicity';
import { HuntOptions, PairHistoryOptions, PairVerdict, sizeOfCode, SourceCounts } from './pair-types';

/**
 * What the hunt makes of a pair: its verdict (the periodicity test on its
 * ring), its row for the scorer, and the prevalence of its destination.
 * Read through the store's public face, so the scoring changes without
 * touching how the store lays out its columns.
 */

/** A pair's row besides its key and ring: times in epoch milliseconds. */
export interface PairFacts {
  first: number;
  last: number;
  count: number;
  /** intervals in its ring */
  intervals: number;
  strobe: boolean;
  /** connections on the UTC day of its last one */
  dayCount: number;
}

/** The store as the scoring reads it. */
export interface PairReader {
  readonly options: PairHistoryOptions;
  /** pairs held (rows 0 … size − 1) */
  readonly size: number;
  keyOf(row: number): unknown[];
  keyCode(field: number, row: number): number;
  facts(row: number): PairFacts;
  intervalCounts(row: number): Map<number, number>;
  /** the ring's whole-second intervals (> 0 ms) one by one into `out`; how many */
  intervalSeconds(row: number, out: Float64Array): number;
  /** an array `intervalSeconds` can fill with any ring, reused */
  secondsScratch(): Float64Array;
  sizeCodesOf(row: number): number[];
}

/** The verdict on one pair: a strobe is labelled and not scored; fewer than `minIntervals` intervals is not periodic. */
export function verdictOf(h: PairReader, row: number, periodicity: PeriodicityOptions, minIntervals: number): PairVerdict {
  const f = h.facts(row);
  const counts = f.strobe ? null : h.intervalCounts(row);
  let total = 0;
  if (counts) for (const c of counts.values()) total += c;
  const result = counts && total >= minIntervals ? intervalPeriodicity(counts, periodicity) : null;
  return {
    key: h.keyOf(row),
    connections: f.count,
    intervals: f.intervals,
    forgotten: f.count - 1 - f.intervals,
    firstSeconds: f.first / 1000,
    lastSeconds: f.last / 1000,
    strobe: f.strobe,
    periodicity: result,
    periodic: result !== null && result.periodic,
  };
}

/**
 * Which pairs a release sends a scorer of the periodic method: those that
 * can alert there. A scorer alerts on a periodic pair (p-value at or under
 * its own limit) or on a strobe; a row of anything else only tells it what
 * does not alert, at the price of building, sending and scoring it.
 */
export interface SendOptions {
  /** pairs found periodic at this p-value or under (1: every pair with enough intervals) */
  maxPValue: number;
  /** and pairs at this many connections an hour over their active span or more (the scorer's strobe class, as it reckons it) */
  strobePerHour: number;
}

/**
 * The rows (store indices, ascending) a release from `sinceSeconds` sends:
 * a connection since then and enough intervals (or a strobe label), and,
 * with `send`, only the pairs that can alert.
 */
export function releaseRows(h: PairReader, sinceSeconds: number, minIntervals: number, send: SendOptions | null): Int32Array {
  const since = sinceSeconds * 1000;
  const periodicity = send && send.maxPValue < 1 ? { ...DEFAULT_PERIODICITY, alpha: send.maxPValue } : null;
  const picked: number[] = [];
  const seconds = h.secondsScratch();
  for (let r = 0; r < h.size; r++) {
    const f = h.facts(r);
    if (f.last < since || (!f.strobe && f.intervals < minIntervals)) continue;
    if (f.strobe || !send || !periodicity || strobeRate(h, f) >= send.strobePerHour || isPeriodicSeconds(seconds, h.intervalSeconds(r, seconds), periodicity))
      picked.push(r);
  }
  return Int32Array.from(picked);
}

/** Connections an hour as the scorer reckons them from the row (pairRow's Connections over FirstSeen … LastSeen, at least an hour, at most the horizon). */
function strobeRate(h: PairReader, f: PairFacts): number {
  const span = Math.floor(f.last / 1000) - Math.floor(f.first / 1000);
  const bin = h.options.horizonSeconds;
  return f.count / (Math.min(bin, Math.max(span, Math.min(3600, bin))) / 3600);
}

/** Distinct sources (among all pairs held) of the destinations of `rows`, by destination code; null when prevalence is not counted. */
export function sourceCounts(h: PairReader, rows: number[], p: HuntOptions['prevalence']): SourceCounts | null {
  if (!p) return null;
  const si = h.options.keyFields.indexOf(p.source);
  const di = h.options.keyFields.indexOf(p.destination);
  // checked even with nothing to score: a wrong field would otherwise show only once a pair qualifies
  if (si < 0 || di < 0) throw new Error(`prevalence fields ${p.source}, ${p.destination} must be key fields (${h.options.keyFields.join(', ')})`);
  const sources = new Map<number, Set<number>>();
  for (const r of rows) sources.set(h.keyCode(di, r), new Set());
  if (sources.size > 0) for (let r = 0; r < h.size; r++) sources.get(h.keyCode(di, r))?.add(h.keyCode(si, r));
  const counts: SourceCounts = new Map();
  for (const [d, set] of sources) counts.set(d, set.size);
  return counts;
}

/** Distinct sources of each row's destination among all pairs held; null when prevalence is not counted. */
export function destinationSources(h: PairReader, rows: number[], p: HuntOptions['prevalence']): number[] | null {
  const counts = sourceCounts(h, rows, p);
  if (!counts || rows.length === 0) return null;
  const di = h.options.keyFields.indexOf((p as { destination: string }).destination);
  return rows.map((r) => counts.get(h.keyCode(di, r)) as number);
}

/**
 * A pair as a histogram row, so the scorer node scores it unchanged
 * (periodic method): DeltaCounts of whole seconds, TotalEvents, the key
 * fields, FirstSeen/LastSeen, Connections and the window as the horizon.
 * Size codes become ByteCounts of their step's centre.
 */
export function pairRow(h: PairReader, row: number): LogRecord {
  const o = h.options;
  const f = h.facts(row);
  const deltaCounts = sparseCounts();
  let total = 0;
  // whole-second keys are integer keys: an object lists them in ascending order whatever the order they came in
  for (const [s, c] of h.intervalCounts(row)) {
    deltaCounts[s] = c;
    total += c;
  }
  const out: LogRecord = { TimeGenerated: isoFromSeconds(Math.floor(f.first / 1000)) };
  const key = h.keyOf(row);
  o.keyFields.forEach((field, i) => (out[field] = key[i]));
  out.TotalEvents = total;
  out.DeltaCounts = deltaCounts;
  if (o.bytesField) {
    const bytes = sparseCounts();
    for (const code of h.sizeCodesOf(row)) {
      if (code === 0) continue;
      const size = sizeOfCode(code);
      bytes[size] = (bytes[size] ?? 0) + 1;
    }
    out.ByteCounts = bytes;
  }
  out.FirstSeen = isoFromSeconds(Math.floor(f.first / 1000));
  out.LastSeen = isoFromSeconds(Math.floor(f.last / 1000));
  out.BinSeconds = o.horizonSeconds;
  out.Connections = f.count;
  out.ForgottenIntervals = f.count - 1 - f.intervals;
  if (f.strobe) {
    out.Strobe = true;
    // the scorer's strobe class reads connections per hour of the bin: a day that reached the threshold
    out.BinSeconds = 86400;
    out.Connections = Math.max(f.dayCount, o.strobePerDay);
  }
  out.GroupFields = o.keyFields.slice();
  return out;
}

/** An index far beyond any interval or size: setting and deleting it leaves an object in dictionary mode. */
const FAR = 2 ** 30;

/**
 * An empty object for counts by whole number, in V8's dictionary mode from
 * the start. Filled a key at a time, keys of a few hundred to a few
 * thousand would get a fast array as long as the largest key: ~10 KB for a
 * 900 s poller's intervals instead of ~1.6 KB, and a scoring or a flush
 * holds thousands of rows at once. Same keys, same order either way.
 */
function sparseCounts(): Record<number, number> {
  const counts: Record<number, number> = {};
  counts[FAR] = 0;
  delete counts[FAR];
  return counts;
}
