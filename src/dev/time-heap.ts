/**
 * A binary min-heap of ids by time in typed arrays, for generators that
 * step hundreds of thousands of sources: no comparator call and no object
 * per entry. It sifts exactly as MinHeap does (strict less, left child
 * before right), so a generator moved onto it keeps its order, ties included.
 */
export class TimeHeap {
  private times: Float64Array;
  private ids: Int32Array;
  private n = 0;

  constructor(capacity = 16) {
    this.times = new Float64Array(Math.max(1, capacity));
    this.ids = new Int32Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.n;
  }

  /** the earliest entry's id (undefined when empty) */
  get topId(): number | undefined {
    return this.n > 0 ? this.ids[0] : undefined;
  }

  push(id: number, t: number): void {
    if (this.n === this.times.length) this.grow();
    const { times, ids } = this;
    let i = this.n++;
    times[i] = t;
    ids[i] = id;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!(times[i] < times[parent])) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Moves the earliest entry to its new (later) time and restores the order. */
  retimeTop(t: number): void {
    const { times, n } = this;
    times[0] = t;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && times[l] < times[m]) m = l;
      if (r < n && times[r] < times[m]) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(i: number, j: number): void {
    const { times, ids } = this;
    const t = times[i];
    times[i] = times[j];
    times[j] = t;
    const id = ids[i];
    ids[i] = ids[j];
    ids[j] = id;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    const ids = new Int32Array(this.ids.length * 2);
    times.set(this.times);
    ids.set(this.ids);
    this.times = times;
    this.ids = ids;
  }
}
