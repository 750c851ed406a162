import { keyPart, LogRecord } from '../common/records';

/**
 * The histogram's open (window, group) cells, as columns.
 *
 * A record's group (its values of the group fields) is interned once, into
 * an integer id, by a hash table over the values themselves: no key string
 * per record, no object per cell. A cell is an index into typed arrays
 * (window start, total, connections, sums, the first two delta values and
 * their counts, the early-verdict mark); a Map is made only for a third
 * delta value and an object only for the hunt profile's per-cell detail.
 * The cells of a group form a chain, newest first, so a record finds its
 * cell in its group's chain (almost always at its head: records come
 * roughly in time order). Rows are made from the columns only when a cell
 * is emitted; memory is per open cell, freed when its window closes.
 *
 * Groups are equal exactly when `keyOf` of their values is: strings by
 * content, numbers by value (0 = −0, NaN = NaN), null = missing, anything
 * else by its `keyPart` text.
 */

/** Per-cell detail of the hunt profile (bytes field, sub-bins); absent for the rules. */
export interface CellDetail {
  bytes?: Map<number, number>;
  sub?: number[];
  first?: number;
  last?: number;
}

const NONE = -1;
/** columns start with this many places and never shrink below it */
const MIN_PLACES = 64;

/** The smallest power of two ≥ n and ≥ MIN_PLACES. */
function placesFor(n: number): number {
  let places = MIN_PLACES;
  while (places < n) places *= 2;
  return places;
}
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/**
 * Group values come from logs, which an attacker may shape: a seed drawn per
 * process and a final mix (FNV-1a's low bits, which pick the slot, depend only
 * on the low bits of its input) keep crafted values from piling into one probe
 * run. Placement only: rows leave in the order their cells opened, so the
 * output never depends on the seed.
 */
const SEED = (Math.random() * 0x100000000) | 0;

/** murmur3's 32-bit finaliser: every output bit depends on every input bit */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
const float = new Float64Array(1);
const words = new Int32Array(float.buffer);

function hashText(text: string, h: number): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}

/** A hash of one group value, consistent with sameGroupValue. */
function hashValue(v: unknown, h: number): number {
  if (typeof v === 'string') return hashText(v, Math.imul(h ^ 0x73, FNV_PRIME));
  if (typeof v === 'number') {
    if (v !== v) return Math.imul(h ^ 0x4e, FNV_PRIME); // every NaN alike
    if ((v | 0) === v) return Math.imul(Math.imul(h ^ 0x6e, FNV_PRIME) ^ v, FNV_PRIME); // −0 | 0 is 0
    float[0] = v;
    return Math.imul(Math.imul(Math.imul(h ^ 0x66, FNV_PRIME) ^ words[0], FNV_PRIME) ^ words[1], FNV_PRIME);
  }
  if (v === undefined || v === null) return Math.imul(h ^ 0x30, FNV_PRIME);
  return hashText(keyPart(v), Math.imul(h ^ 0x6a, FNV_PRIME));
}

/** Whether two group values fall in one group under keyOf (a is stored: never undefined). */
function sameGroupValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number') return typeof b === 'number' && a !== a && b !== b;
  if (a === null) return b === undefined;
  if (typeof a === 'string' || typeof b === 'string' || typeof b === 'number' || b === null || b === undefined) return false;
  return keyPart(a) === keyPart(b);
}

/** Grows a typed array to `size`, keeping its contents. */
function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/**
 * Interned groups: open addressing (linear probing) over integer ids, the
 * values flat in one array (stride = number of group fields).
 */
class GroupTable {
  /** group values, `fields.length` per id; null for missing */
  readonly values: unknown[] = [];
  hash = new Int32Array(64);
  /** newest open cell of each group */
  head = new Int32Array(64);
  private slots = new Int32Array(128).fill(NONE);
  private readonly free: number[] = [];
  private next = 0;
  private count = 0;

  constructor(private readonly fields: readonly string[]) {}

  /** The id of a record's group, interned when new. */
  idOf(record: LogRecord): number {
    const fields = this.fields;
    let h = FNV_OFFSET ^ SEED;
    for (let i = 0; i < fields.length; i++) h = hashValue(record[fields[i]], h);
    h = mix(h);
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const g = this.slots[s];
      if (g === NONE) return this.insert(record, h, s);
      if (this.hash[g] === h && this.holds(g, record)) return g;
    }
  }

  /** Forgets a group (its last cell closed). */
  remove(g: number): void {
    const mask = this.slots.length - 1;
    let s = this.hash[g] & mask;
    while (this.slots[s] !== g) s = (s + 1) & mask;
    // backward-shift deletion: later entries of the probe run move up, no tombstones
    for (let j = (s + 1) & mask; this.slots[j] !== NONE; j = (j + 1) & mask) {
      const home = this.hash[this.slots[j]] & mask;
      const stays = s <= j ? s < home && home <= j : s < home || home <= j;
      if (stays) continue;
      this.slots[s] = this.slots[j];
      s = j;
    }
    this.slots[s] = NONE;
    const n = this.fields.length;
    for (let i = 0; i < n; i++) this.values[g * n + i] = null;
    this.free.push(g);
    this.count--;
  }

  /**
   * Renumbers the groups 0…count−1 into tables sized for them when at most
   * a quarter of the places are used (after a flood of groups); returns
   * old id → new id, or null when nothing moved.
   */
  shrinkIfSparse(): Int32Array | null {
    if (this.hash.length <= MIN_PLACES || this.count * 4 > this.hash.length) return null;
    const n = this.fields.length;
    const to = new Int32Array(this.next).fill(NONE);
    const places = placesFor(this.count * 2);
    const hash = new Int32Array(places);
    const head = new Int32Array(places);
    const values: unknown[] = [];
    let id = 0;
    for (let s = 0; s < this.slots.length; s++) {
      const g = this.slots[s];
      if (g === NONE) continue;
      to[g] = id;
      hash[id] = this.hash[g];
      head[id] = this.head[g];
      for (let i = 0; i < n; i++) values.push(this.values[g * n + i]);
      id++;
    }
    this.hash = hash;
    this.head = head;
    this.values.length = 0;
    for (let i = 0; i < values.length; i++) this.values.push(values[i]);
    this.free.length = 0;
    this.next = id;
    this.slots = new Int32Array(placesFor(id * 2)).fill(NONE);
    const mask = this.slots.length - 1;
    for (let g = 0; g < id; g++) {
      let slot = hash[g] & mask;
      while (this.slots[slot] !== NONE) slot = (slot + 1) & mask;
      this.slots[slot] = g;
    }
    return to;
  }

  clear(): void {
    this.values.length = 0;
    this.slots.fill(NONE);
    this.free.length = 0;
    this.next = 0;
    this.count = 0;
  }

  private holds(g: number, record: LogRecord): boolean {
    const fields = this.fields;
    const base = g * fields.length;
    for (let i = 0; i < fields.length; i++) if (!sameGroupValue(this.values[base + i], record[fields[i]])) return false;
    return true;
  }

  private insert(record: LogRecord, h: number, slot: number): number {
    const g = this.free.length > 0 ? (this.free.pop() as number) : this.next++;
    if (g >= this.hash.length) {
      this.hash = grown(this.hash, this.hash.length * 2);
      this.head = grown(this.head, this.head.length * 2);
    }
    this.hash[g] = h;
    this.head[g] = NONE;
    const fields = this.fields;
    for (let i = 0; i < fields.length; i++) this.values[g * fields.length + i] = record[fields[i]] ?? null;
    this.slots[slot] = g;
    if (++this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    return g;
  }

  private rehash(size: number): void {
    const old = this.slots;
    this.slots = new Int32Array(size).fill(NONE);
    const mask = size - 1;
    for (let i = 0; i < old.length; i++) {
      const g = old[i];
      if (g === NONE) continue;
      let s = this.hash[g] & mask;
      while (this.slots[s] !== NONE) s = (s + 1) & mask;
      this.slots[s] = g;
    }
  }
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
    const k0 = this.k0[cell], k1 = this.k1[cell];
    let text: string;
    if (d === 1) text = `{"${k0}":${this.c0[cell]}}`;
    else if (d === 2 && k0 < k1) text = `{"${k0}":${this.c0[cell]},"${k1}":${this.c1[cell]}}`;
    else text = '{' + this.deltaPairs(cell).sort((a, b) => a[0] - b[0]).map(([k, c]) => `"${k}":${c}`).join(',') + '}';
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
      const older = this.older[c], newer = this.newer[c];
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
  return a === b || (a !== a && b !== b);
}
