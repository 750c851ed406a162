import { DEFAULT_PERIODICITY, PeriodicityOptions } from '../scorer/periodicity';
import { LogRecord } from '../common/records';
import { makeSnapshot, openSnapshot, Snapshot } from '../common/snapshot';
import { EventTime, readEventTime } from '../common/time';
import { INTERNED_BASE, KeyCodes } from './key-codes';
import { RingPool } from './ring-pool';
import { PairTable, SLOT_BYTES } from './pair-table';
import { destinationSources, PairFacts, pairRow, verdictOf } from './pair-rows';
import { classFor, decodeState, Dense, emptyDense, encodeState, PairHistoryState } from './pair-snapshot';
import {
  checkPairHistoryOptions,
  DEFAULT_HUNT,
  DEFAULT_PAIR_HISTORY,
  HuntOptions,
  PairCounters,
  PairHistoryOptions,
  PairVerdict,
  sizeCode,
} from './pair-types';

/**
 * The hunt's memory of every pair (source, destination, port): when it was
 * first and last seen, how often, and the intervals between its last N
 * connections, a row per pair (pair-table). One history per pair, however
 * many windows would look at it, reaching back up to a horizon in event time.
 *
 * A pair seen once costs its row and its share of the hash index (80 B for a
 * key of three fields); it gets a ring only when it repeats, and the ring
 * widens (2, 4 … N intervals) as it fills, so memory follows the number of
 * pairs and the intervals they have, never a pair's rate beyond N. When the
 * ring is full the oldest interval is forgotten: the periodicity test sees
 * the newest N intervals, exactly those, expanded to whole-second counts
 * when a pair is scored.
 *
 * Past a byte cap the least recently active one-shot pairs go first, then
 * repeated pairs the periodicity test does not find periodic; a pair found
 * periodic (or labelled a strobe) is never evicted.
 */

const FLAG_STROBE = 1;
const FLAG_PERIODIC = 2;
const DAY_MS = 86_400_000;
/** intervals are whole milliseconds in 32 bits: ~49.7 days */
const MAX_INTERVAL_MS = 0xffffffff;

export class PairHistory {
  readonly options: PairHistoryOptions;
  readonly counters: PairCounters = { events: 0, tooOld: 0, late: 0, forgotten: 0, expired: 0, evictedOneShot: 0, evictedRepeated: 0, overCap: 0 };
  private codes = new KeyCodes();
  /** the rows, row-major, and their hash index */
  private rows: PairTable;
  private pools: RingPool[] = [];
  private watermark = -Infinity;
  private nextSweep = -Infinity;
  /** no pair's first time is older (a bound, not always the oldest): a sweep with nothing past the horizon need not walk the rows */
  private oldestFirst = Infinity;
  /** held bytes under which eviction is not tried again (it could not meet the cap) */
  private evictBlockedUntil = 0;
  /** no eviction while a sweep walks the rows (a rebuild would move them under it) */
  private sweeping = false;
  private readonly scratch: Float64Array;
  /** a ring's intervals in seconds, for the scoring */
  private scratchSeconds = new Float64Array(0);
  private readonly time: EventTime = { sec: 0, ticks: 0 };
  private readonly topClass: number;

  constructor(options: Partial<PairHistoryOptions> = {}) {
    this.options = { ...DEFAULT_PAIR_HISTORY, ...options, keyFields: [...(options.keyFields ?? DEFAULT_PAIR_HISTORY.keyFields)] };
    checkPairHistoryOptions(this.options);
    this.scratch = new Float64Array(this.options.keyFields.length);
    this.topClass = Math.log2(this.options.ringSize) - 1;
    this.rows = new PairTable(this.options.keyFields.length);
    this.loadDense(emptyDense(this.options.keyFields.length, Boolean(this.options.bytesField)), 1024);
  }

  /** pairs held */
  get size(): number {
    return this.rows.n;
  }

  /**
   * Bytes held, what the cap applies to: each pair's row and hash slot,
   * each ring at its width, the interned key values. It depends on the
   * pairs alone, not on how the arrays grew, so a restored store evicts
   * exactly as the one it was saved from.
   */
  get bytes(): number {
    let b = this.rows.n * this.rowBytes + this.codes.bytes;
    for (const p of this.pools) b += p.live * p.width * this.intervalBytes;
    return b;
  }

  /** bytes of the typed arrays as allocated (they grow by half again, the hash table by doubling: more than is held, less under a cap) */
  get allocatedBytes(): number {
    let b = this.rows.capacity * this.rows.stride + this.rows.indexBytes + this.codes.bytes;
    for (const p of this.pools) b += p.bytes;
    return b;
  }

  /** a row and its share of the hash index (at most half full: two slots a row) */
  private get rowBytes(): number {
    return this.rows.stride + 2 * SLOT_BYTES;
  }

  private get intervalBytes(): number {
    return this.options.bytesField ? 5 : 4;
  }

  /** pairs held with at least `min` connections */
  countWith(min: number): number {
    let k = 0;
    for (let r = 0; r < this.rows.n; r++) if (this.rows.count(r) >= min) k++;
    return k;
  }

  /** bytes held by the pairs with at least `min` connections (their rows and rings) */
  heldBytesWith(min: number): number {
    let b = 0;
    for (let r = 0; r < this.rows.n; r++) {
      if (this.rows.count(r) < min) continue;
      b += this.rowBytes + (this.rows.ringSlot(r) < 0 ? 0 : this.pools[this.rows.ringClass(r)].width * this.intervalBytes);
    }
    return b;
  }

  /** the newest event time seen (epoch seconds), or null */
  get newestSeconds(): number | null {
    return Number.isFinite(this.watermark) ? this.watermark / 1000 : null;
  }

  /** Adds a record; false when its time is missing or not a time (nothing is kept). */
  add(record: LogRecord): boolean {
    if (!readEventTime(record[this.options.timeField], this.time)) return false;
    const f = this.options.keyFields;
    const codes = this.scratch;
    for (let i = 0; i < f.length; i++) codes[i] = this.codes.encode(record[f[i]]);
    const bf = this.options.bytesField;
    const size = bf ? sizeCode(Number(record[bf])) : 0;
    this.addCoded(this.time.sec * 1000 + Math.round(this.time.ticks / 10_000), size);
    return true;
  }

  /** Adds one connection of a pair at `seconds` (epoch, fractions kept to the millisecond). */
  addEvent(key: readonly unknown[], seconds: number, bytes?: number): void {
    if (key.length !== this.scratch.length) throw new Error(`a pair key has ${this.scratch.length} values, not ${key.length}`);
    for (let i = 0; i < key.length; i++) this.scratch[i] = this.codes.encode(key[i]);
    this.addCoded(Math.round(seconds * 1000), bytes === undefined ? 0 : sizeCode(bytes));
  }

  private addCoded(ms: number, size: number): void {
    if (!Number.isFinite(ms)) return;
    this.counters.events++;
    if (ms > this.watermark) {
      this.watermark = ms;
      if (ms >= this.nextSweep) this.sweep();
    }
    if (ms < this.watermark - this.options.horizonSeconds * 1000) {
      this.counters.tooOld++;
      return;
    }
    const h = this.rows.hash(this.scratch);
    let row = this.rows.find(this.scratch, h);
    if (row < 0) {
      this.insert(h, ms);
      return;
    }
    this.countDay(row, ms);
    if (ms >= this.rows.last(row)) {
      row = this.push(row, ms - this.rows.last(row), size);
      this.rows.setLast(row, ms);
    } else {
      this.counters.late++;
      row = this.placeLate(row, ms, size);
    }
    this.rows.setCount(row, this.rows.count(row) + 1);
  }

  private countDay(row: number, ms: number): void {
    const d = Math.floor(ms / DAY_MS);
    // a late event of an earlier day counts into the current one: a strobe is never missed for it, at worst labelled a little early
    if (d > this.rows.day(row)) {
      this.rows.setDay(row, d);
      this.rows.setDayCount(row, 0);
    }
    const dayCount = this.rows.dayCount(row) + 1;
    this.rows.setDayCount(row, dayCount);
    if (dayCount >= this.options.strobePerDay) this.rows.setFlags(row, this.rows.flags(row) | FLAG_STROBE);
  }

  private insert(h: number, ms: number): void {
    if (this.overCapWith(this.rowBytes)) {
      // the rebuild renumbers interned values: carry the new pair's key across it as values
      const key = Array.from(this.scratch, (c) => this.codes.decode(c));
      this.evict(-1);
      for (let i = 0; i < key.length; i++) this.scratch[i] = this.codes.encode(key[i]);
      h = this.rows.hash(this.scratch);
    }
    if (this.rows.n === this.rows.capacity) this.growRows();
    const r = this.rows.append(this.scratch, ms, Math.floor(ms / DAY_MS));
    if (ms < this.oldestFirst) this.oldestFirst = ms;
    this.countDay(r, ms);
    if (this.rows.n * 2 > this.rows.slots) this.rows.rehash(this.rows.slots * 2);
    else this.rows.place(h, r);
  }

  private growRows(): void {
    // by half again, not double: the slack of a grown column is up to a third of it, not half
    const capacity = this.rows.capacity;
    let cap = Math.ceil(capacity * 1.5);
    // under a cap, no more rows than the cap can hold
    const limit = this.options.maxBytes === null ? Infinity : Math.ceil(this.options.maxBytes / this.rowBytes);
    if (limit > capacity) cap = Math.min(cap, limit);
    this.rows.resize(cap);
  }

  private overCapWith(extra: number): boolean {
    const cap = this.options.maxBytes;
    if (cap === null) return false;
    const after = this.bytes + extra;
    // everything left was protected last time: try again only once the store has grown by an eighth of the cap
    return after > cap && after > this.evictBlockedUntil;
  }

  /** A ring slot in pool c for `row`; may evict first (then the row's index can change, and is returned). */
  private allocRing(row: number, c: number): { row: number; slot: number } {
    if (!this.sweeping && this.overCapWith(this.pools[c].width * this.intervalBytes)) row = this.evict(row);
    return { row, slot: this.pools[c].alloc() };
  }

  /** Appends an interval to a row's ring (widening or wrapping it); returns the row's index (eviction may move it). */
  private push(row: number, intervalMs: number, size: number): number {
    const d = Math.min(intervalMs, MAX_INTERVAL_MS);
    let slot = this.rows.ringSlot(row);
    if (slot < 0) {
      const a = this.allocRing(row, 0);
      row = a.row;
      this.rows.setRingSlot(row, a.slot);
      this.rows.setRingClass(row, 0);
      this.rows.setRingHead(row, 0);
      this.rows.setRingLen(row, 0);
      slot = a.slot;
    }
    let c = this.rows.ringClass(row);
    let width = this.pools[c].width;
    let len = this.rows.ringLen(row);
    if (len === width) {
      if (c < this.topClass) {
        row = this.widen(row);
        c = this.rows.ringClass(row);
        width = this.pools[c].width;
        slot = this.rows.ringSlot(row);
      } else {
        // full at N: the oldest interval goes
        this.rows.setRingHead(row, (this.rows.ringHead(row) + 1) & (width - 1));
        this.rows.setRingLen(row, --len);
        this.counters.forgotten++;
      }
    }
    const pool = this.pools[c];
    const at = slot * width + ((this.rows.ringHead(row) + len) & (width - 1));
    pool.intervals[at] = d;
    if (pool.sizes) pool.sizes[at] = size;
    this.rows.setRingLen(row, len + 1);
    return row;
  }

  /** Moves a full ring to the next wider pool, oldest first. */
  private widen(row: number): number {
    const c = this.rows.ringClass(row);
    const a = this.allocRing(row, c + 1);
    row = a.row;
    const from = this.pools[c];
    const to = this.pools[c + 1];
    const oldSlot = this.rows.ringSlot(row);
    const len = this.rows.ringLen(row);
    const head = this.rows.ringHead(row);
    for (let i = 0; i < len; i++) {
      const src = oldSlot * from.width + ((head + i) & (from.width - 1));
      to.intervals[a.slot * to.width + i] = from.intervals[src];
      if (to.sizes && from.sizes) to.sizes[a.slot * to.width + i] = from.sizes[src];
    }
    from.release(oldSlot);
    this.rows.setRingSlot(row, a.slot);
    this.rows.setRingClass(row, c + 1);
    this.rows.setRingHead(row, 0);
    return row;
  }

  /** A row's ring as arrays, oldest first. */
  private readRing(row: number): { intervals: number[]; sizes: number[] } {
    const len = this.rows.ringLen(row);
    const intervals: number[] = new Array(len);
    const sizes: number[] = new Array(len);
    if (len === 0) return { intervals, sizes };
    const pool = this.pools[this.rows.ringClass(row)];
    const base = this.rows.ringSlot(row) * pool.width;
    const head = this.rows.ringHead(row);
    for (let i = 0; i < len; i++) {
      const at = base + ((head + i) & (pool.width - 1));
      intervals[i] = pool.intervals[at];
      sizes[i] = pool.sizes ? pool.sizes[at] : 0;
    }
    return { intervals, sizes };
  }

  /** Replaces a row's ring with these intervals (the newest N of them), in the narrowest pool that holds them. */
  private writeRing(row: number, intervals: number[], sizes: number[]): number {
    const drop = Math.max(0, intervals.length - this.options.ringSize);
    this.counters.forgotten += drop;
    const len = intervals.length - drop;
    const old = this.rows.ringSlot(row);
    if (old >= 0) this.pools[this.rows.ringClass(row)].release(old);
    this.rows.setRingSlot(row, -1);
    this.rows.setRingLen(row, 0);
    this.rows.setRingHead(row, 0);
    if (len === 0) return row;
    const c = classFor(len);
    const a = this.allocRing(row, c);
    row = a.row;
    const pool = this.pools[c];
    for (let i = 0; i < len; i++) {
      pool.intervals[a.slot * pool.width + i] = intervals[drop + i];
      if (pool.sizes) pool.sizes[a.slot * pool.width + i] = sizes[drop + i];
    }
    this.rows.setRingSlot(row, a.slot);
    this.rows.setRingClass(row, c);
    this.rows.setRingLen(row, len);
    return row;
  }

  /**
   * A connection older than its pair's newest: it splits the interval it
   * falls in, as if it had come in order. Older than everything the ring
   * reaches: a new oldest interval when the ring holds the whole history
   * (and has room), else nothing the ring keeps changes.
   */
  private placeLate(row: number, ms: number, size: number): number {
    const rows = this.rows;
    const len = rows.ringLen(row);
    if (len > 0) {
      const pool = this.pools[rows.ringClass(row)];
      const base = rows.ringSlot(row) * pool.width;
      const head = rows.ringHead(row);
      const mask = pool.width - 1;
      // from the newest back: a late connection is seldom more than a few intervals late
      let end = rows.last(row);
      for (let j = len - 1; j >= 0; j--) {
        const start = end - pool.intervals[base + ((head + j) & mask)];
        if (ms >= start) return this.splitInterval(row, j, ms - start, end - ms, size);
        end = start;
      }
    }
    return this.placeBeforeRing(row, ms);
  }

  /**
   * Splits interval j of a row's ring in two, in place (the newest N kept,
   * as if the late connection had come in order): the later connection of
   * the first part is the late one (`size`), the second keeps j's size.
   */
  private splitInterval(row: number, j: number, first: number, second: number, size: number): number {
    let len = this.rows.ringLen(row);
    let c = this.rows.ringClass(row);
    let full = false;
    if (len === this.pools[c].width) {
      if (c < this.topClass) {
        row = this.widen(row);
        c = this.rows.ringClass(row);
      } else full = true;
    }
    const pool = this.pools[c];
    const base = this.rows.ringSlot(row) * pool.width;
    const head = this.rows.ringHead(row);
    const mask = pool.width - 1;
    const at = (k: number) => base + ((head + k) & mask);
    const { intervals, sizes } = pool;
    if (full && j === 0) {
      // the first part would be the oldest, forgotten at once: the second takes j's place (and keeps its size)
      intervals[at(0)] = second;
      this.counters.forgotten++;
      return row;
    }
    // intervals after j move up one; a full ring's one past the end is its oldest's place, forgotten below
    for (let k = len - 1; k > j; k--) {
      intervals[at(k + 1)] = intervals[at(k)];
      if (sizes) sizes[at(k + 1)] = sizes[at(k)];
    }
    intervals[at(j + 1)] = second;
    intervals[at(j)] = first;
    if (sizes) {
      sizes[at(j + 1)] = sizes[at(j)];
      sizes[at(j)] = size;
    }
    if (full) {
      this.rows.setRingHead(row, (head + 1) & mask);
      this.counters.forgotten++;
    } else this.rows.setRingLen(row, ++len);
    return row;
  }

  /**
   * A late connection older than everything the ring reaches: a new oldest
   * interval when the ring holds the whole history, else nothing the ring
   * keeps changes (the first time moves back).
   */
  private placeBeforeRing(row: number, ms: number): number {
    const { intervals, sizes } = this.readRing(row);
    if (this.rows.count(row) === intervals.length + 1) {
      let start = this.rows.last(row);
      for (const d of intervals) start -= d;
      // the later connection of the new oldest interval is the former first one, whose size was not kept
      intervals.unshift(Math.min(start - ms, MAX_INTERVAL_MS));
      sizes.unshift(0);
      row = this.writeRing(row, intervals, sizes);
    }
    if (ms < this.rows.first(row)) this.rows.setFirst(row, ms);
    if (ms < this.oldestFirst) this.oldestFirst = ms;
    return row;
  }

  /** Drops pairs whose last connection left the horizon and intervals that began before it. */
  private sweep(): void {
    const step = this.options.sweepSeconds * 1000;
    this.nextSweep = (Math.floor(this.watermark / step) + 1) * step;
    const cutoff = this.watermark - this.options.horizonSeconds * 1000;
    // an hourly walk of every row while the store fills up to its horizon was a cost that grew with the store
    if (cutoff <= this.oldestFirst) return;
    let drop: Uint8Array | null = null;
    let internedRefs = 0;
    let oldest = Infinity;
    this.sweeping = true;
    for (let r = 0; r < this.rows.n; r++) {
      if (this.rows.last(r) < cutoff) {
        if (!drop) drop = new Uint8Array(this.rows.n);
        drop[r] = 1;
        this.counters.expired++;
        continue;
      }
      if (this.rows.first(r) < cutoff && this.rows.ringLen(r) > 0) this.trim(r, cutoff);
      oldest = Math.min(oldest, this.rows.first(r));
      for (let i = 0; i < this.scratch.length; i++) if (this.rows.key(r, i) >= INTERNED_BASE) internedRefs++;
    }
    this.sweeping = false;
    this.oldestFirst = oldest;
    if (!drop) return;
    // in place (no second copy of the store at the peak); a full rebuild only when most interned values belong to expired pairs
    if (this.codes.interned > 1024 && this.codes.interned > 2 * internedRefs) this.rebuild(drop, -1);
    else this.compactInPlace(drop);
  }

  /** Drops rows by moving the kept ones down (order kept), releasing their rings; interned values stay. */
  private compactInPlace(drop: Uint8Array): void {
    let k = 0;
    for (let r = 0; r < this.rows.n; r++) {
      if (drop[r]) {
        if (this.rows.ringSlot(r) >= 0) this.pools[this.rows.ringClass(r)].release(this.rows.ringSlot(r));
        continue;
      }
      if (k !== r) this.rows.move(k, r);
      k++;
    }
    this.rows.n = k;
    this.rows.rehash(this.rows.slots);
  }

  /** Copies row r's own fields (not its key or ring place) to row k of a dense copy. */
  private copyRow(to: Dense, k: number, r: number): void {
    const rows = this.rows;
    to.first[k] = rows.first(r);
    to.last[k] = rows.last(r);
    to.count[k] = rows.count(r);
    to.flags[k] = rows.flags(r);
    to.day[k] = rows.day(r);
    to.dayCount[k] = rows.dayCount(r);
    to.ringLen[k] = rows.ringLen(r);
  }

  /** Forgets a live pair's intervals that began before the cutoff. */
  private trim(row: number, cutoff: number): void {
    const { intervals, sizes } = this.readRing(row);
    let start = this.rows.last(row);
    for (const d of intervals) start -= d;
    if (start >= cutoff) return; // forgotten intervals reach past the cutoff, the ring does not
    let k = 0;
    while (k < intervals.length && start < cutoff) start += intervals[k++];
    intervals.splice(0, k);
    sizes.splice(0, k);
    this.writeRing(row, intervals, sizes);
    this.rows.setFirst(row, start);
    this.rows.setCount(row, intervals.length + 1);
  }

  /**
   * Evicts under the cap until the store would take half of it once
   * rebuilt: one-shot pairs, least recently active first; then repeated
   * pairs the periodicity test does not find periodic, least recently
   * active first. Periodic pairs, strobes and `protect` stay. Returns the
   * protected row's new index.
   */
  private evict(protect: number): number {
    const cap = this.options.maxBytes as number;
    const target = cap / 2;
    const perRow = this.rowBytes;
    const ringBytes = (r: number) => (this.rows.ringSlot(r) < 0 ? 0 : this.pools[this.rows.ringClass(r)].width * this.intervalBytes);
    let estimate = this.bytes;
    const drop = new Uint8Array(this.rows.n);
    const byAge = (rows: number[]) => rows.sort((a, b) => this.rows.last(a) - this.rows.last(b) || a - b);
    const oneShot: number[] = [];
    const repeated: number[] = [];
    for (let r = 0; r < this.rows.n; r++) {
      if (r === protect || this.rows.flags(r) & (FLAG_STROBE | FLAG_PERIODIC)) continue;
      (this.rows.count(r) === 1 ? oneShot : repeated).push(r);
    }
    for (const r of byAge(oneShot)) {
      if (estimate <= target) break;
      drop[r] = 1;
      estimate -= perRow;
      this.counters.evictedOneShot++;
    }
    if (estimate > target) {
      for (const r of byAge(repeated)) {
        if (estimate <= target) break;
        if (verdictOf(this, r, DEFAULT_PERIODICITY, 2).periodic) {
          this.rows.setFlags(r, this.rows.flags(r) | FLAG_PERIODIC);
          continue;
        }
        drop[r] = 1;
        estimate -= perRow + ringBytes(r);
        this.counters.evictedRepeated++;
      }
    }
    const moved = this.rebuild(drop, protect);
    if (this.bytes > cap) {
      this.counters.overCap++;
      this.evictBlockedUntil = this.bytes + cap / 8;
    } else {
      this.evictBlockedUntil = 0;
    }
    return moved;
  }

  /** Rebuilds the rows without the dropped ones, tightly sized; returns `follow`'s new index (−1 if none). */
  private rebuild(drop: Uint8Array, follow: number): number {
    let moved = -1;
    let k = 0;
    for (let r = 0; r < this.rows.n; r++) {
      if (drop[r]) continue;
      if (r === follow) moved = k;
      k++;
    }
    const dense = this.dense(drop);
    this.loadDense(dense, Math.max(1024, Math.ceil(dense.n * 1.25)));
    return moved;
  }

  private dense(drop: Uint8Array | null): Dense {
    let n = 0;
    let intervals = 0;
    for (let r = 0; r < this.rows.n; r++) {
      if (drop && drop[r]) continue;
      n++;
      intervals += this.rows.ringLen(r);
    }
    const withSizes = Boolean(this.options.bytesField);
    const d: Dense = {
      n,
      keys: Array.from(this.scratch, () => new Float64Array(n)),
      values: [],
      first: new Float64Array(n),
      last: new Float64Array(n),
      count: new Uint32Array(n),
      flags: new Uint8Array(n),
      day: new Uint16Array(n),
      dayCount: new Uint32Array(n),
      ringLen: new Uint16Array(n),
      rings: new Uint32Array(intervals),
      sizes: withSizes ? new Uint8Array(intervals) : null,
    };
    const valueIndex = new Map<number, number>();
    let k = 0;
    let at = 0;
    for (let r = 0; r < this.rows.n; r++) {
      if (drop && drop[r]) continue;
      for (let i = 0; i < this.scratch.length; i++) {
        let code = this.rows.key(r, i);
        if (code >= INTERNED_BASE) {
          let v = valueIndex.get(code);
          if (v === undefined) {
            v = d.values.length;
            valueIndex.set(code, v);
            d.values.push(this.codes.decode(code));
          }
          code = INTERNED_BASE + v;
        }
        d.keys[i][k] = code;
      }
      this.copyRow(d, k, r);
      const len = this.rows.ringLen(r);
      if (len > 0) {
        const pool = this.pools[this.rows.ringClass(r)];
        const base = this.rows.ringSlot(r) * pool.width;
        const head = this.rows.ringHead(r);
        for (let i = 0; i < len; i++) {
          const src = base + ((head + i) & (pool.width - 1));
          d.rings[at] = pool.intervals[src];
          if (d.sizes && pool.sizes) d.sizes[at] = pool.sizes[src];
          at++;
        }
      }
      k++;
    }
    return d;
  }

  /** Replaces the whole state with a dense one. */
  private loadDense(d: Dense, capacity: number): void {
    const cap = Math.max(capacity, d.n);
    const rows = new PairTable(d.keys.length);
    rows.resize(cap);
    this.rows = rows;
    this.codes = new KeyCodes();
    const codes = this.scratch;
    for (let r = 0; r < d.n; r++) {
      for (let i = 0; i < d.keys.length; i++) {
        const c = d.keys[i][r];
        codes[i] = c >= INTERNED_BASE ? this.codes.encode(d.values[c - INTERNED_BASE]) : c;
      }
      rows.append(codes, d.first[r], d.day[r]);
      rows.setLast(r, d.last[r]);
      rows.setCount(r, d.count[r]);
      rows.setFlags(r, d.flags[r]);
      rows.setDayCount(r, d.dayCount[r]);
      rows.setRingLen(r, d.ringLen[r]);
    }
    const perClass = new Array<number>(this.topClass + 1).fill(0);
    for (let r = 0; r < d.n; r++) if (d.ringLen[r] > 0) perClass[classFor(d.ringLen[r])]++;
    const withSizes = Boolean(this.options.bytesField);
    const maxBytes = this.options.maxBytes;
    this.pools = perClass.map(
      (k, c) =>
        new RingPool(
          2 << c,
          withSizes,
          Math.max(16, Math.ceil(k * 1.25)),
          maxBytes === null ? Infinity : Math.ceil(maxBytes / ((2 << c) * this.intervalBytes)),
        ),
    );
    let at = 0;
    for (let r = 0; r < d.n; r++) {
      const len = d.ringLen[r];
      if (len === 0) continue;
      const c = classFor(len);
      const pool = this.pools[c];
      const slot = pool.alloc();
      pool.intervals.set(d.rings.subarray(at, at + len), slot * pool.width);
      if (pool.sizes && d.sizes) pool.sizes.set(d.sizes.subarray(at, at + len), slot * pool.width);
      this.rows.setRingSlot(r, slot);
      this.rows.setRingClass(r, c);
      at += len;
    }
    let slots = 1024;
    while (slots < cap * 2) slots *= 2;
    rows.rehash(slots);
    this.oldestFirst = Infinity;
    for (let r = 0; r < d.n; r++) this.oldestFirst = Math.min(this.oldestFirst, d.first[r]);
  }

  // ---------------------------------------------------------------- reading and scoring

  /** A pair's row index, or −1. */
  indexOf(key: readonly unknown[]): number {
    if (key.length !== this.scratch.length) return -1;
    const codes = new Float64Array(key.length);
    for (let i = 0; i < key.length; i++) codes[i] = this.codes.encode(key[i]);
    return this.rows.find(codes, this.rows.hash(codes));
  }

  keyOf(row: number): unknown[] {
    return Array.from(this.scratch, (_, i) => this.codes.decode(this.rows.key(row, i)));
  }

  /** A pair's ring: intervals in seconds (millisecond precision), oldest first, and their size codes. */
  intervalsOf(row: number): { seconds: number[]; sizes: number[] } {
    const { intervals, sizes } = this.readRing(row);
    return { seconds: intervals.map((ms) => ms / 1000), sizes };
  }

  /** The ring as whole-second interval → count (what the histogram's 1 s buckets hold); intervals of 0 ms are left out. */
  intervalCounts(row: number): Map<number, number> {
    const counts = new Map<number, number>();
    const n = this.intervalSeconds(row, this.secondsScratch());
    const seconds = this.scratchSeconds;
    for (let i = 0; i < n; i++) counts.set(seconds[i], (counts.get(seconds[i]) ?? 0) + 1);
    return counts;
  }

  /** The ring's intervals of more than 0 ms in whole seconds, one by one, into `out` (at least the ring's width long); how many. */
  intervalSeconds(row: number, out: Float64Array): number {
    const len = this.rows.ringLen(row);
    if (len === 0) return 0;
    const pool = this.pools[this.rows.ringClass(row)];
    const base = this.rows.ringSlot(row) * pool.width;
    const head = this.rows.ringHead(row);
    let n = 0;
    for (let i = 0; i < len; i++) {
      const ms = pool.intervals[base + ((head + i) & (pool.width - 1))];
      if (ms > 0) out[n++] = Math.round(ms / 1000);
    }
    return n;
  }

  /** room for a whole ring, reused: the scoring reads rings one after the other */
  secondsScratch(): Float64Array {
    if (this.scratchSeconds.length < this.options.ringSize) this.scratchSeconds = new Float64Array(this.options.ringSize);
    return this.scratchSeconds;
  }

  /** The verdict on one pair: a strobe is labelled and not scored; fewer than `minIntervals` intervals is not periodic. */
  verdict(row: number, periodicity: PeriodicityOptions = DEFAULT_PERIODICITY, minIntervals = DEFAULT_HUNT.minIntervals): PairVerdict {
    const v = verdictOf(this, row, periodicity, minIntervals);
    if (v.periodic) this.rows.setFlags(row, this.rows.flags(row) | FLAG_PERIODIC);
    return v;
  }

  /** What a pair's row holds besides its key and ring (for the scoring in pair-rows). */
  facts(row: number): PairFacts {
    return {
      first: this.rows.first(row),
      last: this.rows.last(row),
      count: this.rows.count(row),
      intervals: this.rows.ringLen(row),
      strobe: (this.rows.flags(row) & FLAG_STROBE) !== 0,
      dayCount: this.rows.dayCount(row),
    };
  }

  /** The code of key field `field` of a row (equal values, equal codes). */
  keyCode(field: number, row: number): number {
    return this.rows.key(row, field);
  }

  /** The size codes of a row's ring, oldest first. */
  sizeCodesOf(row: number): number[] {
    return this.readRing(row).sizes;
  }

  /**
   * Scores every pair with enough intervals (and labels strobes), in row
   * order (deterministic), with its destination's distinct sources among
   * the pairs held. Prevalence needs no state of its own: it is read off
   * the pairs, so it is bounded with them.
   */
  hunt(options: HuntOptions = DEFAULT_HUNT): PairVerdict[] {
    const rows: number[] = [];
    for (let r = 0; r < this.rows.n; r++) if (this.rows.flags(r) & FLAG_STROBE || this.rows.ringLen(r) >= options.minIntervals) rows.push(r);
    const out = rows.map((r) => this.verdict(r, options.periodicity, options.minIntervals));
    const sources = destinationSources(this, rows, options.prevalence);
    if (sources) out.forEach((v, i) => (v.destinationSources = sources[i]));
    return out;
  }

  /** A pair as a histogram row the scorer takes unchanged (pair-rows). */
  rowOf(row: number): LogRecord {
    return pairRow(this, row);
  }

  // ---------------------------------------------------------------- checkpoint and restore

  /** The state as plain JSON data (columns as base64), ordered as held: restoring it gives the same store. */
  save(): PairHistoryState {
    return encodeState(this.dense(null), {
      watermark: Number.isFinite(this.watermark) ? this.watermark : null,
      nextSweep: Number.isFinite(this.nextSweep) ? this.nextSweep : null,
      evictBlockedUntil: this.evictBlockedUntil,
      counters: { ...this.counters },
    });
  }

  /** Saved state in the package's snapshot envelope, under the settings the state depends on. */
  snapshot(): Snapshot<PairHistoryState> {
    return makeSnapshot('pair-history', this.stateSettings(), this.save());
  }

  /** Restores a snapshot(); throws a message saying why when it cannot be used. */
  restore(saved: unknown): void {
    const state = openSnapshot<PairHistoryState>(saved, 'pair-history', this.stateSettings());
    if (state instanceof Error) throw state;
    this.restoreState(state);
  }

  /** what the saved columns mean depends on these (the horizon, the cap and the sweep may change across a restart) */
  private stateSettings(): unknown {
    return { keyFields: this.options.keyFields, ringSize: this.options.ringSize, sizes: Boolean(this.options.bytesField) };
  }

  /** Restores save()'s state; throws a message saying why when it cannot (another format or version, damaged columns). */
  restoreState(saved: unknown): void {
    const { dense, meta } = decodeState(saved, this.options);
    this.loadDense(dense, Math.max(1024, Math.ceil(dense.n * 1.25)));
    this.watermark = meta.watermark ?? -Infinity;
    this.nextSweep = meta.nextSweep ?? -Infinity;
    this.evictBlockedUntil = meta.evictBlockedUntil;
    Object.assign(this.counters, meta.counters);
  }
}
