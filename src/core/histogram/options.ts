import { PrevalenceFields } from './prevalence';

/** What the histogram counts and when its bins close, with the rules' presets. */
export interface HistogramOptions {
  /** Bin length in seconds, aligned to the Unix epoch (so 3600 = UTC hours). */
  binSeconds: number;
  /** KQL `summarize … by bin(TimeGenerated, 1h), <groupFields>` */
  groupFields: string[];
  /** Deltas must be strictly greater (KQL `where TimeDeltainSeconds > 10`). */
  minDelta: number;
  /** Fields summed per group, output as Total<field> (KQL `sum(SentBytes)`). */
  sumFields: string[];
  /** A bin closes once the watermark passes its end by this many seconds. */
  closeAfterSeconds: number;
  timeField: string;
  deltaField: string;
  nextTimeField: string;
  /** at most this many (bin, group) cells are open; past it the oldest bin closes early (0 = no cap) */
  maxOpenCells?: number;
  /** KQL `where RemotePortNumber != "0"`: deltas of records whose field is the number 0 are not counted ('' = off) */
  skipZeroField?: string;
  /**
   * Hopping windows: a new window of binSeconds starts every hopSeconds
   * (a divisor of binSeconds), so a pattern straddling a bin edge is whole
   * in one of them. Default (or equal to binSeconds): tumbling bins, as KQL `bin()`.
   */
  hopSeconds?: number;
  /** per (window, group), the count of each value of this field (bytes per connection, for a data-size score) */
  bytesField?: string;
  /** per (window, group), records per 1/n of the window, and the first and last record times (0 = off) */
  subBins?: number;
  /**
   * Jitter tolerance for the exact scorer: deltas are counted in buckets, of
   * a fixed width in seconds (60 s ± 5 s all count as 60 with width 10) or
   * logarithmic, each a given percent wider than the last (10 %: 48…53 s
   * and 53…58 s …); the bucket's representative value is what is counted.
   */
  deltaBucket?: DeltaBucket | null;
  /**
   * Count every record of a group as a connection (`Connections`), also
   * those under the minimum delta, so a strobe (connections every second)
   * is seen even when its tiny intervals are not counted. Off for the rules:
   * a group with only filtered intervals then has no row, as in KQL.
   */
  countConnections?: boolean;
  /**
   * Early verdicts (the live latency contract): once the watermark has
   * passed a window's end by this many seconds, each open cell is emitted
   * early (`Final: false`, `PendingDeltas`), and its final row (`Final: true`)
   * when it closes. Set it to the delta node's lateness; undefined or null = off.
   */
  certainAfterSeconds?: number | null;
  /** the delta node's key fields (needed with certainAfterSeconds; each a group field) */
  certainKeyFields?: string[];
  /** when a window closes, stamp each row with the distinct sources of its destination in the window (prevalence.ts) */
  prevalence?: PrevalenceFields | null;
}

export interface DeltaBucket {
  kind: 'seconds' | 'percent';
  size: number;
}

/** Parses "10s" / "10 s" (fixed width) or "10%" (logarithmic); '' → none. */
export function parseDeltaBucket(text: unknown): DeltaBucket | null {
  const t = String(text ?? '').trim();
  if (t === '') return null;
  const m = /^(\d+(?:\.\d+)?)\s*(s|%)$/.exec(t);
  const size = m ? Number(m[1]) : NaN;
  if (!m || !(size > 0) || (m[2] === '%' && size >= 100)) throw new Error(`delta bucket must be like "10s" or "10%" (under 100), not "${t.slice(0, 20)}"`);
  return { kind: m[2] === 's' ? 'seconds' : 'percent', size };
}

/** The bucket representative of a delta: nearest multiple of the width, or the nearest power of (1 + p) rounded to a whole second. */
export function bucketDelta(delta: number, bucket: DeltaBucket): number {
  if (bucket.kind === 'seconds') return Math.round(delta / bucket.size) * bucket.size;
  if (delta <= 0) return delta;
  const base = Math.log1p(bucket.size / 100);
  return Math.round(Math.exp(Math.round(Math.log(delta) / base) * base));
}

/** ~200 B per open cell (columns, group table and group values; dev/bench --memory-only): 1,000,000 cells stay well inside 1 GB. */
export const DEFAULT_MAX_OPEN_CELLS = 1_000_000;

export const WIREDATA_HISTOGRAM: HistogramOptions = {
  binSeconds: 3600,
  groupFields: ['LocalIP', 'RemoteIP', 'RemotePortNumber'],
  minDelta: 10,
  sumFields: ['SentBytes', 'ReceivedBytes'],
  closeAfterSeconds: 0,
  timeField: 'TimeGenerated',
  deltaField: 'TimeDeltainSeconds',
  nextTimeField: 'nextTimeGenerated',
};
