/**
 * A periodicity test on the intervals between a pair's connections, made to
 * tell a beacon from random polling whatever its byte sizes.
 *
 * Null hypothesis (random arrivals): the intervals have a non-increasing
 * density. That holds for Poisson arrivals (exponential intervals) at any
 * rate, for any mixture of rates (a diurnal Poisson process, hosts that poll
 * faster by day) and for random traffic mixed into a beacon's pair. Under it,
 * no band of intervals [lo, hi) can hold more than its width's share of the
 * intervals in [0, hi): P(band) / P([0, hi)) ≤ (hi − lo) / hi.
 *
 * A beacon breaks that bound: its intervals pile up around its sleep (one-
 * sided, symmetric or upward jitter moves the pile, does not flatten it), and
 * when callbacks are dropped, around the sleep's multiples, the first pile
 * still standing above an empty stretch. A beacon sharing its destination
 * with random connections keeps the pile of the sleeps no random connection
 * split. Schedules active only part of the day add one long interval per
 * day, above the pile, where it does not matter.
 *
 * The test scans bands on a logarithmic grid of centres for several relative
 * widths, with edges on half seconds (so whole-second intervals never sit on
 * an edge). Each band is compared twice: with everything shorter (k of the n
 * intervals in [0.5 s, hi) fall in the band; P(Bin(n, width / (hi − 0.5)) ≥ k)
 * bounds the chance of that under the null) and with the equally wide
 * stretch just below (k of k + m; P(Bin(k + m, ½) ≥ k)), which finds a
 * beacon among random connections that crowd the short intervals. The
 * smallest tail, times the number of comparisons made
 * (Bonferroni), is the p-value: conservative, deterministic, no sampling.
 * The anchor is the interval view of BAYWATCH's and msticpy's periodograms
 * (a peak that random arrivals cannot make), not their spectral estimate: a
 * periodogram of the times loses a jittered beacon's phase after a few
 * sleeps (Cobalt Strike's jitter is per sleep), the intervals keep it.
 */

export interface PeriodicityOptions {
  /** band centres start here (seconds): shorter intervals are strobes or retries */
  minPeriodSeconds: number;
  /** relative half-widths of the bands scanned (0.1 = ±10 %) */
  halfWidths: readonly number[];
  /** a band is never narrower than ±this many seconds (timestamps rounded to whole seconds) */
  minHalfWidthSeconds: number;
  /** intervals needed in the band */
  minInBand: number;
  /** the p-value at or under which the intervals are periodic */
  alpha: number;
}

export const DEFAULT_PERIODICITY: PeriodicityOptions = {
  minPeriodSeconds: 5,
  // up to ±67 %: one-sided jitter of 80 % spreads sleeps over [0.2 s, s], a band of ±67 % around 0.6 s
  halfWidths: [0.03, 0.1, 0.2, 0.35, 0.67],
  minHalfWidthSeconds: 1,
  minInBand: 6,
  alpha: 0.001,
};

export interface PeriodicityResult {
  /** p-value ≤ alpha and enough intervals in the band */
  periodic: boolean;
  /** Bonferroni-corrected p-value of the best band (1 when none was testable) */
  pValue: number;
  /** the best band's centre (seconds) and bounds, null when none was testable */
  period: number | null;
  band: [number, number] | null;
  /** intervals in the best band, and their share of all intervals */
  inBand: number;
  share: number;
  /** bands scanned (the Bonferroni factor) */
  bands: number;
}

/** ln Γ(x) (Lanczos, g = 7): for binomial coefficients of large n. */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** P(Bin(n, p) ≥ k), summed from k upwards in log space (exact to double precision for the n seen here). */
export function binomialTail(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  const lnN = logGamma(n + 1);
  let term = lnN - logGamma(k + 1) - logGamma(n - k + 1) + k * lp + (n - k) * lq;
  let sum = 0;
  for (let j = k; j <= n; j++) {
    const v = Math.exp(term);
    sum += v;
    if (v < sum * 1e-17) break;
    // term(j+1) = term(j) · (n − j) / (j + 1) · p / q
    term += Math.log((n - j) / (j + 1)) + lp - lq;
  }
  return Math.min(1, sum);
}

/**
 * The periodicity test over intervals given as value → count (a histogram
 * row's DeltaCounts, exact or bucketed). Intervals ≤ 0 are left out.
 */
export function intervalPeriodicity(
  counts: Map<number, number> | Record<string, number>,
  options: PeriodicityOptions = DEFAULT_PERIODICITY,
): PeriodicityResult {
  const entries: Array<[number, number]> = counts instanceof Map ? [...counts] : Object.keys(counts).map((k) => [Number(k), counts[k]]);
  const pairs = entries.filter(([v, c]) => v > 0 && c > 0 && Number.isFinite(v)).sort((a, b) => a[0] - b[0]);
  const values = pairs.map((p) => p[0]);
  // cumulative[i] = intervals with a value below values[i]
  const cumulative = new Array<number>(pairs.length + 1);
  cumulative[0] = 0;
  for (let i = 0; i < pairs.length; i++) cumulative[i + 1] = cumulative[i] + pairs[i][1];
  const total = cumulative[pairs.length];
  const below = (x: number) => cumulative[lowerBound(values, x)];
  const none: PeriodicityResult = { periodic: false, pValue: 1, period: null, band: null, inBand: 0, share: 0, bands: 0 };
  if (total < options.minInBand || values.length === 0) return none;

  const largest = values[values.length - 1];
  let bands = 0;
  let best = { tail: 1, center: 0, lo: 0, hi: 0, k: 0 };
  const consider = (tail: number, center: number, lo: number, hi: number, k: number) => {
    if (tail < best.tail || (tail === best.tail && k > best.k)) best = { tail, center, lo, hi, k };
  };
  for (const h of options.halfWidths) {
    // centres on a logarithmic grid, one step per half-width: neighbouring bands overlap by half
    for (let c = options.minPeriodSeconds; c * (1 - h) <= largest; c *= 1 + h) {
      const half = Math.max(h * c, options.minHalfWidthSeconds);
      // edges on half seconds: whole-second intervals (rounded logs, 1 s buckets) then sit inside, never on an edge
      const lo = Math.floor(c - half) + 0.5;
      const hi = Math.floor(c + half) + 0.5;
      if (lo <= 0.5) continue; // a band from zero has no stretch below it to compare with
      const width = hi - lo;
      const n = below(hi);
      const k = n - below(lo);
      // against everything shorter: the band's share of [0.5 s, hi) bounds its share of the intervals
      bands++;
      if (k >= options.minInBand) consider(binomialTail(n, k, width / (hi - 0.5)), c, lo, hi, k);
      // against the equally wide stretch just below: at most half of the two (finds a beacon among random connections)
      if (lo - width > 0.5) {
        bands++;
        const m = below(lo) - below(lo - width);
        if (k >= options.minInBand) consider(binomialTail(k + m, k, 0.5), c, lo, hi, k);
      }
    }
  }
  if (best.k === 0) return { ...none, bands };
  const pValue = Math.min(1, best.tail * bands);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    periodic: pValue <= options.alpha,
    pValue,
    period: round(best.center),
    band: [round(best.lo), round(best.hi)],
    inBand: best.k,
    share: best.k / total,
    bands,
  };
}

/** First index whose value is ≥ x. */
function lowerBound(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
