/**
 * A jitter band over intervals (seconds): from a lower edge to the edge a
 * ±seconds or ±percent tolerance around its centre reaches, whichever is
 * wider. The scorer's window method counts the densest such band; the alert
 * texts draw the same band, so what is coloured is what was counted.
 */

/**
 * The upper edge of a jitter band whose lower edge is `start`: width
 * 2·`seconds`, or for a percent band the edge whose centre c has
 * start = c·(1−p) and upper = c·(1+p); the wider of the two.
 */
export function bandUpper(start: number, seconds: number, percent: number): number {
  const p = percent / 100;
  return Math.max(start + 2 * seconds, p > 0 && p < 1 ? (start * (1 + p)) / (1 - p) : start);
}

/**
 * The densest band over a histogram of (interval, count) pairs, zero
 * intervals left out: its edges (the lowest and highest interval inside)
 * and how many intervals it holds; the lowest such band on a tie, as the
 * scorer picks it. Null for an empty histogram.
 */
export function densestBand(
  pairs: ReadonlyArray<readonly [number, number]>,
  seconds: number,
  percent: number,
): { lo: number; hi: number; count: number } | null {
  const sorted = pairs.filter(([d, c]) => d > 0 && c > 0).sort((a, b) => a[0] - b[0]);
  let best: { lo: number; hi: number; count: number } | null = null;
  for (let i = 0; i < sorted.length; i++) {
    const upper = bandUpper(sorted[i][0], seconds, percent);
    let count = 0;
    let j = i;
    for (; j < sorted.length && sorted[j][0] <= upper; j++) count += sorted[j][1];
    if (best === null || count > best.count) best = { lo: sorted[i][0], hi: sorted[j - 1][0], count };
  }
  return best;
}
