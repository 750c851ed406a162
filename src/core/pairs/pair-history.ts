import { DEFAULT_PERIODICITY, isPeriodicSeconds, PeriodicityOptions } from '../scorer/periodicity';
import { LogRecord } from '../common/records';
import { makeSnapshot, openSnapshot, Snapshot } from '../common/snapshot';
import { EventTime, MAX_ABS_SECONDS, readEventTime } from '../common/time';
import { kthSmallest, OrderedBatches } from './evict-order';
import { INTERNED_BASE, KeyCodes, mixCode } from './key-codes';
import { RING_META, RingPool, ringWidths } from './ring-pool';
import { CLASS_SHIFT, PairTable, RINGED, ROW_PAGE_SHIFT } from './pair-table';
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
 * A pair seen once costs its row and its share of the hash index (20 B and
 * 5-11 B for a key of three fields: its time is in the row, its count and
 * day counter implied); it gets a ring only when it repeats, with its
 * times, count and day counter beside the ring (32 B), and the ring widens
 * (2, 4, 8, 16, 20, 24 … N intervals) as it fills, so memory follows the
 * number of pairs and the intervals they have, never a pair's rate beyond
 * N. When the
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
/** without a cap, at a compaction of dead rows the hash index may stay as big as this many times the rows left need */
const INDEX_SLACK = 1.25;
/** dead rows, as a fraction of the rows, past which a sweep compacts them away */
const DEFAULT_COMPACT_DEAD = 1 / 8;
/** an eviction pass's classes of candidate rows (neither: kept whatever happens) */
const ONE_SHOT = 1;
const REPEATED = 2;
/** what an eviction pass leaves, as a fraction of the cap, unless the options say (the hunt node: 7/8) */
const DEFAULT_EVICT_TO = 1 / 2;
/**
 * Place i (0 … 2·width − 1) of a ring of `width`, from its head: only the
 * widest pool's rings (a power of two) wrap, the narrower ones are filled
 * from place 0 and widened when full (or start further on after a trim in
 * place, and are widened before they would pass 2·width).
 */
function wrap(i: number, width: number): number {
  return i >= width ? i - width : i;
}

/** records read ahead at most (`readAhead`) */
const AHEAD = 16;
const SLOT_MASK = (1 << CLASS_SHIFT) - 1;

/** ringless rows keep their time in 32 bits from a base: moved on before the newest time would not fit */
const REBASE_AT = 0xffffffff;

export class PairHistory {
  readonly options: PairHistoryOptions;
  readonly counters: PairCounters = { events: 0, tooOld: 0, late: 0, forgotten: 0, expired: 0, evictedOneShot: 0, evictedRepeated: 0, overCap: 0 };
  private codes = new KeyCodes();
  /** the rows, row-major, and their hash index */
  private rows: PairTable;
  private pools: RingPool[] = [];
  private watermark = -Infinity;
  private nextSweep = -Infinity;
  /** per page of rows: no live ringless row in it was last seen earlier (a bound): a sweep reads only the pages that can hold an expired ringless pair (a ringed pair's expiry is found with its ring: last ≥ its ring's start) */
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
  /** read ahead (`readAhead`): the records in the order `add` is to get them, their key values, codes (under `aheadCodesOf`) and hashes */
  private readonly aheadRecords: (LogRecord | null)[] = new Array(AHEAD).fill(null);
  private readonly aheadValues: unknown[] = [];
  private readonly aheadCodes: Float64Array;
  private readonly aheadHash = new Int32Array(AHEAD);
  private readonly aheadAt = new Float64Array(AHEAD);
  private aheadCount = 0;
  private aheadNext = 0;
  private aheadCodesOf: KeyCodes | null = null;
  /** what read-ahead read, kept so the reads are not optimised away */
  aheadSink = 0;
  /** a ring's intervals in seconds, for the scoring */
  private scratchSeconds = new Float64Array(0);
  private readonly time: EventTime = { sec: 0, ticks: 0 };
  private readonly topClass: number;
  /** the ring widths by pool class (2, 4, 8, 16, 20, 24 … in quarter octaves up to the ring size) and the narrowest class for each length */
  private readonly widths: number[];
  private readonly classOf: Uint8Array;

  constructor(options: Partial<PairHistoryOptions> = {}) {
    this.options = { ...DEFAULT_PAIR_HISTORY, ...options, keyFields: [...(options.keyFields ?? DEFAULT_PAIR_HISTORY.keyFields)] };
    checkPairHistoryOptions(this.options);
    this.scratch = new Float64Array(this.options.keyFields.length);
    this.aheadCodes = new Float64Array(AHEAD * this.options.keyFields.length);
    this.widths = ringWidths(this.options.ringSize);
    this.topClass = this.widths.length - 1;
    this.classOf = new Uint8Array(this.options.ringSize + 1);
    for (let len = 0, c = 0; len <= this.options.ringSize; len++) {
      while (this.widths[c] < len) c++;
      this.classOf[len] = c;
    }
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

  /** a row and its share of the hash index (an estimate: the index is 2/3 to 3/4 full, 4 bytes a slot: 5.3–6 B) */
  private get rowBytes(): number {
    return this.rows.stride + 6;
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
      b += this.rowBytes + (this.rows.ringSlot(r) < 0 ? 0 : this.pools[this.rows.ringClass(r)].unitBytes);
    }
    return b;
  }

  /** the newest event time seen (epoch seconds), or null */
  get newestSeconds(): number | null {
    return Number.isFinite(this.watermark) ? this.watermark / 1000 : null;
  }

  /** Adds a record; false when its time is missing or not a time (nothing is kept). */
  add(record: LogRecord): boolean {
    const value = record[this.options.timeField];
    let ms: number;
    if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value / 1000) <= MAX_ABS_SECONDS) {
      // whole epoch milliseconds: what readEventTime and the sum below make of them (−0 as 0), without the object it parses into
      ms = value + 0;
    } else {
      if (!readEventTime(value, this.time)) return false;
      ms = this.time.sec * 1000 + Math.round(this.time.ticks / 10_000);
    }
    const f = this.options.keyFields;
    const codes = this.scratch;
    const bf = this.options.bytesField;
    const size = bf ? sizeCode(Number(record[bf])) : 0;
    let j = this.aheadNext;
    // a record read ahead and then not given (the caller skipped it) is passed over
    if (j < this.aheadCount && this.aheadRecords[j] !== record && this.aheadRecords[j + 1] === record) j++;
    if (j < this.aheadCount && this.aheadRecords[j] === record) {
      // read ahead: its codes (of the same key codes, for the same values) and hash are kept
      this.aheadNext = j + 1;
      this.aheadRecords[j] = null;
      if (this.aheadCodesOf === this.codes) {
        const k = f.length;
        let i = 0;
        while (i < k && record[f[i]] === this.aheadValues[j * k + i]) i++;
        if (i === k) {
          for (i = 0; i < k; i++) codes[i] = this.aheadCodes[j * k + i];
          this.addCoded(ms, size, this.aheadHash[j]);
          return true;
        }
      }
    }
    for (let i = 0; i < f.length; i++) codes[i] = this.codes.encode(record[f[i]]);
    this.addCoded(ms, size, this.rows.hash(codes));
    return true;
  }

  /**
   * Reads ahead for the records `add` is given next, in this order (up to
   * 16 of them): their pairs' hash slots (the first in the probe run whose
   * tag matches), rows, ring heads and the ring places (interval and size)
   * their connection goes to, each step for all of them before the
   * next, so the cache misses of different records overlap instead of
   * coming one after the other (a known pair's connection reads its slot,
   * then its row, then its ring's head, then its ring). Nothing changes:
   * `add` gives the same results with or without it. Their key codes and
   * hashes are kept for `add` to reuse, for a record it is then given with
   * the same values under the same coding; a value not coded yet (a name
   * seen for the first time) is left to `add`.
   */
  readAhead(records: readonly unknown[], from = 0, to = records.length): void {
    const f = this.options.keyFields;
    const k = f.length;
    const coder = this.codes;
    const rows = this.rows;
    const codes = this.aheadCodes;
    let m = 0;
    for (let j = from; j < to && m < AHEAD; j++) {
      const record = records[j] as LogRecord;
      if (record === null || typeof record !== 'object') continue;
      let i = 0;
      let h = 0x811c9dc5;
      for (; i < k; i++) {
        const v = record[f[i]];
        const c = coder.peek(v);
        if (c < 0) break;
        this.aheadValues[m * k + i] = v;
        codes[m * k + i] = c;
        h = mixCode(h, c);
      }
      if (i < k) continue;
      this.aheadRecords[m] = record;
      this.aheadHash[m] = h;
      m++;
    }
    for (let j = m; j < this.aheadCount; j++) this.aheadRecords[j] = null;
    this.aheadCount = m;
    this.aheadNext = 0;
    this.aheadCodesOf = coder;
    // each step for every record before the next: the reads of one step do not wait for each other
    const at = this.aheadAt;
    for (let j = 0; j < m; j++) at[j] = rows.probeRow(this.aheadHash[j]);
    for (let j = 0; j < m; j++) if (at[j] >= 0) at[j] = rows.ringRef(at[j]);
    let sink = 0;
    const pools = this.pools;
    for (let j = 0; j < m; j++) {
      const ref = at[j];
      if (ref < 0) continue;
      const pool = pools[ref >>> CLASS_SHIFT];
      const slot = ref & SLOT_MASK;
      const hl = pool.headWord(slot);
      // where its next interval and its size go (a hint: a full ring forgets its oldest first); the sizes are a page of
      // their own, so a write there not read ahead was a cache miss of its own for each connection
      const place = ((hl & 0xffff) + (hl >>> 16)) % pool.width;
      sink += pool.peekInterval(slot, place) + pool.peekSize(slot, place) + pool.peekLast(slot);
    }
    this.aheadSink = sink;
  }

  /** Adds one connection of a pair at `seconds` (epoch, fractions kept to the millisecond). */
  addEvent(key: readonly unknown[], seconds: number, bytes?: number): void {
    if (key.length !== this.scratch.length) throw new Error(`a pair key has ${this.scratch.length} values, not ${key.length}`);
    for (let i = 0; i < key.length; i++) this.scratch[i] = this.codes.encode(key[i]);
    this.addCoded(Math.round(seconds * 1000), bytes === undefined ? 0 : sizeCode(bytes), this.rows.hash(this.scratch));
  }

  /** A connection of the pair whose codes are in `scratch` (and `h` their hash). */
  private addCoded(ms: number, size: number, h: number): void {
    if (!Number.isFinite(ms)) return;
    this.counters.events++;
    if (ms > this.watermark) {
      this.watermark = ms;
      if (ms >= this.nextSweep) {
        const coder = this.codes;
        this.sweep();
        // the sweep re-interned the values (most belonged to expired pairs): this pair's codes are carried across as values
        if (this.codes !== coder) h = this.recode(coder);
      }
      if (ms - this.rows.base >= REBASE_AT) this.rebase();
    }
    if (ms < this.watermark - this.options.horizonSeconds * 1000) {
      this.counters.tooOld++;
      return;
    }
    const rows = this.rows;
    let row = rows.find(this.scratch, h);
    if (row < 0) {
      this.insert(h, ms);
      return;
    }
    if (this.addInOrder(row, ms, size)) return;
    if (ms >= this.rows.last(row)) {
      // in order, but the ring has no room: a ring for a pair seen once, or a wider one; then it is the common case
      row = this.makeRoom(row);
      if (!this.addInOrder(row, ms, size)) throw new Error('internal: a ring with room refused a connection in order');
      return;
    }
    this.counters.late++;
    row = this.placeLate(row, ms, size);
    // the day counter after the ring is placed: a ringless row's is implied (1), and the ring (where it is kept) may be new
    this.countDay(row, ms);
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
    const fb = o * rows.stride + rows.oFlags;
    if (!(pg.u8[fb] & RINGED)) return false;
    const ref = pg.u32[o * rows.s4 + rows.oWord];
    const c = ref >>> CLASS_SHIFT;
    const slot = ref & ((1 << CLASS_SHIFT) - 1);
    const pool = this.pools[c];
    const m = pool.at(slot);
    const u = pool.cu;
    const f = pool.cf;
    const lastAt = (m >> 1) + RING_META.LAST;
    const last = f[lastAt];
    if (!(ms >= last)) return false;
    const hl = u[m + RING_META.HEAD_LEN];
    let len = hl >>> 16;
    const width = pool.width;
    if (len === width && c !== this.topClass) return false;
    // the day counter (countDay): a connection of a later day starts it again
    const dayCount = Math.floor(ms / DAY_MS) > Math.floor(last / DAY_MS) ? 1 : u[m + RING_META.DAY_COUNT] + 1;
    u[m + RING_META.DAY_COUNT] = dayCount;
    if (dayCount >= this.options.strobePerDay) pg.u8[fb] |= FLAG_STROBE;
    let head = hl & 0xffff;
    if (len === width) {
      // full at N: the oldest interval goes
      head = (head + 1) & (width - 1);
      len--;
      this.counters.forgotten++;
    }
    const at = wrap(head + len, width);
    pool.ci[(slot & pool.mask) * width + at] = Math.min(ms - last, MAX_INTERVAL_MS);
    pool.setSize(slot, at, size);
    u[m + RING_META.HEAD_LEN] = head | ((len + 1) << 16);
    f[lastAt] = ms;
    u[m + RING_META.COUNT]++;
    return true;
  }

  /** The pair in `scratch`, coded under `old`, coded afresh under the current codes; its hash. */
  private recode(old: KeyCodes): number {
    for (let i = 0; i < this.scratch.length; i++) this.scratch[i] = this.codes.encode(old.decode(this.scratch[i]));
    return this.rows.hash(this.scratch);
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
    if (Number.isNaN(this.rows.base)) this.rows.base = this.baseFor(ms);
    // seen once: count 1 and day counter 1 (a strobe at once when the threshold is 1), implied by a ringless row
    let r = this.rows.append(this.scratch, ms, 1 >= this.options.strobePerDay ? FLAG_STROBE : 0, h);
    if (!this.rows.fits(ms)) r = this.giveRing(r, ms, ms, 1, 1);
    this.noteLast(r, ms);
    for (let i = 0; i < this.scratch.length; i++) if (this.scratch[i] >= INTERNED_BASE) this.internedRefs++;
  }

  /** A ringless row's base for times from `ms` on: late connections up to the horizon (and a sweep) before it fit. */
  private baseFor(ms: number): number {
    return Math.floor(ms) - (this.options.horizonSeconds + this.options.sweepSeconds) * 1000;
  }

  /**
   * Moves the ringless rows' base forward as event time moves on (every
   * ~42 days of event time at a 7-day horizon). Dead rows are passed over.
   * Rows whose time does not fit the new base (none while every row is
   * within the horizon and its sweep) are given rings, without eviction.
   */
  private rebase(): void {
    const misfits = this.rows.rebase(this.baseFor(this.watermark));
    const sweeping = this.sweeping;
    this.sweeping = true;
    for (let i = 0; i < misfits.length; i += 2) this.giveRing(misfits[i], misfits[i + 1], misfits[i + 1], 1, 1);
    this.sweeping = sweeping;
  }

  /** Gives a ringless row an empty ring in the narrowest pool, with these facts (for state a ringless row cannot imply); returns the row's index. */
  private giveRing(row: number, first: number, last: number, count: number, dayCount: number): number {
    const a = this.allocRing(row, 0);
    this.rows.setRing(a.row, 0, a.slot);
    this.pools[0].setFacts(a.slot, first, last, count, dayCount, 0, 0);
    // an empty ring reaches back to the last time
    this.noteStart(0, a.slot, last);
    return a.row;
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

  /** Row r (a page of rows) holds a pair last seen at `ms` (the pages' bounds are over ringless rows: a ringed row's time is bounded with its ring). */
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
    const width = pool.width;
    let sum = 0;
    for (let i = 0; i < len; i++) sum += pool.get(slot, wrap(head + i, width));
    return sum;
  }

  /**
   * Room in a row's ring for one more interval: a ring for a pair without
   * one (its count, day counter and first time are then kept beside it), a
   * wider ring for a full one below the widest (a full widest ring forgets
   * its oldest as the interval goes in). Returns the row's index (eviction
   * may move it).
   */
  private makeRoom(row: number): number {
    const rows = this.rows;
    if (!rows.ringed(row)) {
      const last = rows.last(row);
      return this.giveRing(row, last, last, 1, 1);
    }
    const c = rows.ringClass(row);
    if (c < this.topClass && rows.ringLen(row) === this.pools[c].width) return this.widen(row);
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
    const sum = to.copyRing(from, oldSlot, a.slot);
    this.noteStart(c + 1, a.slot, to.last(a.slot) - sum);
    this.releaseRing(c, oldSlot);
    this.rows.setRing(row, c + 1, a.slot);
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
      const at = wrap(head + i, pool.width);
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
    // the facts kept beside the ring are carried to the new one (with no ring left, the first time is the last)
    const last = this.rows.last(row);
    const first = len === 0 ? last : this.rows.first(row);
    const count = this.rows.count(row);
    const dayCount = this.rows.dayCount(row);
    const old = this.rows.ringSlot(row);
    if (old >= 0) {
      this.releaseRing(this.rows.ringClass(row), old);
      // ringless while a new ring is found (an eviction then moves it as one)
      this.rows.clearRing(row, last);
    }
    // no ring left: a ringless row, unless its day counter is not the implied 1 (or its time does not fit): then an empty ring keeps it
    if (len === 0 && dayCount === 1 && this.rows.fits(last)) {
      // its time is now in the row: its page's bound (of ringless rows) takes it
      this.noteLast(row, last);
      return row;
    }
    const c = this.classOf[len];
    const a = this.allocRing(row, c);
    row = a.row;
    const pool = this.pools[c];
    let sum = 0;
    for (let i = 0; i < len; i++) {
      sum += intervals[drop + i];
      pool.set(a.slot, i, intervals[drop + i]);
      pool.setSize(a.slot, i, sizes[drop + i]);
    }
    pool.setFacts(a.slot, first, last, count, dayCount, 0, len);
    this.noteStart(c, a.slot, last - sum);
    this.rows.setRing(row, c, a.slot);
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
      // from the newest back: a late connection is seldom more than a few intervals late
      let end = rows.last(row);
      for (let j = len - 1; j >= 0; j--) {
        const start = end - pool.get(slot, wrap(head + j, pool.width));
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
    const width = pool.width;
    const at = (k: number) => wrap(head + k, width);
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
      this.rows.setRingHead(row, (head + 1) & (width - 1));
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
   * read (their bounds say which). An expired pair's row dies in place: its
   * ring freed, its hash slot passed over by lookups (the compaction
   * rebuilds the index once), skipped by everything that walks the rows;
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
    // ringless rows, their time read in the row; a ringed row's is beside its ring, read below with the rings' pages
    for (let p = 0; p * pageRows < rows.n; p++) {
      const b = this.lastBound[p];
      if (b !== undefined && b >= cutoff) continue;
      const end = Math.min(rows.n, (p + 1) * pageRows);
      let low = Infinity;
      for (let r = p * pageRows; r < end; r++) {
        const last = rows.ringlessLast(r);
        if (!(last >= cutoff)) {
          // NaN: a ringed or dead row
          if (last < cutoff) this.expire(r);
        } else if (last < low) low = last;
      }
      this.lastBound[p] = low;
    }
    // the rings, page by page: their pairs' last times (expiry), where they reach back to (trims)
    const expired: number[] = [];
    const trims: number[] = [];
    for (let c = 0; c < this.pools.length; c++) {
      const pool = this.pools[c];
      const bound = this.startBound[c];
      const per = pool.slotsPerPage;
      const width = pool.width;
      for (let p = 0; p * per < pool.live; p++) {
        const b = bound[p];
        if (b !== undefined && b >= cutoff) continue;
        const end = Math.min(pool.live, (p + 1) * per);
        let low = Infinity;
        for (let slot = p * per; slot < end; slot++) {
          // a trim needs the first time and the ring's start before the cutoff, expiry the last time (after both): either is a bound for the page
          const m = pool.at(slot);
          const f = pool.cf;
          const first = f[(m >> 1) + RING_META.FIRST];
          if (first >= cutoff) {
            if (first < low) low = first;
            continue;
          }
          const last = f[(m >> 1) + RING_META.LAST];
          if (last < cutoff) {
            expired.push(pool.cu[m + RING_META.OWNER]);
            continue;
          }
          const hl = pool.cu[m + RING_META.HEAD_LEN];
          const head = hl & 0xffff;
          const len = hl >>> 16;
          const ci = pool.ci;
          const at0 = (slot & pool.mask) * width;
          let start = last;
          for (let i = 0; i < len; i++) start -= ci[at0 + wrap(head + i, width)];
          if (start >= cutoff) {
            if (start < low) low = start;
            continue;
          }
          // the oldest intervals that began before the cutoff go: in place (the head moves) when the ring keeps its width (the
          // narrowest that holds what is left, as writeRing would choose); else the ring moves, once the scan is done
          const ringStart = start;
          let k = 0;
          while (k < len && start < cutoff) start += ci[at0 + wrap(head + k++, width)];
          if (k < len && this.classOf[len - k] === c) {
            pool.cu[m + RING_META.HEAD_LEN] = wrap(head + k, width) | ((len - k) << 16);
            f[(m >> 1) + RING_META.FIRST] = start;
            pool.cu[m + RING_META.COUNT] = len - k + 1;
            if (start < low) low = start;
          } else trims.push(pool.cu[m + RING_META.OWNER], ringStart);
        }
        bound[p] = low;
      }
    }
    // then the pairs whose last time left the horizon (their rings freed: others move into their slots), then the rings that
    // move to a narrower pool (to a new slot, its start noted there); rows do not move while the sweep runs
    for (const r of expired) this.expire(r);
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
    let k = 0;
    for (let r = 0; r < rows.n; r++) {
      if (rows.isDead(r)) continue;
      if (drop && drop[r]) {
        if (rows.ringSlot(r) >= 0) this.releaseRing(rows.ringClass(r), rows.ringSlot(r));
        this.internedRefs -= this.internedIn(r);
        continue;
      }
      if (k !== r) {
        rows.move(k, r);
        if (rows.ringSlot(k) >= 0) this.pools[rows.ringClass(k)].setOwner(rows.ringSlot(k), k);
      }
      // the rows' pages bound the ringless rows' times (a ringed row's is bounded with its ring's page)
      const last = rows.ringlessLast(k);
      if (!Number.isNaN(last)) this.noteLast(k, last);
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
    // without a cap, after dropping only dead rows, the index may stay up to two size steps too big: the rows grow back between
    // compactions, and an index in eighths would otherwise be rehashed down at each and up again as new rows come (under a cap
    // it fits the rows). Either way it is rebuilt: the dead rows kept their slots until now.
    // (kept when it is no bigger than 1.25 times the rows left need: compared as slots, the eighths' rounding made a store past
    // its horizon, which compacts at 8/7 of its rows, shrink the index at some compactions and grow it back twice after them)
    rows.reindex(removed > 0 && !drop && !reintern && this.options.maxBytes === null ? Math.ceil(k * INDEX_SLACK) : 0);
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
      // in place when the ring keeps its width (the narrowest that holds what is left, as writeRing would choose): its oldest intervals go by moving its head
      const c = rows.ringClass(row);
      const pool = this.pools[c];
      const slot = rows.ringSlot(row);
      const head = rows.ringHead(row);
      const width = pool.width;
      let start = ringStart;
      if (start >= cutoff) return;
      let k = 0;
      while (k < len && start < cutoff) start += pool.get(slot, wrap(head + k++, width));
      if (k < len && this.classOf[len - k] === c) {
        pool.setHead(slot, wrap(head + k, width));
        pool.setLen(slot, len - k);
        pool.setFirst(slot, start);
        pool.setCount(slot, len - k + 1);
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
    // with no interval left the first time is the last (an empty ring kept for the day counter keeps that too)
    if (intervals.length > 0) this.rows.setFirst(row, start);
    this.rows.setCount(row, intervals.length + 1);
  }

  /**
   * Evicts under the cap until the store would take `evictTo` of it (half
   * by default, 7/8 in the hunt node) once rebuilt: one-shot pairs, least recently active first;
   * then repeated pairs the periodicity test does not find periodic, in
   * `byDoubt` order. Periodic pairs, strobes and `protect` stay. Returns
   * the protected row's new index. The candidates are read into typed
   * arrays: the one-shot pairs a pass takes are the k oldest, found by a
   * selection (not a sort of them all); the repeated ones are sorted in
   * batches, as far as the pass reaches.
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
    const rows = this.rows;
    const cap = this.options.maxBytes as number;
    const target = cap * (this.options.evictTo ?? DEFAULT_EVICT_TO);
    const perRow = this.rowBytes;
    const n = rows.n;
    let estimate = this.bytes;
    const drop = new Uint8Array(n);
    // each row classified once: a ringed row's count is in its ring pool (a cache miss a row), read by one scan, not five
    const kind = new Uint8Array(n);
    let ones = 0;
    let repeats = 0;
    for (let r = 0; r < n; r++) {
      if (r === protect || rows.flags(r) & (FLAG_STROBE | FLAG_PERIODIC)) continue;
      if (rows.count(r) === 1) {
        kind[r] = ONE_SHOT;
        ones++;
      } else {
        kind[r] = REPEATED;
        repeats++;
      }
    }
    // one-shot pairs: each frees a row, so the pass takes the k oldest (by last time, then row) for the k it needs
    let k = 0;
    while (k < ones && estimate > target) {
      estimate -= perRow;
      k++;
    }
    if (k === ones) {
      for (let r = 0; r < n; r++) if (kind[r] === ONE_SHOT) drop[r] = 1;
    } else if (k > 0) {
      const times = new Float64Array(ones);
      let i = 0;
      for (let r = 0; r < n; r++) if (kind[r] === ONE_SHOT) times[i++] = rows.last(r);
      const t = kthSmallest(times, ones, k - 1);
      let ties = k;
      for (let r = 0; r < n; r++) if (kind[r] === ONE_SHOT && rows.last(r) < t) ties--;
      // those older than the k-th, and the ties at its time in row order (a stable sort's prefix of k)
      for (let r = 0; r < n; r++) {
        if (kind[r] !== ONE_SHOT) continue;
        const last = rows.last(r);
        if (last < t) drop[r] = 1;
        else if (last === t && ties > 0) {
          drop[r] = 1;
          ties--;
        }
      }
    }
    this.counters.evictedOneShot += k;
    if (estimate > target && repeats > 0) {
      const found = new Uint32Array(repeats);
      let ringTotal = 0;
      for (let r = 0, i = 0; r < n; r++) {
        if (kind[r] !== REPEATED) continue;
        found[i++] = r;
        ringTotal += this.ringBytesOf(r);
      }
      const order = this.byDoubt(found);
      const seconds = this.secondsScratch();
      while (estimate > target && !order.done) {
        // enough for what is left to free at the candidates' mean size, twice over (periodic ones are passed over)
        const batch = order.next(2 * Math.ceil((estimate - target) / (perRow + ringTotal / repeats)) + 256);
        for (let i = 0; i < batch.length; i++) {
          if (estimate <= target) break;
          const r = found[batch[i]];
          // the verdict verdictOf(…, DEFAULT_PERIODICITY, 2) gives (whole-second intervals, at least 2), without its objects
          const m = this.intervalSeconds(r, seconds);
          if (m >= 2 && isPeriodicSeconds(seconds, m, DEFAULT_PERIODICITY)) {
            rows.setFlags(r, rows.flags(r) | FLAG_PERIODIC);
            continue;
          }
          drop[r] = 1;
          estimate -= perRow + this.ringBytesOf(r);
          this.counters.evictedRepeated++;
        }
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

  /** the bytes of row r's ring slot (0 when ringless) */
  private ringBytesOf(r: number): number {
    return this.rows.ringSlot(r) < 0 ? 0 : this.pools[this.rows.ringClass(r)].unitBytes;
  }

  /**
   * Repeated pairs (rows, ascending), least likely to become a testable
   * beacon first, handed out in sorted batches. A pair whose mean interval
   * is so long that the horizon cannot hold the hunt's intervals goes
   * first (oldest first); the others by how long they have been silent
   * against their own mean interval. Plain recency would drop a slow
   * beacon (4–6 h sleeps) between two callbacks, before it has enough
   * intervals for the periodicity test to protect it, while a browsing
   * pair revisited a minute apart an hour ago stayed.
   */
  private byDoubt(found: Uint32Array): OrderedBatches {
    const untestable = (2 * this.options.horizonSeconds * 1000) / DEFAULT_HUNT.minIntervals;
    const doubt = new Float64Array(found.length);
    const lasts = new Float64Array(found.length);
    for (let i = 0; i < found.length; i++) {
      const r = found[i];
      const last = this.rows.last(r);
      const mean = Math.max(1000, (last - this.rows.first(r)) / Math.max(1, this.rows.count(r) - 1));
      const silent = Math.max(0, this.watermark - last);
      doubt[i] = mean > untestable ? 1e12 + silent : silent / mean;
      lasts[i] = last;
    }
    // candidates are in row order: their index breaks the last ties as the row would
    return new OrderedBatches(found.length, (a, b) => doubt[b] - doubt[a] || lasts[a] - lasts[b] || a - b);
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
          const src = wrap(head + i, pool.width);
          d.rings[at] = pool.get(slot, src);
          if (d.sizes) d.sizes[at] = pool.size(slot, src);
          at++;
        }
      }
      k++;
    }
    return d;
  }

  /** Replaces the whole state with a dense one (saved when event time was at `watermark`). */
  private loadDense(d: Dense, watermark = -Infinity): void {
    const rows = new PairTable(d.keys.length);
    rows.fit(d.n);
    this.rows = rows;
    this.codes = new KeyCodes();
    const withSizes = Boolean(this.options.bytesField);
    this.pools = Array.from({ length: this.topClass + 1 }, (_, c) => new RingPool(this.widths[c], withSizes));
    rows.pools = this.pools;
    // a row is ringless when its ring is empty and the rest is what a ringless row implies (count 1, day counter 1, first time = last)
    const ringless = (r: number) => d.ringLen[r] === 0 && d.first[r] === d.last[r] && d.count[r] === 1 && d.dayCount[r] === 1;
    let base = Number.isFinite(watermark) ? this.baseFor(watermark) : Infinity;
    for (let r = 0; r < d.n; r++) if (ringless(r)) base = Math.min(base, Math.floor(d.last[r]));
    rows.base = Number.isFinite(base) ? base : NaN;
    const codes = this.scratch;
    for (let r = 0; r < d.n; r++) {
      for (let i = 0; i < d.keys.length; i++) {
        const c = d.keys[i][r];
        codes[i] = c >= INTERNED_BASE ? this.codes.encode(d.values[c - INTERNED_BASE]) : c;
      }
      rows.append(codes, d.last[r], d.flags[r], rows.hash(codes));
    }
    let at = 0;
    for (let r = 0; r < d.n; r++) {
      const len = d.ringLen[r];
      // a saved pair a ringless row cannot describe (an empty ring whose first time is not its last, a day counter above 1, a time out of reach) keeps its facts beside an empty ring
      if (ringless(r) && rows.fits(d.last[r])) continue;
      const c = this.classOf[len];
      const pool = this.pools[c];
      const slot = pool.alloc(r);
      // the day counter's day is the last connection's (d.day), as the store keeps it
      pool.setFacts(slot, d.first[r], d.last[r], d.count[r], d.dayCount[r], 0, len);
      for (let i = 0; i < len; i++) {
        pool.set(slot, i, d.rings[at + i]);
        if (d.sizes) pool.setSize(slot, i, d.sizes[at + i]);
      }
      rows.setRing(r, c, slot);
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
      const ms = pool.get(slot, wrap(head + i, pool.width));
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
    this.loadDense(dense, meta.watermark ?? -Infinity);
    this.watermark = meta.watermark ?? -Infinity;
    this.nextSweep = meta.nextSweep ?? -Infinity;
    this.evictBlockedUntil = meta.evictBlockedUntil;
    Object.assign(this.counters, meta.counters);
  }
}
