/**
 * Bytes per entry of a structure, from its growth between two sizes, after a
 * forced GC on each side. Array buffers count too (the histogram's cells are
 * typed arrays, outside the JS heap); they are freed by a background sweeper
 * some time after a GC, so one reading can still count buffers already
 * dropped: the median of several growths is reported. Needs --expose-gc.
 */
const gc = (globalThis as { gc?: () => void }).gc;

const used = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/**
 * Bytes in use once collected: the least of three readings, each after a GC,
 * since buffers the sweeper has not freed yet only ever make a reading higher.
 */
function settled(): number {
  let least = Infinity;
  for (let i = 0; i < 3; i++) {
    gc!();
    least = Math.min(least, used());
  }
  return least;
}

/** Bytes held by what build(n) returns (kept alive until measured). */
function bytesHeld(n: number, build: (n: number) => unknown): number {
  const before = settled();
  const keep = build(n);
  const after = settled();
  void keep;
  return after - before;
}

/** Median over `repeats` of (bytes at b entries − bytes at a entries) / (b − a). */
export function bytesPerEntry(build: (n: number) => unknown, a: number, b: number, repeats = 5): number {
  if (!gc) throw new Error('run with node --expose-gc to measure memory');
  const growths = Array.from({ length: repeats }, () => (bytesHeld(b, build) - bytesHeld(a, build)) / (b - a)).sort((x, y) => x - y);
  return growths[Math.floor(repeats / 2)];
}
