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

/** ln k! for whole k, as logGamma(k + 1) gives it (the same doubles), kept once computed: the test asks for the same few hundred. */
let logFactorials = new Float64Array(0);
function logFactorial(k: number): number {
  if (k >= logFactorials.length) {
    const grown = new Float64Array(Math.max(k + 1, 2 * logFactorials.length, 512));
    grown.set(logFactorials);
    for (let i = logFactorials.length; i < grown.length; i++) grown[i] = logGamma(i + 1);
    logFactorials = grown;
  }
  return logFactorials[k];
}

/** P(Bin(n, p) ≥ k), summed from k upwards in log space (exact to double precision for the n seen here). */
export function binomialTail(n: number, k: number, p: number): number {
  return boundedTail(n, k, p, Infinity);
}

/**
 * binomialTail, or Infinity as soon as the partial sum exceeds `bound`
 * (terms are never negative, so the tail would too): the test keeps the
 * smallest tail, and most bands lose to the best one after a term or two.
 */
function boundedTail(n: number, k: number, p: number, bound: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  let term = logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * lp + (n - k) * lq;
  let sum = 0;
  for (let j = k; j <= n; j++) {
    const v = Math.exp(term);
    sum += v;
    if (sum > bound) return Infinity;
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
  const none: PeriodicityResult = { periodic: false, pValue: 1, period: null, band: null, inBand: 0, share: 0, bands: 0 };
  const sorted = sortedIntervals(counts, options);
  if (!sorted) return none;
  const grid = gridFor(options, sorted.values[sorted.length - 1]);
  const bands = bandCount(grid, sorted.values[sorted.length - 1]);
  const best = scanBands(sorted, grid, options, Infinity);
  if (best.k === 0) return { ...none, bands };
  const pValue = Math.min(1, best.tail * bands);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    periodic: pValue <= options.alpha,
    pValue,
    period: round(best.center),
    band: [round(best.lo), round(best.hi)],
    inBand: best.k,
    share: best.k / sorted.cumulative[sorted.length],
    bands,
  };
}

/**
 * Whether intervalPeriodicity would find the intervals periodic, at a
 * fraction of its cost: the number of bands is counted first, so every
 * band whose tail exceeds what a periodic verdict allows (alpha / bands)
 * stops at its first term or two instead of being summed out.
 */
export function isPeriodic(counts: Map<number, number> | Record<string, number>, options: PeriodicityOptions = DEFAULT_PERIODICITY): boolean {
  const sorted = sortedIntervals(counts, options);
  return sorted !== null && periodicVerdict(sorted, options);
}

/**
 * isPeriodic on whole-second intervals listed one by one, in any order
 * (a pair history's ring read out): sorted in place, no map, no objects.
 * The same verdict as isPeriodic on their counts; `seconds` is reordered.
 */
export function isPeriodicSeconds(seconds: Float64Array, length: number, options: PeriodicityOptions = DEFAULT_PERIODICITY): boolean {
  const sorted = sortedSeconds(seconds, length, options);
  return sorted !== null && periodicVerdict(sorted, options);
}

function periodicVerdict(sorted: SortedIntervals, options: PeriodicityOptions): boolean {
  const largest = sorted.values[sorted.length - 1];
  const grid = gridFor(options, largest);
  const bands = bandCount(grid, largest);
  // twice the limit: the product below is rounded, the tails are not cut that close (at alpha ≥ 1 every testable band passes)
  const limit = options.alpha >= 1 ? Infinity : (2 * options.alpha) / bands;
  const best = scanBands(sorted, grid, options, limit);
  return best.k > 0 && Math.min(1, best.tail * bands) <= options.alpha;
}

interface SortedIntervals {
  /** distinct interval values, ascending (the first `length`) */
  values: ArrayLike<number>;
  /** cumulative[i] = intervals with a value below values[i] (length + 1 of them) */
  cumulative: ArrayLike<number>;
  length: number;
}

/** The intervals sorted and summed up, or null when too few to test. */
function sortedIntervals(counts: Map<number, number> | Record<string, number>, options: PeriodicityOptions): SortedIntervals | null {
  const entries: Array<[number, number]> = counts instanceof Map ? [...counts] : Object.keys(counts).map((k) => [Number(k), counts[k]]);
  const pairs = entries.filter(([v, c]) => v > 0 && c > 0 && Number.isFinite(v)).sort((a, b) => a[0] - b[0]);
  const values = pairs.map((p) => p[0]);
  const cumulative = new Array<number>(pairs.length + 1);
  cumulative[0] = 0;
  for (let i = 0; i < pairs.length; i++) cumulative[i + 1] = cumulative[i] + pairs[i][1];
  return cumulative[pairs.length] < options.minInBand || values.length === 0 ? null : { values, cumulative, length: values.length };
}

/** Scratch for sortedSeconds: a release tests pairs one after the other, so one set serves them all. */
let scratchValues = new Float64Array(256);
let scratchCumulative = new Float64Array(257);

/** sortedIntervals of intervals listed one by one: the same values and sums, in reused typed arrays. */
function sortedSeconds(seconds: Float64Array, length: number, options: PeriodicityOptions): SortedIntervals | null {
  const list = seconds.subarray(0, length).sort();
  if (scratchValues.length < length) {
    scratchValues = new Float64Array(length);
    scratchCumulative = new Float64Array(length + 1);
  }
  const values = scratchValues;
  const cumulative = scratchCumulative;
  let d = 0;
  let total = 0;
  for (let i = 0; i < length; i++) {
    const v = list[i];
    if (!(v > 0) || !Number.isFinite(v)) continue;
    if (d === 0 || values[d - 1] !== v) {
      cumulative[d] = total;
      values[d++] = v;
    }
    total++;
  }
  cumulative[d] = total;
  return total < options.minInBand || d === 0 ? null : { values, cumulative, length: d };
}

interface Band {
  tail: number;
  center: number;
  lo: number;
  hi: number;
  /** intervals in the band (0: no band was testable) */
  k: number;
}

/**
 * The bands of one half-width in the order scanned, as far out as asked so
 * far: centre, edges, and the logs of the band's share of [0.5 s, hi) that
 * its first comparison needs. They depend on the options alone, so every
 * pair scanned with the same options shares them.
 */
interface BandRow {
  h: number;
  /** the next centre to lay out */
  next: number;
  center: number[];
  lo: number[];
  hi: number[];
  /** ln p and ln(1 − p) of p = width / (hi − 0.5) */
  lp: number[];
  lq: number[];
}

const grids = new Map<string, BandRow[]>();
/** the grid of an options object already seen: a release tests every pair with the same one, and the key string cost more than a scan */
const gridsByOptions = new WeakMap<PeriodicityOptions, BandRow[]>();

/** The band grid of these options, laid out at least as far as `largest`. */
function gridFor(options: PeriodicityOptions, largest: number): BandRow[] {
  const rows = gridsByOptions.get(options);
  if (!rows) return layOut(options, largest);
  for (const row of rows) if (row.next * (1 - row.h) <= largest) return layOut(options, largest);
  return rows;
}

function layOut(options: PeriodicityOptions, largest: number): BandRow[] {
  const key = `${options.minPeriodSeconds}|${options.halfWidths.join(',')}|${options.minHalfWidthSeconds}`;
  let rows = grids.get(key);
  if (!rows) {
    rows = options.halfWidths.map((h) => ({ h, next: options.minPeriodSeconds, center: [], lo: [], hi: [], lp: [], lq: [] }));
    if (grids.size > 16) grids.clear(); // options are a handful in practice; never let odd ones pile up
    grids.set(key, rows);
  }
  for (const row of rows) {
    const h = row.h;
    // centres on a logarithmic grid, one step per half-width: neighbouring bands overlap by half
    for (let c = row.next; c * (1 - h) <= largest; c *= 1 + h) {
      row.next = c * (1 + h);
      const half = Math.max(h * c, options.minHalfWidthSeconds);
      // edges on half seconds: whole-second intervals (rounded logs, 1 s buckets) then sit inside, never on an edge
      const lo = Math.floor(c - half) + 0.5;
      const hi = Math.floor(c + half) + 0.5;
      if (lo <= 0.5) continue; // a band from zero has no stretch below it to compare with
      const p = (hi - lo) / (hi - 0.5);
      row.center.push(c);
      row.lo.push(lo);
      row.hi.push(hi);
      row.lp.push(Math.log(p));
      row.lq.push(Math.log1p(-p));
    }
  }
  gridsByOptions.set(options, rows);
  return rows;
}

/** The comparisons the test makes for intervals up to `largest` (its Bonferroni factor). */
function bandCount(grid: BandRow[], largest: number): number {
  let bands = 0;
  for (const row of grid)
    for (let i = 0; i < row.center.length && row.center[i] * (1 - row.h) <= largest; i++) bands += row.lo[i] - (row.hi[i] - row.lo[i]) > 0.5 ? 2 : 1;
  return bands;
}

const LN_HALF = Math.log(0.5);
const LN1P_HALF = Math.log1p(-0.5);

/**
 * Each band compared with everything shorter and with the stretch below it:
 * the smallest tail (ties: more intervals in the band). Tails above `limit`
 * are not summed out (they cannot be the answer a caller wants). A band
 * holding fewer than `minInBand` intervals is never compared, so the scan
 * jumps over every band that cannot reach that many: the grid has hundreds
 * of bands, a pair's intervals fill a few dozen.
 */
function scanBands({ values, cumulative, length }: SortedIntervals, grid: BandRow[], options: PeriodicityOptions, limit: number): Band {
  const largest = values[length - 1];
  const minInBand = options.minInBand;
  let best: Band = { tail: 1, center: 0, lo: 0, hi: 0, k: 0 };
  let bound = limit;
  // a first term above the bound puts the whole tail above it: checked in log space, with room for rounding, before any exp
  // (at a bound of 0, tails that underflow to 0 still tie on it: those are left to the sum)
  const logOf = (b: number) => (b > 0 ? Math.log(b) + 1e-9 : Infinity);
  let logBound = logOf(bound);
  const consider = (n: number, k: number, p: number, firstTerm: number, center: number, lo: number, hi: number) => {
    if (firstTerm > logBound) return;
    // a tail above the best cannot replace it (a tie can: more in the band wins); below 1 a sum past it stops there
    const tail = boundedTail(n, k, p, bound);
    if (tail < best.tail || (tail === best.tail && k > best.k)) {
      best = { tail, center, lo, hi, k };
      bound = Math.min(tail < 1 ? tail : Infinity, limit);
      logBound = logOf(bound);
    }
  };
  for (const row of grid) {
    // where each edge sits among the values: the edges move a little from one centre to the next, so a walk beats a search
    let atHi = 0;
    let atLo = 0;
    let atBelow = 0;
    const h = row.h;
    const end = row.center.length;
    for (let i = 0; i < end && row.center[i] * (1 - h) <= largest; i++) {
      const lo = row.lo[i];
      const hi = row.hi[i];
      atLo = seek(values, length, atLo, lo);
      const need = cumulative[atLo] + minInBand;
      // the first value the band must reach for minInBand intervals from its lower edge on
      const reach = firstAtLeast(cumulative, atLo + 1, length + 1, need) - 1;
      if (reach >= length) break; // too few intervals left above lo for this band or any later one
      if (hi <= values[reach]) {
        // later bands start no lower, so they need at least as far: skip to the first whose upper edge passes it
        i = firstAbove(row.hi, i + 1, end, values[reach]) - 1;
        continue;
      }
      const width = hi - lo;
      atHi = seek(values, length, atHi, hi);
      const n = cumulative[atHi];
      const k = n - cumulative[atLo];
      // against everything shorter: the band's share of [0.5 s, hi) bounds its share of the intervals
      consider(n, k, width / (hi - 0.5), logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * row.lp[i] + (n - k) * row.lq[i], row.center[i], lo, hi);
      // against the equally wide stretch just below: at most half of the two (finds a beacon among random connections)
      if (lo - width > 0.5) {
        atBelow = seek(values, length, atBelow, lo - width);
        const m = cumulative[atLo] - cumulative[atBelow];
        consider(k + m, k, 0.5, logFactorial(k + m) - logFactorial(k) - logFactorial(m) + k * LN_HALF + m * LN1P_HALF, row.center[i], lo, hi);
      }
    }
  }
  return best;
}

/** The first index whose value is ≥ x, walked to from `at` (either way). */
function seek(values: ArrayLike<number>, length: number, at: number, x: number): number {
  while (at < length && values[at] < x) at++;
  while (at > 0 && values[at - 1] >= x) at--;
  return at;
}

/** The first index in [from, to) whose value is ≥ x (to when none), in ascending values. */
function firstAtLeast(a: ArrayLike<number>, from: number, to: number, x: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index in [from, to) whose value is > x (to when none), in ascending values. */
function firstAbove(a: ArrayLike<number>, from: number, to: number, x: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
