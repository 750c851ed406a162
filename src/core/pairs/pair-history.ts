import { DEFAULT_PERIODICITY, PeriodicityOptions } from '../scorer/periodicity';
import { LogRecord } from '../common/records';
import { makeSnapshot, openSnapshot, Snapshot } from '../common/snapshot';
import { EventTime, readEventTime } from '../common/time';
import { INTERNED_BASE, KeyCodes } from './key-codes';
import { RingPool } from './ring-pool';
import { classFor, LAST, PairTable, popcount, ROW_PAGE_SHIFT } from './pair-table';
import { destinationSources, PairFacts, pairRow, verdictOf } from './pair-rows';
import { decodeState, Dense, emptyDense, encodeState, PairHistoryState } from './pair-snapshot';
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
 * A pair seen once costs its row and its share of the hash index (~48 B for a
 * key of three fields); it gets a ring only when it repeats, and the ring
 * widens (2, 4 … N intervals) as it fills, so memory follows the number of
 * pairs and the intervals they have, never a pair's rate beyond N. When the
 * ring is full the oldest interval is forgotten: the periodicity test sees
 * the newest N intervals, exactly those, expanded to whole-second counts
 * when a pair is scored.
 *
 * Past a byte cap the least recently active one-shot pairs go first, then
 * repeated pairs the periodicity test does not find periodic; a pair found
 * periodic (or labelled a strobe) is never evicted. The cap is on the
 * arrays as allocated: rows and rings live in fixed pages (the last one
 * sized in powers of two), eviction and expiry compact them in place, so
 * the store never holds a second copy of itself. Expired rows die in place
 * and are compacted away in one pass once they are an eighth of the rows
 * (sooner under a cap, before their pages would pass it), not at every
 * hourly sweep: see `sweep`.
 */

const FLAG_STROBE = 1;
const FLAG_PERIODIC = 2;
const DAY_MS = 86_400_000;
/** intervals are whole milliseconds in 32 bits: ~49.7 days */
const MAX_INTERVAL_MS = 0xffffffff;
/** dead rows, as a fraction of the rows, past which a sweep compacts them away */
const DEFAULT_COMPACT_DEAD = 1 / 8;

export class PairHistory {
  readonly options: PairHistoryOptions;
  readonly counters: PairCounters = { events: 0, tooOld: 0, late: 0, forgotten: 0, expired: 0, evictedOneShot: 0, evictedRepeated: 0, overCap: 0 };
  private codes = new KeyCodes();
  /** the rows, row-major, and their hash index */
  private rows: PairTable;
  private pools: RingPool[] = [];
  private watermark = -Infinity;
  private nextSweep = -Infinity;
  /** per page of rows: no live row in it was last seen earlier (a bound): a sweep reads only the pages that can hold an expired pair */
  private lastBound: number[] = [];
  /** per ring pool, per page of rings: no ring in it needs a trim while the cutoff is at or before this (its start, last − its intervals, or its first time; a bound): a sweep reads only the rings that can need one */
  private startBound: number[][] = [];
  /** interned key codes among the live rows: whether re-interning pays once pairs expire */
  private internedRefs = 0;
  /** held bytes under which eviction is not tried again (it could not meet the cap) */
  private evictBlockedUntil = 0;
  /** no eviction while a sweep walks the rows (a compaction would move them under it) */
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
    this.loadDense(emptyDense(this.options.keyFields.length, Boolean(this.options.bytesField)));
  }

  /** pairs held (rows 0 … size − 1 once read: expired rows wait for a compaction, which any read by row does first) */
  get size(): number {
    return this.rows.n - this.rows.dead;
  }

  /**
   * Bytes of the arrays, what the cap applies to: the row pages and the hash
   * index, each pool's pages of rings, the interned key values, as the
   * store allocates them for the pairs it holds. It depends on the pairs
   * alone, not on how they came, so a restored store evicts exactly as the
   * one it was saved from.
   */
  get bytes(): number {
    let b = this.rows.bytesFor(this.size) + this.codes.bytes;
    for (const p of this.pools) b += p.bytesFor(p.live);
    return b;
  }

  /** bytes of the arrays as allocated now: `bytes`, or a little more while a pool's last page keeps room for rings that moved on (until the next sweep or eviction) */
  get allocatedBytes(): number {
    let b = this.rows.allocatedBytes + this.codes.bytes;
    for (const p of this.pools) b += p.allocatedBytes;
    return b;
  }

  /** a row and its share of the hash index (an estimate: the index is 3/8 to 3/4 full, 4 bytes a slot) */
  private get rowBytes(): number {
    return this.rows.stride + 8;
  }

  private get intervalBytes(): number {
    return this.options.bytesField ? 5 : 4;
  }

  /** pairs held with at least `min` connections */
  countWith(min: number): number {
    this.settle();
    let k = 0;
    for (let r = 0; r < this.rows.n; r++) if (this.rows.count(r) >= min) k++;
    return k;
  }

  /** bytes held by the pairs with at least `min` connections (their rows and rings) */
  heldBytesWith(min: number): number {
    this.settle();
    let b = 0;
    for (let r = 0; r < this.rows.n; r++) {
      if (this.rows.count(r) < min) continue;
      b += this.rowBytes + (this.rows.ringSlot(r) < 0 ? 0 : this.pools[this.rows.ringClass(r)].width * this.intervalBytes + 12);
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
    const rows = this.rows;
    const h = rows.hash(this.scratch);
    let row = rows.find(this.scratch, h);
    if (row < 0) {
      this.insert(h, ms);
      return;
    }
    if (this.addInOrder(row, ms, size)) return;
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

  /**
   * The common case, read and written in the row's page directly: a
   * connection of a known pair in order, into a ring with room or full at
   * N (nothing to allocate, so nothing can move). False when it is not
   * that case (nothing changed): `add`'s general path takes it.
   */
  private addInOrder(row: number, ms: number, size: number): boolean {
    const rows = this.rows;
    const o = rows.at(row);
    const pg = rows.cur;
    const lastAt = o * rows.s8 + LAST;
    const last = pg.f64[lastAt];
    const w = o * rows.s4 + rows.oCount;
    const slot = pg.i32[w + 1];
    if (!(ms >= last) || slot < 0) return false;
    const r2 = o * rows.s2 + rows.oRing;
    let len = pg.u16[r2 + 1];
    const c = classFor(len);
    const pool = this.pools[c];
    const width = pool.width;
    if (len === width && c !== this.topClass) return false;
    // the day counter (countDay): a connection of a later day starts it again
    const dayCount = Math.floor(ms / DAY_MS) > Math.floor(last / DAY_MS) ? 1 : pg.u32[w + 2] + 1;
    pg.u32[w + 2] = dayCount;
    if (dayCount >= this.options.strobePerDay) pg.u8[o * rows.stride + rows.oFlags] |= FLAG_STROBE;
    let head = pg.u16[r2];
    if (len === width) {
      // full at N: the oldest interval goes
      head = (head + 1) & (width - 1);
      pg.u16[r2] = head;
      len--;
      this.counters.forgotten++;
    }
    const at = (head + len) & (width - 1);
    pool.set(slot, at, Math.min(ms - last, MAX_INTERVAL_MS));
    pool.setSize(slot, at, size);
    pg.u16[r2 + 1] = len + 1;
    pg.f64[lastAt] = ms;
    pg.u32[w]++;
    return true;
  }

  private countDay(row: number, ms: number): void {
    // a late event of an earlier day counts into the current one: a strobe is never missed for it, at worst labelled a little early
    // (the counter's day is the last connection's, which moves to this one's after it when it is later)
    if (Math.floor(ms / DAY_MS) > this.rows.day(row)) this.rows.setDayCount(row, 0);
    const dayCount = this.rows.dayCount(row) + 1;
    this.rows.setDayCount(row, dayCount);
    if (dayCount >= this.options.strobePerDay) this.rows.setFlags(row, this.rows.flags(row) | FLAG_STROBE);
  }

  private insert(h: number, ms: number): void {
    const n = this.size;
    const cap = this.options.maxBytes;
    // under a cap the arrays as allocated stay under it: dead rows are compacted away before their pages would pass it
    if (cap !== null && this.rows.dead !== 0 && this.bytes + this.rows.bytesFor(this.rows.n + 1) - this.rows.bytesFor(n) > cap) this.compact(null, false);
    if (this.options.maxBytes !== null && this.overCapWith(this.rows.bytesFor(n + 1) - this.rows.bytesFor(n))) {
      // eviction renumbers interned values: carry the new pair's key across it as values
      const key = Array.from(this.scratch, (c) => this.codes.decode(c));
      this.evict(-1);
      for (let i = 0; i < key.length; i++) this.scratch[i] = this.codes.encode(key[i]);
      h = this.rows.hash(this.scratch);
    }
    const r = this.rows.append(this.scratch, ms, h);
    this.noteLast(r, ms);
    for (let i = 0; i < this.scratch.length; i++) if (this.scratch[i] >= INTERNED_BASE) this.internedRefs++;
    this.countDay(r, ms);
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
    const pool = this.pools[c];
    if (!this.sweeping && this.options.maxBytes !== null && this.overCapWith(pool.bytesFor(pool.live + 1) - pool.bytesFor(pool.live))) row = this.evict(row);
    return { row, slot: pool.alloc(row) };
  }

  /** Frees a ring slot of pool c; the ring that takes its place tells its row (and brings its page's bound). */
  private releaseRing(c: number, slot: number): void {
    const pool = this.pools[c];
    const from = pool.pageOf(pool.live - 1);
    const moved = pool.release(slot);
    if (moved >= 0) {
      this.rows.setRingSlot(moved, slot);
      this.noteStart(c, slot, this.startBound[c][from] ?? -Infinity);
    }
  }

  /** Row r (a page of rows) holds a pair last seen at `ms`. */
  private noteLast(r: number, ms: number): void {
    const p = r >>> ROW_PAGE_SHIFT;
    if (!(this.lastBound[p] <= ms)) this.lastBound[p] = ms;
  }

  /** A ring of pool c in `slot` reaches back to `start` (its page's bound). */
  private noteStart(c: number, slot: number, start: number): void {
    const b = this.startBound[c];
    const p = this.pools[c].pageOf(slot);
    if (!(b[p] <= start)) b[p] = start;
  }

  /** The sum of a ring's `len` intervals from `head`. */
  private ringSum(pool: RingPool, slot: number, head: number, len: number): number {
    const mask = pool.width - 1;
    let sum = 0;
    for (let i = 0; i < len; i++) sum += pool.get(slot, (head + i) & mask);
    return sum;
  }

  /** Appends an interval to a row's ring (widening or wrapping it); returns the row's index (eviction may move it). */
  private push(row: number, intervalMs: number, size: number): number {
    const d = Math.min(intervalMs, MAX_INTERVAL_MS);
    let slot = this.rows.ringSlot(row);
    if (slot < 0) {
      const a = this.allocRing(row, 0);
      row = a.row;
      this.rows.setRingSlot(row, a.slot);
      this.rows.setRingHead(row, 0);
      this.rows.setRingLen(row, 0);
      // a pair without a ring has its first time as its last; the ring keeps it from now on
      this.pools[0].setFirst(a.slot, this.rows.last(row));
      this.noteStart(0, a.slot, this.rows.last(row));
      slot = a.slot;
    }
    let c = this.rows.ringClass(row);
    let width = this.pools[c].width;
    let len = this.rows.ringLen(row);
    if (len === width) {
      if (c < this.topClass) {
        row = this.widen(row);
        c++;
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
    const at = (this.rows.ringHead(row) + len) & (width - 1);
    pool.set(slot, at, d);
    pool.setSize(slot, at, size);
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
    let sum = 0;
    for (let i = 0; i < len; i++) {
      const src = (head + i) & (from.width - 1);
      const d = from.get(oldSlot, src);
      sum += d;
      to.set(a.slot, i, d);
      if (to.withSizes) to.setSize(a.slot, i, from.size(oldSlot, src));
    }
    to.setFirst(a.slot, from.first(oldSlot));
    this.noteStart(c + 1, a.slot, this.rows.last(row) - sum);
    this.releaseRing(c, oldSlot);
    // its class follows from its length once the interval that widened it is in
    this.rows.setRingSlot(row, a.slot);
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
    const slot = this.rows.ringSlot(row);
    const head = this.rows.ringHead(row);
    for (let i = 0; i < len; i++) {
      const at = (head + i) & (pool.width - 1);
      intervals[i] = pool.get(slot, at);
      sizes[i] = pool.size(slot, at);
    }
    return { intervals, sizes };
  }

  /** Replaces a row's ring with these intervals (the newest N of them), in the narrowest pool that holds them. */
  private writeRing(row: number, intervals: number[], sizes: number[]): number {
    const drop = Math.max(0, intervals.length - this.options.ringSize);
    this.counters.forgotten += drop;
    const len = intervals.length - drop;
    // the first time is kept beside the ring: carried to the new one (with no ring left it is the last time)
    const first = this.rows.first(row);
    const old = this.rows.ringSlot(row);
    if (old >= 0) this.releaseRing(this.rows.ringClass(row), old);
    this.rows.setRingSlot(row, -1);
    this.rows.setRingLen(row, 0);
    this.rows.setRingHead(row, 0);
    if (len === 0) return row;
    const c = classFor(len);
    const a = this.allocRing(row, c);
    row = a.row;
    const pool = this.pools[c];
    let sum = 0;
    for (let i = 0; i < len; i++) {
      sum += intervals[drop + i];
      pool.set(a.slot, i, intervals[drop + i]);
      pool.setSize(a.slot, i, sizes[drop + i]);
    }
    pool.setFirst(a.slot, first);
    this.noteStart(c, a.slot, this.rows.last(row) - sum);
    this.rows.setRingSlot(row, a.slot);
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
      const slot = rows.ringSlot(row);
      const head = rows.ringHead(row);
      const mask = pool.width - 1;
      // from the newest back: a late connection is seldom more than a few intervals late
      let end = rows.last(row);
      for (let j = len - 1; j >= 0; j--) {
        const start = end - pool.get(slot, (head + j) & mask);
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
        c++;
      } else full = true;
    }
    const pool = this.pools[c];
    const slot = this.rows.ringSlot(row);
    const head = this.rows.ringHead(row);
    const mask = pool.width - 1;
    const at = (k: number) => (head + k) & mask;
    if (full && j === 0) {
      // the first part would be the oldest, forgotten at once: the second takes j's place (and keeps its size)
      pool.set(slot, at(0), second);
      this.counters.forgotten++;
      return row;
    }
    // intervals after j move up one; a full ring's one past the end is its oldest's place, forgotten below
    for (let k = len - 1; k > j; k--) {
      pool.set(slot, at(k + 1), pool.get(slot, at(k)));
      pool.setSize(slot, at(k + 1), pool.size(slot, at(k)));
    }
    pool.set(slot, at(j + 1), second);
    pool.set(slot, at(j), first);
    pool.setSize(slot, at(j + 1), pool.size(slot, at(j)));
    pool.setSize(slot, at(j), size);
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
    return row;
  }

  /**
   * Drops pairs whose last connection left the horizon and intervals that
   * began before it. Only the pages of rows and rings that can hold one are
   * read (their bounds say which). An expired pair's row dies in place: out
   * of the index, its ring freed, skipped by everything that walks the rows;
   * the rows are compacted once the dead pass `compactDead` of them (or an
   * eviction, a read by row or a save comes first), so an hourly sweep does
   * not move and rehash every row. Compaction keeps the rows' order and new
   * rows are appended, so the live rows stand in the same order as if each
   * sweep had compacted (what the rows, eviction and the saved state show).
   */
  private sweep(): void {
    const step = this.options.sweepSeconds * 1000;
    this.nextSweep = (Math.floor(this.watermark / step) + 1) * step;
    const cutoff = this.watermark - this.options.horizonSeconds * 1000;
    const rows = this.rows;
    const expiredBefore = this.counters.expired;
    this.sweeping = true;
    const pageRows = 1 << ROW_PAGE_SHIFT;
    for (let p = 0; p * pageRows < rows.n; p++) {
      const b = this.lastBound[p];
      if (b !== undefined && b >= cutoff) continue;
      const end = Math.min(rows.n, (p + 1) * pageRows);
      let low = Infinity;
      for (let r = p * pageRows; r < end; r++) {
        if (rows.isDead(r)) continue;
        const last = rows.last(r);
        if (last < cutoff) this.expire(r);
        else if (last < low) low = last;
      }
      this.lastBound[p] = low;
    }
    // the rings of the pairs left (an expired pair's ring went with it)
    const trims: number[] = [];
    for (let c = 0; c < this.pools.length; c++) {
      const pool = this.pools[c];
      const bound = this.startBound[c];
      const per = pool.slotsPerPage;
      for (let p = 0; p * per < pool.live; p++) {
        const b = bound[p];
        if (b !== undefined && b >= cutoff) continue;
        const end = Math.min(pool.live, (p + 1) * per);
        let low = Infinity;
        for (let slot = p * per; slot < end; slot++) {
          // a trim needs the first time and the ring's start before the cutoff: either is a bound for the page
          const first = pool.first(slot);
          if (first >= cutoff) {
            if (first < low) low = first;
            continue;
          }
          const r = pool.owner(slot);
          const start = rows.last(r) - this.ringSum(pool, slot, rows.ringHead(r), rows.ringLen(r));
          if (start < cutoff) trims.push(r, start);
          else if (start < low) low = start;
        }
        bound[p] = low;
      }
    }
    // a trimmed ring moves (to a new slot, its start noted there); rows do not move while the sweep runs
    for (let i = 0; i < trims.length; i += 2) this.trim(trims[i], cutoff, trims[i + 1]);
    this.sweeping = false;
    if (this.counters.expired === expiredBefore) return;
    // interned values are renumbered only when most of them belong to expired pairs
    if (this.codes.interned > 1024 && this.codes.interned > 2 * this.internedRefs) this.compact(null, true);
    else if (rows.dead > rows.n * (this.options.compactDead ?? DEFAULT_COMPACT_DEAD)) this.compact(null, false);
  }

  /** An expired pair: its ring freed, its row dead in place. */
  private expire(r: number): void {
    const slot = this.rows.ringSlot(r);
    if (slot >= 0) this.releaseRing(this.rows.ringClass(r), slot);
    this.internedRefs -= this.internedIn(r);
    this.rows.kill(r);
    this.counters.expired++;
  }

  /** interned codes in row r's key */
  private internedIn(r: number): number {
    if (this.codes.interned === 0) return 0;
    let k = 0;
    for (let i = 0; i < this.scratch.length; i++) if (this.rows.key(r, i) >= INTERNED_BASE) k++;
    return k;
  }

  /** Compacts dead rows away before the rows are read by index (a no-op when there are none). */
  private settle(): void {
    if (this.rows.dead !== 0) this.compact(null, false);
  }

  /**
   * Drops dead rows and those in `drop` in place by moving the kept ones
   * down (order kept) and freeing the dropped ones' rings, then trims the
   * pages to what is left; with `reintern`, the interned values are coded
   * afresh in row order (those of dropped rows go), as a restored store
   * codes them.
   */
  private compact(drop: Uint8Array | null, reintern: boolean): void {
    const rows = this.rows;
    this.lastBound.length = 0;
    // the rows that go, a bit each, to renumber the index in place when only dead rows (already out of it) go
    const blocks = (rows.n + 31) >>> 5;
    const gone = new Uint32Array(blocks);
    let k = 0;
    for (let r = 0; r < rows.n; r++) {
      if (rows.isDead(r)) {
        gone[r >>> 5] |= 1 << (r & 31);
        continue;
      }
      if (drop && drop[r]) {
        if (rows.ringSlot(r) >= 0) this.releaseRing(rows.ringClass(r), rows.ringSlot(r));
        this.internedRefs -= this.internedIn(r);
        continue;
      }
      if (k !== r) {
        rows.move(k, r);
        if (rows.ringSlot(k) >= 0) this.pools[rows.ringClass(k)].setOwner(rows.ringSlot(k), k);
      }
      this.noteLast(k, rows.last(k));
      k++;
    }
    const removed = rows.n - k;
    rows.n = k;
    rows.dead = 0;
    rows.fit(k);
    for (const p of this.pools) p.fit();
    if (reintern && this.codes.interned > 0) {
      const old = this.codes;
      this.codes = new KeyCodes();
      for (let r = 0; r < k; r++) {
        for (let i = 0; i < this.scratch.length; i++) {
          const code = rows.key(r, i);
          if (code >= INTERNED_BASE) rows.setKey(r, i, this.codes.encode(old.decode(code)));
        }
      }
    }
    if (removed > 0 && !drop && !reintern) {
      const before = new Int32Array(blocks);
      let sum = 0;
      for (let i = 0; i < blocks; i++) {
        before[i] = sum;
        sum += popcount(gone[i]);
      }
      if (rows.renumber(gone, before)) return;
    }
    rows.reindex();
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

  /** Forgets a live pair's intervals that began before the cutoff (`ringStart`: where its ring reaches back to, last − its intervals, as the sweep read it). */
  private trim(row: number, cutoff: number, ringStart: number): void {
    const rows = this.rows;
    const len = rows.ringLen(row);
    if (len > 0) {
      // in place when the ring keeps its width: its oldest intervals go by moving its head
      const c = classFor(len);
      const pool = this.pools[c];
      const slot = rows.ringSlot(row);
      const head = rows.ringHead(row);
      const mask = pool.width - 1;
      let start = ringStart;
      if (start >= cutoff) return;
      let k = 0;
      while (k < len && start < cutoff) start += pool.get(slot, (head + k++) & mask);
      if (k < len && classFor(len - k) === c) {
        rows.setRingHead(row, (head + k) & mask);
        rows.setRingLen(row, len - k);
        pool.setFirst(slot, start);
        rows.setCount(row, len - k + 1);
        this.noteStart(c, slot, start);
        return;
      }
    }
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
   * pairs the periodicity test does not find periodic, in `byDoubt` order.
   * Periodic pairs, strobes and `protect` stay. Returns the protected
   * row's new index.
   */
  private evict(protect: number): number {
    if (this.rows.dead !== 0) {
      // the dead rows go first (the protected row's index follows): eviction reads the live rows by index
      if (protect >= 0) {
        let live = 0;
        for (let r = 0; r < protect; r++) if (!this.rows.isDead(r)) live++;
        protect = live;
      }
      this.compact(null, false);
    }
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
      for (const r of this.byDoubt(repeated)) {
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
    let moved = -1;
    if (protect >= 0) {
      moved = 0;
      for (let r = 0; r < protect; r++) if (!drop[r]) moved++;
    }
    this.compact(drop, true);
    if (this.bytes > cap) {
      this.counters.overCap++;
      this.evictBlockedUntil = this.bytes + cap / 8;
    } else {
      this.evictBlockedUntil = 0;
    }
    return moved;
  }

  /**
   * Repeated pairs, least likely to become a testable beacon first. A pair
   * whose mean interval is so long that the horizon cannot hold the hunt's
   * intervals goes first (oldest first); the others by how long they have
   * been silent against their own mean interval. Plain recency would drop a
   * slow beacon (4–6 h sleeps) between two callbacks, before it has enough
   * intervals for the periodicity test to protect it, while a browsing pair
   * revisited a minute apart an hour ago stayed.
   */
  private byDoubt(rows: number[]): number[] {
    const untestable = (2 * this.options.horizonSeconds * 1000) / DEFAULT_HUNT.minIntervals;
    const doubt = new Float64Array(this.rows.n);
    for (const r of rows) {
      const last = this.rows.last(r);
      const mean = Math.max(1000, (last - this.rows.first(r)) / Math.max(1, this.rows.count(r) - 1));
      const silent = Math.max(0, this.watermark - last);
      doubt[r] = mean > untestable ? 1e12 + silent : silent / mean;
    }
    return rows.sort((a, b) => doubt[b] - doubt[a] || this.rows.last(a) - this.rows.last(b) || a - b);
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
        const slot = this.rows.ringSlot(r);
        const head = this.rows.ringHead(r);
        for (let i = 0; i < len; i++) {
          const src = (head + i) & (pool.width - 1);
          d.rings[at] = pool.get(slot, src);
          if (d.sizes) d.sizes[at] = pool.size(slot, src);
          at++;
        }
      }
      k++;
    }
    return d;
  }

  /** Replaces the whole state with a dense one. */
  private loadDense(d: Dense): void {
    const rows = new PairTable(d.keys.length);
    rows.fit(d.n);
    this.rows = rows;
    this.codes = new KeyCodes();
    const codes = this.scratch;
    for (let r = 0; r < d.n; r++) {
      for (let i = 0; i < d.keys.length; i++) {
        const c = d.keys[i][r];
        codes[i] = c >= INTERNED_BASE ? this.codes.encode(d.values[c - INTERNED_BASE]) : c;
      }
      // the day counter's day is the last connection's (d.day), as the store keeps it
      rows.append(codes, d.first[r], rows.hash(codes));
      rows.setLast(r, d.last[r]);
      rows.setCount(r, d.count[r]);
      rows.setFlags(r, d.flags[r]);
      rows.setDayCount(r, d.dayCount[r]);
      rows.setRingLen(r, d.ringLen[r]);
    }
    const withSizes = Boolean(this.options.bytesField);
    this.pools = Array.from({ length: this.topClass + 1 }, (_, c) => new RingPool(2 << c, withSizes));
    rows.pools = this.pools;
    let at = 0;
    for (let r = 0; r < d.n; r++) {
      const len = d.ringLen[r];
      // a ringless pair's first time is its last; a saved one where it is not keeps it beside an empty ring
      if (len === 0 && d.first[r] === d.last[r]) continue;
      const c = classFor(len);
      const pool = this.pools[c];
      const slot = pool.alloc(r);
      pool.setFirst(slot, d.first[r]);
      for (let i = 0; i < len; i++) {
        pool.set(slot, i, d.rings[at + i]);
        if (d.sizes) pool.setSize(slot, i, d.sizes[at + i]);
      }
      rows.setRingSlot(r, slot);
      at += len;
    }
    this.lastBound = [];
    this.internedRefs = 0;
    for (let r = 0; r < d.n; r++) {
      this.noteLast(r, d.last[r]);
      this.internedRefs += this.internedIn(r);
    }
    this.startBound = this.pools.map(() => []);
    for (let r = 0; r < d.n; r++) {
      const slot = rows.ringSlot(r);
      if (slot < 0) continue;
      const c = rows.ringClass(r);
      this.noteStart(c, slot, d.last[r] - this.ringSum(this.pools[c], slot, 0, d.ringLen[r]));
    }
  }

  // ---------------------------------------------------------------- reading and scoring

  /** A pair's row index, or −1. */
  indexOf(key: readonly unknown[]): number {
    this.settle();
    if (key.length !== this.scratch.length) return -1;
    const codes = new Float64Array(key.length);
    for (let i = 0; i < key.length; i++) codes[i] = this.codes.encode(key[i]);
    return this.rows.find(codes, this.rows.hash(codes));
  }

  keyOf(row: number): unknown[] {
    this.settle();
    return Array.from(this.scratch, (_, i) => this.codes.decode(this.rows.key(row, i)));
  }

  /** A pair's ring: intervals in seconds (millisecond precision), oldest first, and their size codes. */
  intervalsOf(row: number): { seconds: number[]; sizes: number[] } {
    this.settle();
    const { intervals, sizes } = this.readRing(row);
    return { seconds: intervals.map((ms) => ms / 1000), sizes };
  }

  /** The ring as whole-second interval → count (what the histogram's 1 s buckets hold); intervals of 0 ms are left out. */
  intervalCounts(row: number): Map<number, number> {
    this.settle();
    const counts = new Map<number, number>();
    const n = this.intervalSeconds(row, this.secondsScratch());
    const seconds = this.scratchSeconds;
    for (let i = 0; i < n; i++) counts.set(seconds[i], (counts.get(seconds[i]) ?? 0) + 1);
    return counts;
  }

  /** The ring's intervals of more than 0 ms in whole seconds, one by one, into `out` (at least the ring's width long); how many. */
  intervalSeconds(row: number, out: Float64Array): number {
    this.settle();
    const len = this.rows.ringLen(row);
    if (len === 0) return 0;
    const pool = this.pools[this.rows.ringClass(row)];
    const slot = this.rows.ringSlot(row);
    const head = this.rows.ringHead(row);
    let n = 0;
    for (let i = 0; i < len; i++) {
      const ms = pool.get(slot, (head + i) & (pool.width - 1));
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
    this.settle();
    const v = verdictOf(this, row, periodicity, minIntervals);
    if (v.periodic) this.rows.setFlags(row, this.rows.flags(row) | FLAG_PERIODIC);
    return v;
  }

  /** What a pair's row holds besides its key and ring (for the scoring in pair-rows). */
  facts(row: number): PairFacts {
    this.settle();
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
    this.settle();
    return this.rows.key(row, field);
  }

  /** The size codes of a row's ring, oldest first. */
  sizeCodesOf(row: number): number[] {
    this.settle();
    return this.readRing(row).sizes;
  }

  /**
   * Scores every pair with enough intervals (and labels strobes), in row
   * order (deterministic), with its destination's distinct sources among
   * the pairs held. Prevalence needs no state of its own: it is read off
   * the pairs, so it is bounded with them.
   */
  hunt(options: HuntOptions = DEFAULT_HUNT): PairVerdict[] {
    this.settle();
    const rows: number[] = [];
    for (let r = 0; r < this.rows.n; r++) if (this.rows.flags(r) & FLAG_STROBE || this.rows.ringLen(r) >= options.minIntervals) rows.push(r);
    const out = rows.map((r) => this.verdict(r, options.periodicity, options.minIntervals));
    const sources = destinationSources(this, rows, options.prevalence);
    if (sources) out.forEach((v, i) => (v.destinationSources = sources[i]));
    return out;
  }

  /** A pair as a histogram row the scorer takes unchanged (pair-rows). */
  rowOf(row: number): LogRecord {
    this.settle();
    return pairRow(this, row);
  }

  // ---------------------------------------------------------------- checkpoint and restore

  /** The state as plain JSON data (columns as base64), ordered as held: restoring it gives the same store. */
  save(): PairHistoryState {
    this.settle();
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
    this.loadDense(dense);
    this.watermark = meta.watermark ?? -Infinity;
    this.nextSweep = meta.nextSweep ?? -Infinity;
    this.evictBlockedUntil = meta.evictBlockedUntil;
    Object.assign(this.counters, meta.counters);
  }
}
