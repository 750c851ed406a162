import { LogRecord } from '../common/records';
import { GroupTable, grown, MIN_PLACES, NONE, placesFor } from './group-table';

/**
 * The histogram's open (window, group) cells, as columns.
 *
 * A record's group is interned once, into an integer id (group-table.ts):
 * no key string per record, no object per cell. A cell is an index into typed arrays
 * (window start, total, connections, sums, the first two delta values and
 * their counts, the early-verdict mark); a Map is made only for a third
 * delta value and an object only for the hunt profile's per-cell detail.
 * The cells of a group form a chain, newest first, so a record finds its
 * cell in its group's chain (almost always at its head: records come
 * roughly in time order). Rows are made from the columns only when a cell
 * is emitted; memory is per open cell, freed when its window closes.
 */

/** Per-cell detail of the hunt profile (bytes field, sub-bins); absent for the rules. */
export interface CellDetail {
  bytes?: Map<number, number>;
  sub?: number[];
  first?: number;
  last?: number;
}

/**
 * Open (window, group) cells as columns. Column arrays are replaced when
 * they grow: read them through the store after any call that opens a cell.
 */
export class CellStore {
  /** window start → its cells in the order they opened (the order rows leave in) */
  readonly bins = new Map<number, number[]>();
  start = new Float64Array(64);
  group = new Int32Array(64);
  total = new Float64Array(64);
  connections = new Float64Array(64);
  /** `sumCount` per cell */
  sums: Float64Array;
  /** the first two distinct delta values and their counts; `distinct` of them in all */
  k0 = new Float64Array(64);
  c0 = new Float64Array(64);
  k1 = new Float64Array(64);
  c1 = new Float64Array(64);
  distinct = new Int32Array(64);
  /** early row sent: 1 with a delta pending, 2 complete */
  early = new Uint8Array(64);
  /** counts of the third and later delta values, in the order seen (Maps by cell: a sparse array would fall into dictionary mode) */
  private readonly rest = new Map<number, Map<number, number>>();
  /** the hunt profile's per-cell detail, by cell */
  readonly detail = new Map<number, CellDetail>();
  /** the next-older and next-newer cell of the same group */
  private older: Int32Array = new Int32Array(64);
  private newer: Int32Array = new Int32Array(64);
  private readonly groups: GroupTable;
  private readonly free: number[] = [];
  private next = 0;
  /** open cells */
  size = 0;

  constructor(
    private readonly groupFields: readonly string[],
    private readonly sumCount: number,
  ) {
    this.groups = new GroupTable(groupFields);
    this.sums = new Float64Array(64 * sumCount);
  }

  /** The cell of a record's group in the window starting at `start`, opened (zeroed) when new; `opened` tells which. */
  cellOf(record: LogRecord, start: number): number {
    const g = this.groups.idOf(record);
    for (let c = this.groups.head[g]; c !== NONE; c = this.older[c]) {
      if (this.start[c] === start) {
        this.opened = false;
        return c;
      }
    }
    return this.open(g, start);
  }

  /** Whether the last cellOf opened a new cell. */
  opened = false;

  /** The group values of a cell, in group-field order (a new array). */
  groupValues(cell: number): unknown[] {
    const n = this.groupFields.length;
    const base = this.group[cell] * n;
    return this.groups.values.slice(base, base + n);
  }

  /** One group value of a cell. */
  groupValue(cell: number, field: number): unknown {
    return this.groups.values[this.group[cell] * this.groupFields.length + field];
  }

  /** Adds one count of a delta value. */
  countDelta(cell: number, delta: number): void {
    const d = this.distinct[cell];
    if (d > 0 && sameDelta(this.k0[cell], delta)) this.c0[cell]++;
    else if (d > 1 && sameDelta(this.k1[cell], delta)) this.c1[cell]++;
    else this.setCount(cell, delta, (this.rest.get(cell)?.get(delta) ?? 0) + 1);
  }

  /** Sets the count of a delta value (restore; a new value goes last). */
  setCount(cell: number, delta: number, count: number): void {
    const d = this.distinct[cell];
    if (d > 0 && sameDelta(this.k0[cell], delta)) this.c0[cell] = count;
    else if (d > 1 && sameDelta(this.k1[cell], delta)) this.c1[cell] = count;
    else if (d === 0) [this.k0[cell], this.c0[cell], this.distinct[cell]] = [delta, count, 1];
    else if (d === 1) [this.k1[cell], this.c1[cell], this.distinct[cell]] = [delta, count, 2];
    else {
      let rest = this.rest.get(cell);
      if (!rest) this.rest.set(cell, (rest = new Map()));
      rest.set(delta, count);
      this.distinct[cell] = 2 + rest.size;
    }
  }

  /** [delta, count] pairs in the order the values were first seen. */
  deltaPairs(cell: number): Array<[number, number]> {
    const d = this.distinct[cell];
    const pairs: Array<[number, number]> = [];
    if (d > 0) pairs.push([this.k0[cell], this.c0[cell]]);
    if (d > 1) pairs.push([this.k1[cell], this.c1[cell]]);
    const rest = d > 2 ? this.rest.get(cell) : undefined;
    if (rest) for (const pair of rest) pairs.push(pair);
    return pairs;
  }

  /**
   * The counts as `{ "<value>": count }` in ascending value order (a row's
   * DeltaCounts), made by JSON.parse of the text: setting `o["600"] = n` on
   * a new object makes V8 allocate dense elements for indices 0…600 (about
   * 5 KB and microseconds per row), while the JSON parser keeps sparse
   * integer keys in a dictionary. Same object, same keys.
   */
  deltaCounts(cell: number): Record<string, number> {
    const d = this.distinct[cell];
    const k0 = this.k0[cell],
      k1 = this.k1[cell];
    let text: string;
    if (d === 1) text = `{"${k0}":${this.c0[cell]}}`;
    else if (d === 2 && k0 < k1) text = `{"${k0}":${this.c0[cell]},"${k1}":${this.c1[cell]}}`;
    else
      text =
        '{' +
        this.deltaPairs(cell)
          .sort((a, b) => a[0] - b[0])
          .map(([k, c]) => `"${k}":${c}`)
          .join(',') +
        '}';
    return JSON.parse(text) as Record<string, number>;
  }

  /** Takes a window's cells out of the bins; their columns stay readable until release(). */
  takeBin(start: number): number[] {
    const cells = this.bins.get(start) ?? [];
    this.bins.delete(start);
    return cells;
  }

  /** Frees cells taken with takeBin (their groups too, when it was their last cell). */
  release(cells: readonly number[]): void {
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i];
      const g = this.group[c];
      const older = this.older[c],
        newer = this.newer[c];
      if (newer !== NONE) this.older[newer] = older;
      else this.groups.head[g] = older;
      if (older !== NONE) this.newer[older] = newer;
      if (this.groups.head[g] === NONE) this.groups.remove(g);
      if (this.distinct[c] > 2) this.rest.delete(c);
      if (this.detail.size > 0) this.detail.delete(c);
      this.free.push(c);
      this.size--;
    }
    this.shrinkIfSparse();
  }

  /**
   * After a flood has passed: when at most a quarter of the columns' places
   * hold open cells, the cells are renumbered in window order into columns
   * sized for them (and the groups likewise), so memory follows the open
   * cells, not their peak. Cell numbers change: callers hold none across calls.
   */
  private shrinkIfSparse(): void {
    if (this.start.length <= MIN_PLACES || this.size * 4 > this.start.length) return;
    const places = placesFor(this.size * 2);
    const to = new Int32Array(this.next).fill(NONE);
    let n = 0;
    for (const cells of this.bins.values()) {
      for (let i = 0; i < cells.length; i++) {
        to[cells[i]] = n;
        cells[i] = n++;
      }
    }
    const move = <T extends Float64Array | Int32Array | Uint8Array>(a: T, stride = 1): T => {
      const b = new (a.constructor as new (size: number) => T)(places * stride);
      for (let c = 0; c < to.length; c++) {
        const d = to[c];
        if (d !== NONE) for (let k = 0; k < stride; k++) b[d * stride + k] = a[c * stride + k];
      }
      return b;
    };
    const link = (a: Int32Array): Int32Array => {
      const b = move(a);
      for (let c = 0; c < n; c++) if (b[c] !== NONE) b[c] = to[b[c]];
      return b;
    };
    this.start = move(this.start);
    this.group = move(this.group);
    this.total = move(this.total);
    this.connections = move(this.connections);
    this.sums = move(this.sums, this.sumCount);
    this.k0 = move(this.k0);
    this.c0 = move(this.c0);
    this.k1 = move(this.k1);
    this.c1 = move(this.c1);
    this.distinct = move(this.distinct);
    this.early = move(this.early);
    this.older = link(this.older);
    this.newer = link(this.newer);
    for (const map of [this.rest, this.detail] as Array<Map<number, unknown>>) {
      const entries = [...map];
      map.clear();
      for (const [c, v] of entries) map.set(to[c], v);
    }
    this.free.length = 0;
    this.next = n;
    const heads = this.groups.head;
    for (let c = 0; c < n; c++) if (this.newer[c] === NONE) heads[this.group[c]] = c; // each group's newest cell
    const groupTo = this.groups.shrinkIfSparse();
    if (groupTo) for (let c = 0; c < n; c++) this.group[c] = groupTo[this.group[c]];
  }

  clear(): void {
    this.bins.clear();
    this.groups.clear();
    this.rest.clear();
    this.detail.clear();
    this.free.length = 0;
    this.next = 0;
    this.size = 0;
  }

  private open(g: number, start: number): number {
    const c = this.free.length > 0 ? (this.free.pop() as number) : this.next++;
    if (c >= this.start.length) this.grow(this.start.length * 2);
    this.start[c] = start;
    this.group[c] = g;
    this.total[c] = 0;
    this.connections[c] = 0;
    for (let i = 0; i < this.sumCount; i++) this.sums[c * this.sumCount + i] = 0;
    this.distinct[c] = 0;
    this.early[c] = 0;
    const head = this.groups.head[g];
    this.older[c] = head;
    this.newer[c] = NONE;
    if (head !== NONE) this.newer[head] = c;
    this.groups.head[g] = c;
    let cells = this.bins.get(start);
    if (!cells) this.bins.set(start, (cells = []));
    cells.push(c);
    this.size++;
    this.opened = true;
    return c;
  }

  private grow(size: number): void {
    this.start = grown(this.start, size);
    this.group = grown(this.group, size);
    this.total = grown(this.total, size);
    this.connections = grown(this.connections, size);
    this.sums = grown(this.sums, size * this.sumCount);
    this.k0 = grown(this.k0, size);
    this.c0 = grown(this.c0, size);
    this.k1 = grown(this.k1, size);
    this.c1 = grown(this.c1, size);
    this.distinct = grown(this.distinct, size);
    this.early = grown(this.early, size);
    this.older = grown(this.older, size);
    this.newer = grown(this.newer, size);
  }
}

/** Map's SameValueZero on delta values: NaN equals NaN, 0 equals −0. */
function sameDelta(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}
