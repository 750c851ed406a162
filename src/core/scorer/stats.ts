/**
 * The statistics of RITA v5's beacon score (activecm/rita `analysis/beacons.go`),
 * ported so its unit-test vectors hold exactly: quartiles as
 * montanaflynn/stats computes them, Bowley skewness, median absolute
 * deviation over the median, the 24-bar connection histogram (coefficient of
 * variation or bimodal fit) and the duration score. Inputs are value → count
 * histograms (what the histogram node keeps), expanded where order matters.
 */

import { bandUpper } from '../common/jitter-band';

// the band's edge is shared with the alert texts, which draw the band the window method counted
export { bandUpper };

/** Median of sorted xs[from … to) (mean of the middle two when even). */
function medianSorted(xs: ArrayLike<number>, from = 0, to = xs.length): number {
  const n = to - from;
  if (n === 0) return NaN;
  const mid = from + (n >> 1);
  return n % 2 === 1 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/**
 * The values in ascending order: themselves when already so (expanded
 * counts are), else a sorted copy. A typed array sorts numbers natively,
 * several times faster than a comparator; a scoring sorts every row's
 * intervals and sizes three times over.
 */
function ascending(values: readonly number[]): ArrayLike<number> {
  for (let i = 1; i < values.length; i++) if (values[i - 1] > values[i]) return Float64Array.from(values).sort();
  return values;
}

/** montanaflynn/stats Quartile: medians of the lower and upper halves, the middle element left out when n is odd. */
export function quartiles(values: readonly number[]): { q1: number; q2: number; q3: number } {
  const xs = ascending(values);
  const n = xs.length;
  const c1 = n % 2 === 0 ? n / 2 : (n - 1) / 2;
  const c2 = n % 2 === 0 ? n / 2 : c1 + 1;
  return { q1: medianSorted(xs, 0, c1), q2: medianSorted(xs), q3: medianSorted(xs, c2, n) };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** 1 − |Bowley skewness|; the skewness counts only when the quartiles are spread (RITA PR #69). */
export function bowleyScore(values: readonly number[]): number {
  const { q1, q2, q3 } = quartiles(values);
  const den = q3 - q1;
  const skew = den >= 10 && q2 !== q1 && q2 !== q3 ? (q1 + q3 - 2 * q2) / den : 0;
  return 1 - Math.abs(skew);
}

/** (median − MAD) / median, clamped to [0, 1]; `fallback` when the median is below 1. */
export function madScore(values: readonly number[], fallback: number): number {
  const xs = ascending(values);
  const median = medianSorted(xs);
  if (!(median >= 1)) return fallback;
  const deviations = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) deviations[i] = Math.abs(xs[i] - median);
  const mad = medianSorted(deviations.sort());
  const score = (median - mad) / median;
  return Number.isFinite(score) && score > 0 ? score : 0;
}

/** RITA calculateStatisticalScore: the mean of the skew and MAD scores, to 3 decimals. */
export function statisticalScore(values: readonly number[], madFallback: number): number {
  return round3((bowleyScore(values) + madScore(values, madFallback)) / 2);
}

/** Expands a value → count histogram ({"60": 3}) into the values, ascending. */
export function expandCounts(counts: Record<string, number> | Map<number, number>): number[] {
  const entries: Array<[number, number]> = counts instanceof Map ? [...counts] : Object.keys(counts).map((k) => [Number(k), counts[k]]);
  entries.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [value, count] of entries) for (let i = 0; i < count; i++) out.push(value);
  return out;
}

/**
 * RITA getTimestampScore over the intervals between connections: zero
 * intervals are left out; needs at least 3 non-zero intervals (4
 * connections). Null when there are too few.
 */
export function timestampScore(deltas: readonly number[]): number | null {
  const nonZero = deltas.filter((d) => d !== 0);
  if (nonZero.length < 3) return null;
  return statisticalScore(nonZero, 1);
}

/** RITA getDataSizeScore over bytes per connection: at least 3 values; MAD score 0 below a median of 1. */
export function dataSizeScore(bytes: readonly number[]): number | null {
  if (bytes.length < 3) return null;
  return statisticalScore(bytes, 0);
}

export interface HistogramScoreOptions {
  /** bars per bucket of similar height, as a share of the tallest (RITA histogram_mode_sensitivity 0.05) */
  modeSensitivity: number;
  /** bars left out of the bimodal fit (RITA histogram_bimodal_outlier_removal 1) */
  outlierRemoval: number;
  /** non-empty bars needed for the bimodal fit (RITA histogram_bimodal_min_hours_seen 11) */
  bimodalMinBars: number;
}

export const RITA_HISTOGRAM: HistogramScoreOptions = { modeSensitivity: 0.05, outlierRemoval: 1, bimodalMinBars: 11 };

/**
 * RITA getHistogramScore over connection counts per bar (24 bars over the
 * window): max(1 − coefficient of variation, bimodal fit).
 */
export function histogramScore(bars: readonly number[], options: HistogramScoreOptions = RITA_HISTOGRAM): number {
  const n = bars.length;
  if (n === 0) return 0;
  const mean = bars.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(bars.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  const cv = mean > 0 ? sd / mean : Infinity;
  const cvScore = cv > 1 ? 0 : round3(1 - cv);

  let totalBars = 0;
  let largest = 0;
  for (const b of bars) {
    if (b > 0) totalBars++;
    if (b > largest) largest = b;
  }
  let bimodal = 0;
  const minBars = options.bimodalMinBars < 6 ? 11 : options.bimodalMinBars;
  if (totalBars >= minBars && largest > 0) {
    const width = Math.ceil(largest * options.modeSensitivity);
    const freq = new Map<number, number>();
    for (const b of bars) if (b > 0) freq.set(Math.floor(b / width), (freq.get(Math.floor(b / width)) ?? 0) + 1);
    const sorted = [...freq.values()].sort((a, b) => b - a);
    bimodal = round3(Math.min(1, ((sorted[0] ?? 0) + (sorted[1] ?? 0)) / Math.max(totalBars - options.outlierRemoval, 1)));
  }
  return Math.max(cvScore, bimodal);
}

/**
 * RITA getDurationScore: max(coverage of the window by first→last
 * connection, longest run of non-empty bars (wrapping) / ideal run), capped
 * at 1; 0 when fewer than `minBars` bars are non-empty.
 */
export function durationScore(
  firstSec: number,
  lastSec: number,
  windowStart: number,
  windowEnd: number,
  bars: readonly number[],
  minBars = 6,
  idealRun = 12,
): number {
  const nonEmpty = bars.filter((b) => b > 0).length;
  if (nonEmpty < minBars || windowEnd <= windowStart) return 0;
  const coverage = Math.ceil(((lastSec - firstSec) / (windowEnd - windowStart)) * 1000) / 1000;
  let best = 0;
  let run = 0;
  // twice round the bars, so a run across the end wraps to the start
  for (let i = 0; i < bars.length * 2; i++) {
    run = bars[i % bars.length] > 0 ? run + 1 : 0;
    best = Math.max(best, Math.min(run, bars.length));
  }
  const consistency = Math.ceil((best / idealRun) * 1000) / 1000;
  return Math.min(1, Math.max(coverage, consistency));
}

export interface ScoreWeights {
  timestamp: number;
  dataSize: number;
  duration: number;
  histogram: number;
}

export const RITA_WEIGHTS: ScoreWeights = { timestamp: 0.25, dataSize: 0.25, duration: 0.25, histogram: 0.25 };

/** RITA's overall score: the weighted sum of the four parts, to 3 decimals (weights sum to 1). */
export function combinedScore(parts: ScoreWeights, weights: ScoreWeights = RITA_WEIGHTS): number {
  return round3(
    parts.timestamp * weights.timestamp + parts.dataSize * weights.dataSize + parts.duration * weights.duration + parts.histogram * weights.histogram,
  );
}

/**
 * Flare's grouping, tolerant of jitter: the largest share of intervals inside
 * one band of ±`seconds` or ±`percent` % around its centre (whichever is
 * wider), searched over every band start. Returns the share (0–1) and the
 * band's median interval.
 */
export function windowShare(counts: Map<number, number> | Record<string, number>, seconds: number, percent: number): { share: number; center: number | null } {
  const values = expandCounts(counts).filter((d) => d > 0);
  const n = values.length;
  if (n === 0) return { share: 0, center: null };
  let best = 0;
  let bestLo = 0;
  let hi = 0;
  for (let lo = 0; lo < n; lo++) {
    const upper = bandUpper(values[lo], seconds, percent);
    if (hi < lo) hi = lo;
    while (hi + 1 < n && values[hi + 1] <= upper) hi++;
    if (hi - lo + 1 > best) {
      best = hi - lo + 1;
      bestLo = lo;
    }
  }
  const inBand = values.slice(bestLo, bestLo + best);
  return { share: best / n, center: medianSorted(inBand) };
}
