/**
 * Counts of numeric values (a histogram cell's deltas), flat: most cells
 * see one or two distinct deltas (a beacon has one), so the first two live
 * in the object itself and a Map is made only for a third. About 50 heap
 * bytes for one value instead of ~150 for a Map, and no allocation per
 * count. The subset of Map's interface the histogram uses, insertion order kept.
 */
export class FlatCounts {
  private k0 = 0;
  private c0 = 0;
  private k1 = 0;
  private c1 = 0;
  private rest: Map<number, number> | null = null;
  size = 0;

  static from(pairs: Iterable<readonly [number, number]>): FlatCounts {
    const counts = new FlatCounts();
    for (const [k, c] of pairs) counts.set(k, c);
    return counts;
  }

  /** Adds one to the count of `key`. */
  increment(key: number): void {
    if (this.size > 0 && sameKey(this.k0, key)) this.c0++;
    else if (this.size > 1 && sameKey(this.k1, key)) this.c1++;
    else this.set(key, (this.get(key) ?? 0) + 1);
  }

  get(key: number): number | undefined {
    if (this.size > 0 && sameKey(this.k0, key)) return this.c0;
    if (this.size > 1 && sameKey(this.k1, key)) return this.c1;
    return this.rest?.get(key);
  }

  set(key: number, count: number): this {
    if (this.size > 0 && sameKey(this.k0, key)) this.c0 = count;
    else if (this.size > 1 && sameKey(this.k1, key)) this.c1 = count;
    else if (this.size === 0) [this.k0, this.c0, this.size] = [key, count, 1];
    else if (this.size === 1) [this.k1, this.c1, this.size] = [key, count, 2];
    else {
      this.rest ??= new Map();
      this.rest.set(key, count);
      this.size = 2 + this.rest.size;
    }
    return this;
  }

  keys(): number[] {
    const keys: number[] = [];
    for (const [k] of this) keys.push(k);
    return keys;
  }

  *[Symbol.iterator](): IterableIterator<[number, number]> {
    if (this.size > 0) yield [this.k0, this.c0];
    if (this.size > 1) yield [this.k1, this.c1];
    if (this.rest) yield* this.rest;
  }

  /**
   * The counts as `{ "<value>": count }` in ascending value order (the
   * histogram row's DeltaCounts), made by JSON.parse of the text: setting
   * `o["600"] = n` on a new object makes V8 allocate dense elements for
   * indices 0…600 (about 5 KB and microseconds per row), while the JSON
   * parser keeps sparse integer keys in a dictionary. Same object, same keys.
   */
  toSortedObject(): Record<string, number> {
    let text: string;
    if (this.size === 1) {
      text = `{"${this.k0}":${this.c0}}`;
    } else if (this.size === 2 && this.k0 < this.k1) {
      text = `{"${this.k0}":${this.c0},"${this.k1}":${this.c1}}`;
    } else {
      const pairs = [...this].sort((a, b) => a[0] - b[0]);
      text = '{' + pairs.map(([k, c]) => `"${k}":${c}`).join(',') + '}';
    }
    return JSON.parse(text) as Record<string, number>;
  }
}

/** Map's SameValueZero: NaN equals NaN, 0 equals −0. */
function sameKey(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}
