import { fieldList, isRecord, LogRecord, RecordError } from '../common/records';
import {
  combinedScore,
  dataSizeScore,
  durationScore,
  expandCounts,
  histogramScore,
  quartiles,
  RITA_WEIGHTS,
  ScoreWeights,
  timestampScore,
  windowShare,
} from './stats';
import { parseEventTime } from '../common/time';
import { DEFAULT_PERIODICITY, intervalPeriodicity } from './periodicity';
import { alertSubject } from '../alert/text';

/**
 * kql: the rules' exact arg_max / percentage; window: the share of intervals
 * in the densest ±seconds/±percent band (Flare, jitter-tolerant); stats: RITA
 * v5's 0–1 score from interval and size dispersion, hourly regularity and
 * duration; periodic: the interval periodicity test (periodicity.ts), which
 * random polling fails whatever its sizes, with the stats parts for context.
 */
export type ScoreMethod = 'kql' | 'window' | 'stats' | 'periodic';

export interface ScorerOptions {
  /** KQL `where TotalEvents > n`; null = not applied */
  minTotalEvents: number | null;
  /** KQL `where MostFrequentTimeDeltaCount > n`; null = not applied */
  minModeCount: number | null;
  /** KQL `where BeaconPercent > p`; null = not applied */
  minBeaconPercent: number | null;
  /** KQL `extend IPCustomEntity = RemoteIP, …`: output name → source field */
  entities: Array<[string, string]>;
  /** default kql */
  method?: ScoreMethod;
  /** window method: band half-width in seconds and in percent of the interval (the wider applies) */
  windowSeconds?: number;
  windowPercent?: number;
  /** stats method: the alert threshold on the 0–1 score (≥) */
  minScore?: number | null;
  /** stats method: weights of the four parts (normalised over the parts a row can give) */
  weights?: ScoreWeights;
  /** periodic method: the p-value at or under which a row's intervals are periodic (default 0.001) */
  maxPValue?: number;
  /** connections per hour at or above which a group is a strobe (its own alert class); null = off */
  strobePerHour?: number | null;
}

export const WIREDATA_SCORER: ScorerOptions = {
  minTotalEvents: 15,
  minModeCount: null,
  minBeaconPercent: 95,
  entities: [['IPCustomEntity', 'RemoteIP']],
};

export interface ScoredRow {
  row: LogRecord;
  alert: boolean;
  /** the thresholds not passed, as KQL text */
  failed: string[];
  /** one line for an e-mail subject or a chat message (alerts only: rows below threshold get '') */
  summary: string;
}

/** Parses "IPCustomEntity=RemoteIP, HostCustomEntity=DeviceName". */
export function parseEntities(text: string): Array<[string, string]> {
  return fieldList(text).map((pair) => {
    const m = /^([A-Za-z_]\w*)\s*=\s*(\S+)$/.exec(pair);
    if (!m) throw new Error(`entity "${pair.slice(0, 40)}" is not of the form Name=Field`);
    return [m[1], m[2]] as [string, string];
  });
}

/**
 * The rules' second summarize and final filters over one histogram row:
 * `arg_max(count_, TimeDeltainSeconds)` (ties: the smallest delta, a
 * documented choice; KQL leaves them arbitrary), `BeaconPercent =
 * count / toreal(total) * 100` in that order in double precision, strict
 * thresholds, then the output row in the KQL column order plus the histogram.
 */
export function scoreRow(input: unknown, options: ScorerOptions, title = 'Beaconing'): ScoredRow {
  if (!isRecord(input)) throw new RecordError('row', input, 'is not an object');
  const counts = input.DeltaCounts;
  if (!isRecord(counts)) throw new RecordError('DeltaCounts', counts, 'is not a histogram object');
  let modeCount = 0;
  let modeDelta: number | null = null;
  let sumOfCounts = 0;
  // Object.keys, not entries: one array per row instead of one per delta value (hot path)
  const deltaTexts = Object.keys(counts);
  for (let i = 0; i < deltaTexts.length; i++) {
    const deltaText = deltaTexts[i];
    const value = counts[deltaText];
    const delta = Number(deltaText);
    checkCount(deltaText, value, delta);
    sumOfCounts += value;
    if (value > modeCount || (value === modeCount && modeDelta !== null && delta < modeDelta)) {
      modeCount = value;
      modeDelta = delta;
    }
  }
  const total = typeof input.TotalEvents === 'number' ? input.TotalEvents : sumOfCounts;
  let percent = total > 0 ? (modeCount / total) * 100 : 0;
  const method = options.method ?? 'kql';
  if (method === 'window') {
    const band = windowShare(counts as Record<string, number>, options.windowSeconds ?? 0, options.windowPercent ?? 0);
    modeCount = Math.round(band.share * sumOfCounts);
    modeDelta = band.center;
    percent = band.share * 100;
  }
  const stats = method === 'stats' || method === 'periodic' ? statsParts(input, counts as Record<string, number>, options.weights ?? RITA_WEIGHTS) : null;
  const binSeconds = typeof input.BinSeconds === 'number' ? input.BinSeconds : 3600;
  // connections, when the histogram counted them all (strobes have intervals under any minimum delta)
  const connections = typeof input.Connections === 'number' ? input.Connections : total;
  const perHour = connections / (activeSeconds(input, binSeconds) / 3600);
  const strobe = options.strobePerHour != null && perHour >= options.strobePerHour;

  const failed: string[] = [];
  if (options.minTotalEvents !== null && !(total > options.minTotalEvents)) {
    failed.push(`TotalEvents > ${options.minTotalEvents}`);
  }
  if (options.minModeCount !== null && !(modeCount > options.minModeCount)) {
    failed.push(`MostFrequentTimeDeltaCount > ${options.minModeCount}`);
  }
  if (options.minBeaconPercent !== null && !(percent > options.minBeaconPercent)) {
    failed.push(`BeaconPercent > ${options.minBeaconPercent}`);
  }
  if (method === 'stats' && stats && options.minScore != null && !((stats.Score ?? 0) >= options.minScore)) failed.push(`Score >= ${options.minScore}`);
  const period = method === 'periodic' ? periodParts(counts as Record<string, number>, options.maxPValue ?? DEFAULT_PERIODICITY.alpha) : null;
  if (period && !(period.PeriodPValue <= (options.maxPValue ?? DEFAULT_PERIODICITY.alpha)))
    failed.push(`PeriodPValue <= ${options.maxPValue ?? DEFAULT_PERIODICITY.alpha}`);

  const groupFields = Array.isArray(input.GroupFields) ? (input.GroupFields as string[]) : [];
  const row: LogRecord = { TimeGenerated: input.TimeGenerated };
  for (const f of groupFields) row[f] = input[f];
  row.MostFrequentTimeDeltaCount = modeCount;
  row.MostFrequentTimeDeltainSeconds = modeDelta;
  row.TotalEvents = total;
  // for-in, not Object.keys: no array per row (a row's keys are its own, plain data)
  for (const k in input) {
    if (k.startsWith('Total') && k !== 'TotalEvents' && Object.hasOwn(input, k)) row[k] = input[k];
  }
  row.BeaconPercent = percent;
  row.timestamp = input.TimeGenerated;
  for (const [name, field] of options.entities) row[name] = input[field];
  row.histogram = counts;
  if (typeof input.Final === 'boolean') row.Final = input.Final; // early (certain) or final row, when the histogram makes early ones
  if (input.AsOf !== undefined) row.AsOf = input.AsOf; // an early row: the event time its verdict was reached at
  if (stats) Object.assign(row, stats);
  if (period) Object.assign(row, period);
  // the window's prevalence count (histogram 'sources per destination'), for the alert gate
  if (typeof input.DestinationSources === 'number') row.DestinationSources = input.DestinationSources;
  // a strobe (extreme rate) is its own alert class, whatever its regularity
  const alert = strobe || failed.length === 0;
  if (method !== 'kql' || options.strobePerHour != null) {
    row.AlertClass = strobe ? 'strobe' : 'beacon';
    row.ConnectionsPerHour = Math.round(perHour * 10) / 10;
    // which figures these are, so every text of the row (console, e-mail, SIEM) reads them alike
    row.Method = method;
    row.BinSeconds = binSeconds;
    // the connections' own span: a long window (the hunt's 7 days) says little of when the pair was active
    if (typeof input.FirstSeen === 'string' && typeof input.LastSeen === 'string') Object.assign(row, { FirstSeen: input.FirstSeen, LastSeen: input.LastSeen });
    if (method === 'window') {
      row.BandSeconds = options.windowSeconds ?? 0;
      row.BandPercent = options.windowPercent ?? 0;
    }
  }
  return { row, alert, failed: alert ? [] : failed, summary: alert ? alertSummary(row, groupFields, title) : '' };
}

/**
 * The time the row's connections were spread over: from its first to its
 * last event when the histogram kept them (a 72 h window of 6 h of traffic
 * is 6 h, not 72), at least an hour (or the whole window when shorter) so
 * a few connections close together are no strobe.
 */
function activeSeconds(input: LogRecord, binSeconds: number): number {
  const first = parseEventTime(input.FirstSeen);
  const last = parseEventTime(input.LastSeen);
  if (!first || !last || !(last.sec >= first.sec)) return binSeconds;
  return Math.min(binSeconds, Math.max(last.sec - first.sec, Math.min(3600, binSeconds)));
}

/** A delta count must be a finite number ≥ 0 under a numeric key (throws the row's error otherwise). */
function checkCount(deltaText: string, value: unknown, delta: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || !Number.isFinite(delta)) {
    throw new RecordError(`DeltaCounts.${deltaText.slice(0, 20)}`, value, 'is not a count');
  }
}

/**
 * Whether `scoreRow` would find the row below the TotalEvents threshold,
 * hence no alert, without making its output row: for a scorer whose
 * below-threshold output is not wired (nothing could read those rows). A
 * row it cannot decide this way (no TotalEvents number, another method
 * than kql, a strobe class set) gives false and goes through scoreRow.
 * It checks the row as scoreRow does and throws the same errors, so bad
 * input is reported alike.
 */
export function quietByTotal(input: unknown, options: ScorerOptions): boolean {
  if (!isRecord(input)) throw new RecordError('row', input, 'is not an object');
  const counts = input.DeltaCounts;
  if (!isRecord(counts)) throw new RecordError('DeltaCounts', counts, 'is not a histogram object');
  const total = input.TotalEvents;
  // the kql method only: the others read more of the row (bytes, sub-bins), which could fail where this does not look
  if ((options.method ?? 'kql') !== 'kql' || options.minTotalEvents === null || options.strobePerHour != null) return false;
  if (typeof total !== 'number' || total > options.minTotalEvents) return false;
  // Object.keys as in scoreRow (same keys, same order, same first error); for-in measured slower on these
  // dictionary-mode objects (190 against 110 ns per row)
  const deltaTexts = Object.keys(counts);
  for (let i = 0; i < deltaTexts.length; i++) checkCount(deltaTexts[i], counts[deltaTexts[i]], Number(deltaTexts[i]));
  return true;
}

/** The stats method's parts for one row: RITA's four scores (the ones the row has data for) and the combined score. */
function statsParts(input: LogRecord, counts: Record<string, number>, weights: ScoreWeights): Record<string, number | null> {
  const deltas = expandCounts(counts);
  const ts = timestampScore(deltas) ?? 0;
  const bytes = isRecord(input.ByteCounts) ? dataSizeScore(expandCounts(input.ByteCounts as Record<string, number>)) : null;
  const bars = Array.isArray(input.SubBinCounts) ? (input.SubBinCounts as number[]) : null;
  const hist = bars ? histogramScore(bars) : null;
  const start = parseEventTime(input.TimeGenerated);
  const first = parseEventTime(input.FirstSeen);
  const last = parseEventTime(input.LastSeen);
  const binSeconds = typeof input.BinSeconds === 'number' ? input.BinSeconds : 3600;
  const dur = bars && start && first && last ? durationScore(first.sec, last.sec, start.sec, start.sec + binSeconds, bars) : null;
  // parts without data leave the sum; the rest are reweighted to sum to 1
  const parts = { timestamp: ts, dataSize: bytes ?? 0, duration: dur ?? 0, histogram: hist ?? 0 };
  const used = {
    timestamp: weights.timestamp,
    dataSize: bytes === null ? 0 : weights.dataSize,
    duration: dur === null ? 0 : weights.duration,
    histogram: hist === null ? 0 : weights.histogram,
  };
  const sum = used.timestamp + used.dataSize + used.duration + used.histogram;
  const normalised =
    sum > 0 ? { timestamp: used.timestamp / sum, dataSize: used.dataSize / sum, duration: used.duration / sum, histogram: used.histogram / sum } : used;
  const nonZero = deltas.filter((d) => d > 0);
  return {
    Score: combinedScore(parts, normalised),
    TimestampScore: ts,
    DataSizeScore: bytes,
    HistogramScore: hist,
    DurationScore: dur,
    MedianIntervalSeconds: nonZero.length ? quartiles(nonZero).q2 : null,
  };
}

/** The periodic method's fields: the best band's centre and share, and the p-value. */
function periodParts(
  counts: Record<string, number>,
  alpha: number,
): { PeriodSeconds: number | null; PeriodShare: number; PeriodPValue: number; PeriodBand: [number, number] | null } {
  const r = intervalPeriodicity(counts, { ...DEFAULT_PERIODICITY, alpha });
  return { PeriodSeconds: r.period, PeriodShare: Math.round(r.share * 1000) / 1000, PeriodPValue: Number(r.pValue.toPrecision(3)), PeriodBand: r.band };
}

/**
 * The group fields of a scorer row, read from its column order (KQL's):
 * the columns between TimeGenerated and MostFrequentTimeDeltaCount. Rows
 * keep the rule's columns only, so this is how a reader of the row alone
 * (the sidebar, a formatter) tells the group from the figures; a group
 * value may be '' (a CEF line without suser), which a text should leave
 * out rather than print empty. Null when the row is not in that order.
 */
export function groupFieldsOf(row: LogRecord): string[] | null {
  const keys = Object.keys(row);
  const from = keys.indexOf('TimeGenerated');
  const to = keys.indexOf('MostFrequentTimeDeltaCount');
  return from === 0 && to > from ? keys.slice(from + 1, to) : null;
}

/** One line for an e-mail subject or a chat message (the text every alert is told in). */
export function alertSummary(row: LogRecord, _groupFields: string[], title = 'Beaconing'): string {
  return alertSubject(row, { title });
}

/** The conditions a scorer applies, worded as its FailedThresholds are: the "why" of an alert's text. */
export function thresholdTexts(options: ScorerOptions): string[] {
  const out: string[] = [];
  const method = options.method ?? 'kql';
  if (options.minTotalEvents !== null) out.push(`TotalEvents > ${options.minTotalEvents}`);
  if (options.minModeCount !== null) out.push(`MostFrequentTimeDeltaCount > ${options.minModeCount}`);
  if (options.minBeaconPercent !== null) out.push(`BeaconPercent > ${options.minBeaconPercent}`);
  if (method === 'stats' && options.minScore != null) out.push(`Score >= ${options.minScore}`);
  if (method === 'periodic') out.push(`PeriodPValue <= ${options.maxPValue ?? DEFAULT_PERIODICITY.alpha}`);
  if (options.strobePerHour != null) out.push(`ConnectionsPerHour >= ${options.strobePerHour} (strobe)`);
  return out;
}
