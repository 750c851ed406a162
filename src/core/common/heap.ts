/** A binary min-heap under a comparison function. */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    let i = items.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop() as T;
    if (items.length > 0) {
      items[0] = last;
      this.topChanged();
    }
    return top;
  }

  /** Restores the order after the top item's own ordering value grew (a merged run moved to its next event). */
  topChanged(): void {
    const items = this.items;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1,
        r = l + 1;
      let m = i;
      if (l < items.length && this.less(items[l], items[m])) m = l;
      if (r < items.length && this.less(items[r], items[m])) m = r;
      if (m === i) break;
      [items[i], items[m]] = [items[m], items[i]];
      i = m;
    }
  }

  clear(): void {
    this.items.length = 0;
  }

  toArray(): T[] {
    return this.items.slice();
  }
}
