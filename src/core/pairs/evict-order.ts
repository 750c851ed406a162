/**
 * Orders for an eviction pass, in typed arrays: which of the candidates a
 * pass takes, as a full sort would take them, without sorting them all or
 * holding them in JS arrays. A pass under a byte cap reads millions of rows
 * and takes the few it needs: the one-shot pairs by a selection of the k
 * oldest, the repeated ones in batches of the most doubtful, each batch
 * selected and then sorted.
 */

/** below this many elements a range is sorted instead of partitioned further */
const SMALL = 16;

/**
 * The k-th smallest (0-based) of the first n values, found by partitioning
 * `values` in place (its order is lost). Three-way partitions, so long runs
 * of equal times cost one round; a range that does not shrink fast enough
 * is sorted instead (no quadratic case).
 */
export function kthSmallest(values: Float64Array, n: number, k: number): number {
  if (!(k >= 0 && k < n)) throw new Error(`internal: the ${k}th of ${n} values`);
  let lo = 0;
  let hi = n; // exclusive
  let rounds = 0;
  const limit = 2 * (32 - Math.clz32(n)) + 8;
  while (hi - lo > SMALL) {
    if (++rounds > limit) {
      const rest = values.subarray(lo, hi).sort();
      return rest[k - lo];
    }
    const a = values[lo];
    const b = values[(lo + hi) >>> 1];
    const c = values[hi - 1];
    const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c)); // the median of three
    // [lo, lt) < pivot, [lt, i) = pivot, (gt, hi) > pivot
    let lt = lo;
    let i = lo;
    let gt = hi - 1;
    while (i <= gt) {
      const v = values[i];
      if (v < pivot) {
        values[i++] = values[lt];
        values[lt++] = v;
      } else if (v > pivot) {
        values[i] = values[gt];
        values[gt--] = v;
      } else i++;
    }
    if (k < lt) hi = lt;
    else if (k > gt) lo = gt + 1;
    else return pivot;
  }
  const rest = values.subarray(lo, hi).sort();
  return rest[k - lo];
}

/**
 * Candidates in a strict total order (`before(a, b) < 0`: a comes first),
 * handed out in sorted batches: each batch is the next `size` candidates,
 * selected from the rest (partitioned in place) and then sorted, so a pass
 * that stops early never sorts the candidates it does not reach. The order
 * handed out is the full sort's.
 */
export class OrderedBatches {
  private readonly order: Uint32Array;
  private at = 0;

  constructor(
    readonly n: number,
    private readonly before: (a: number, b: number) => number,
  ) {
    this.order = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
  }

  get done(): boolean {
    return this.at >= this.n;
  }

  /** The next (up to) `size` candidates in order, as a view valid until the next call. */
  next(size: number): Uint32Array {
    const from = this.at;
    const to = Math.min(this.n, from + Math.max(1, Math.floor(size)));
    if (to < this.n) this.select(from, this.n, to - 1);
    const batch = this.order.subarray(from, to);
    batch.sort(this.before);
    this.at = to;
    return batch;
  }

  /** Partitions order[lo, hi) so that order[k] is the element a sort would put there, smaller before it, larger after. */
  private select(lo: number, hi: number, k: number): void {
    const o = this.order;
    const cmp = this.before;
    let rounds = 0;
    const limit = 2 * (32 - Math.clz32(hi - lo)) + 8;
    while (hi - lo > SMALL) {
      if (++rounds > limit) break;
      // median of three as the pivot, moved to the end
      const m = (lo + hi) >>> 1;
      const l = hi - 1;
      if (cmp(o[m], o[lo]) < 0) swap(o, m, lo);
      if (cmp(o[l], o[lo]) < 0) swap(o, l, lo);
      if (cmp(o[l], o[m]) < 0) swap(o, l, m);
      swap(o, m, l);
      const pivot = o[l];
      let store = lo;
      for (let i = lo; i < l; i++) {
        if (cmp(o[i], pivot) < 0) swap(o, i, store++);
      }
      swap(o, store, l);
      if (k < store) hi = store;
      else if (k > store) lo = store + 1;
      else return;
    }
    // small (or a range that did not shrink fast enough): sorted, which places every element
    o.subarray(lo, hi).sort(cmp);
  }
}

function swap(o: Uint32Array, i: number, j: number): void {
  const t = o[i];
  o[i] = o[j];
  o[j] = t;
}
