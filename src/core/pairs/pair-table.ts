import { mixCode, mixParts } from './key-codes';
import type { RingPool } from './ring-pool';

/**
 * The pair history's rows, row-major, and their hash index. A row holds a
 * pair's key codes, one word and a flags byte (20 bytes for a key of three
 * fields): a pair seen once keeps its time in that word, as whole
 * milliseconds from the table's base (`base`); a pair with a ring keeps
 * there where its ring is (pool class and slot), and its times, count, day
 * counter and ring place live beside the ring (ring-pool). Most pairs of a
 * site are seen once; they pay for a row and a hash slot only. One
 * connection of a known pair reads its hash slot, its row and its ring's
 * head and newest interval.
 * Each hash slot keeps the high bits of the pair's hash beside its row
 * number in one 32-bit word, so a probe that meets another pair seldom
 * reads that pair's row.
 *
 * A key code (below 2^40) is kept as its low 32 bits and a high byte. What
 * a ringless row does not keep is implied: count 1, day counter 1 (on the
 * day of its time), first time = last time. A pair whose state those do
 * not describe (or whose time is not a whole millisecond within 2^32 − 1 ms
 * of the base) is given a ring slot, empty if need be. The base moves
 * forward as event time does (`rebase`), so every time within the horizon
 * fits.
 *
 * An expired row dies in place (flag DEAD, its word meaning nothing; its
 * key and hash slot kept, `find` passes over it) until the store compacts
 * the rows and the index is rebuilt once; a count of 0 cannot mark it,
 * since a ringless row keeps none.
 *
 * The rows live in pages of 8,192 rows (the last one sized to the rows it
 * holds, in powers of two), so the store grows without copying itself and
 * what it allocates is a function of the rows it holds: a byte cap can be
 * a cap on the arrays.
 */

/** the flags byte's bit for "the word is a ring reference" (the other bits are the store's flags) */
export const RINGED = 0x80;
/** the flags byte's bit for a dead row (expired, no ring, its hash slot kept but passed over, waiting for a compaction): a ringless row has no count to mark it */
export const DEAD = 0x40;
const TWO_32 = 4294967296;
/** a ring reference: pool class in the top 6 bits, slot below */
export const CLASS_SHIFT = 26;
const SLOT_MASK = (1 << CLASS_SHIFT) - 1;
/** the largest time offset a ringless row keeps (exclusive) */
export const MAX_OFFSET = 0xffffffff;
const DAY_MS = 86_400_000;
/** bytes of one hash slot: (hash's high bits) | (row + 1), 0: empty */
const SLOT_BYTES = 4;
const SHIFT = 13;
const PAGE_ROWS = 1 << SHIFT;
/** rows per page, as a shift: row r is in page r >>> ROW_PAGE_SHIFT */
export const ROW_PAGE_SHIFT = SHIFT;
const MASK = PAGE_ROWS - 1;
/** the smallest last page, in rows */
const MIN_TAIL = 64;
/** the index grows past three quarters full (linear probing over 4-byte slots: a probe run stays within a cache line or two) */
const MAX_LOAD = 0.75;
const MIN_SLOTS = 1024;
/** slots of a probe run read ahead at most (`probeRow`): 4-byte slots, so 8 are within one or two cache lines */
const AHEAD_PROBES = 8;
/** rows placed at once when the index is rebuilt (in the order of their home slots) */
const REINDEX_CHUNK = 1 << 17;
/** the home slots' high bits a rebuild sorts a chunk by */
const BUCKET_BITS = 12;
/** index sizes go up in eighths of a power of two (2^k · 9/8, 10/8 … 16/8), not by doubling: 3/4 … 2/3 full, not 3/4 … 3/8 */
const SIZE_STEPS = 8;

/** Rows a page holds when it is the last of `n` rows' pages (0: no such page). */
function tailRows(n: number): number {
  const rem = n & MASK;
  return rem === 0 ? 0 : Math.max(MIN_TAIL, pow2AtLeast(rem));
}

/** The smallest power of two ≥ x (1 ≤ x ≤ 2^30), in integer arithmetic. */
export function pow2AtLeast(x: number): number {
  return x <= 1 ? 1 : 2 << (31 - Math.clz32(x - 1));
}

/** One page's bytes as words and as bytes. */
export class Page {
  readonly u32: Uint32Array;
  readonly u8: Uint8Array;
  constructor(bytes: number) {
    const buf = new ArrayBuffer(bytes);
    this.u32 = new Uint32Array(buf);
    this.u8 = new Uint8Array(buf);
  }
}

/** Hash slots for n rows: the fewest, in eighths of a power of two, that hold n at the highest load. */
export function slotsFor(n: number): number {
  const want = Math.ceil(n / MAX_LOAD);
  if (want <= MIN_SLOTS) return MIN_SLOTS;
  const step = pow2AtLeast(want) / (2 * SIZE_STEPS);
  return Math.ceil(want / step) * step;
}

export class PairTable {
  /** bytes per row */
  readonly stride: number;
  /** rows held (0 … n − 1), dead ones included */
  n = 0;
  /** dead rows among them (flag DEAD, no ring, their hash slots passed over): expired, waiting for the next compaction */
  dead = 0;
  private readonly k: number;
  /** the stride in u32 units */
  readonly s4: number;
  /** where the fields are in a row: the key words and the time-or-ring word (u32 units), key high bytes and flags (bytes) */
  readonly oKey: number;
  readonly oWord: number;
  readonly oHi: number;
  readonly oFlags: number;
  /** ringless rows' times are whole milliseconds from here (NaN until the first row) */
  base = NaN;
  private pages: Page[] = [];
  // the page last read or written: the hot path reads and writes one row a dozen times
  private page = -1;
  /** the page of the row `at` was last asked for (the hot path reads it directly) */
  cur: Page = new Page(0);
  /**
   * open addressing, linear probing: (hash & ~mask) | (row + 1) per slot, `mask` the power of two at or above the
   * slots, less one (row + 1 ≤ mask); a hash's home slot is its low bits scaled to the slots (`scale`: slots / (mask + 1),
   * 1 when the slots are a power of two), its high bits the tag
   */
  private index = new Int32Array(MIN_SLOTS);
  private mask = MIN_SLOTS - 1;
  private scale = 1;
  /** the ring pools by class, where a ringed row's facts are (set by the store) */
  pools: RingPool[] = [];

  constructor(keyCount: number) {
    this.k = keyCount;
    const used = 4 * (keyCount + 1) + keyCount + 1;
    this.stride = Math.ceil(used / 4) * 4;
    this.s4 = this.stride / 4;
    this.oKey = 0;
    this.oWord = keyCount;
    this.oHi = 4 * (keyCount + 1);
    this.oFlags = this.oHi + keyCount;
  }

  /** The bytes `n` rows take as allocated: their pages and the hash index. */
  bytesFor(n: number): number {
    return ((n >>> SHIFT) * PAGE_ROWS + tailRows(n)) * this.stride + slotsFor(n) * SLOT_BYTES;
  }

  /** bytes of the pages and the index as allocated now */
  get allocatedBytes(): number {
    let b = this.index.byteLength;
    for (const p of this.pages) b += p.u8.byteLength;
    return b;
  }

  /** rows the pages have room for */
  get capacity(): number {
    const pages = this.pages.length;
    return pages === 0 ? 0 : (pages - 1) * PAGE_ROWS + this.pages[pages - 1].u8.byteLength / this.stride;
  }

  /** Pages for `rows` rows (at least the rows held), each as `bytesFor` counts it; the rows held are kept. */
  fit(rows: number): void {
    const full = rows >>> SHIFT;
    const tail = tailRows(rows);
    const pages = full + (tail > 0 ? 1 : 0);
    this.page = -1;
    this.pages.length = Math.min(this.pages.length, pages);
    for (let p = 0; p < pages; p++) {
      const want = (p < full ? PAGE_ROWS : tail) * this.stride;
      const had = p < this.pages.length ? this.pages[p].u8 : null;
      if (had && had.byteLength === want) continue;
      const page = new Page(want);
      if (had) page.u8.set(had.byteLength > want ? had.subarray(0, want) : had);
      this.pages[p] = page;
    }
  }

  /** Whether a ringless row can keep time `ms` (a whole millisecond offset from the base below 2^32 − 1). */
  fits(ms: number): boolean {
    const o = ms - this.base;
    return o >= 0 && o < MAX_OFFSET && o === Math.floor(o);
  }

  /**
   * A new ringless row for a pair seen once at `ms` (which `fits`, or the
   * store gives the row a ring at once) with these flags; its index. Makes
   * room and indexes it under `h`.
   */
  append(codes: Float64Array, ms: number, flags: number, h: number): number {
    const r = this.n;
    if (r === this.capacity) this.fit(r + 1);
    this.n++;
    const pg = this.pages[r >>> SHIFT];
    const o = r & MASK;
    const w = o * this.s4;
    const u8 = pg.u8;
    const hi = o * this.stride + this.oHi;
    for (let i = 0; i < this.k; i++) {
      const c = codes[i];
      pg.u32[w + this.oKey + i] = c >>> 0;
      u8[hi + i] = Math.floor(c / TWO_32);
    }
    pg.u32[w + this.oWord] = this.fits(ms) ? ms - this.base : 0;
    u8[o * this.stride + this.oFlags] = flags;
    if (this.n > this.slots * MAX_LOAD) this.reindex();
    else this.place(h, r);
    return r;
  }

  /**
   * Marks row r dead (its ring released by the caller): flagged DEAD (no
   * other flag, no ring) until compacted away. Its key stays, and so does
   * its hash slot (`find` passes over a dead row): taking each expired row
   * out of the index one by one read the row of every slot after it in its
   * probe run; the compaction rebuilds the index once instead.
   */
  kill(r: number): void {
    const o = this.at(r);
    this.cur.u32[o * this.s4 + this.oWord] = 0;
    this.cur.u8[o * this.stride + this.oFlags] = DEAD;
    this.dead++;
  }

  /** whether row r is dead */
  isDead(r: number): boolean {
    const o = this.at(r);
    return (this.cur.u8[o * this.stride + this.oFlags] & DEAD) !== 0;
  }

  /** Copies row r over row k (k < r, when compacting). */
  move(k: number, r: number): void {
    const from = this.pages[r >>> SHIFT].u32;
    const to = this.pages[k >>> SHIFT].u32;
    const a = (r & MASK) * this.s4;
    const b = (k & MASK) * this.s4;
    for (let i = 0; i < this.s4; i++) to[b + i] = from[a + i];
  }

  /**
   * Moves the base to `base` (event time moved on): each live ringless
   * row's offset is rewritten (a dead row's word means nothing). Returns the rows whose time no longer fits (older
   * than the new base: none while every row is within the horizon) and
   * their times, as row, time, row, time …; the store gives them rings.
   */
  rebase(base: number): number[] {
    const misfits: number[] = [];
    const old = this.base;
    this.base = base;
    for (let p = 0; p < this.pages.length; p++) {
      const pg = this.pages[p];
      const first = p * PAGE_ROWS;
      const rows = Math.min(PAGE_ROWS, this.n - first);
      for (let o = 0; o < rows; o++) {
        // a ringed row keeps its times in its ring's head; a dead one keeps none
        if (pg.u8[o * this.stride + this.oFlags] & (RINGED | DEAD)) continue;
        const w = o * this.s4 + this.oWord;
        const t = old + pg.u32[w];
        if (this.fits(t)) pg.u32[w] = t - base;
        else misfits.push(first + o, t); // the store gives it a ring at once, with this time
      }
    }
    return misfits;
  }

  // ---------------------------------------------------------------- fields

  /** Row r's place in its page, whose views become the current ones (`cur`). */
  at(r: number): number {
    const p = r >>> SHIFT;
    if (p !== this.page) {
      this.page = p;
      this.cur = this.pages[p];
    }
    return r & MASK;
  }

  key(r: number, i: number): number {
    const o = this.at(r);
    return this.cur.u8[o * this.stride + this.oHi + i] * TWO_32 + this.cur.u32[o * this.s4 + this.oKey + i];
  }
  setKey(r: number, i: number, v: number): void {
    const o = this.at(r);
    this.cur.u32[o * this.s4 + this.oKey + i] = v >>> 0;
    this.cur.u8[o * this.stride + this.oHi + i] = Math.floor(v / TWO_32);
  }
  /** whether a row has a ring slot (and its facts there) */
  ringed(r: number): boolean {
    const o = this.at(r);
    return (this.cur.u8[o * this.stride + this.oFlags] & RINGED) !== 0;
  }
  /** the word of a row: its time offset (ringless) or its ring reference */
  private word(r: number): number {
    const o = this.at(r);
    return this.cur.u32[o * this.s4 + this.oWord];
  }
  private pool(r: number): RingPool {
    return this.pools[this.word(r) >>> CLASS_SHIFT];
  }
  /** A row's ring: pool class c, slot s (its facts must then be set in the pool). */
  setRing(r: number, c: number, slot: number): void {
    const o = this.at(r);
    this.cur.u32[o * this.s4 + this.oWord] = (c << CLASS_SHIFT) | slot;
    this.cur.u8[o * this.stride + this.oFlags] |= RINGED;
  }
  /** Makes a row ringless at time `ms` (which `fits`; 0 from the base when it does not, until the store gives it a ring). */
  clearRing(r: number, ms: number): void {
    const o = this.at(r);
    this.cur.u32[o * this.s4 + this.oWord] = this.fits(ms) ? ms - this.base : 0;
    this.cur.u8[o * this.stride + this.oFlags] &= ~RINGED;
  }
  /** the first time: beside the ring, or the last time when there is none */
  first(r: number): number {
    if (!this.ringed(r)) return this.last(r);
    return this.pool(r).first(this.ringSlot(r));
  }
  /** Sets the first time of a row with a ring (a row without one has it as its last time, which is all the store sets it to then). */
  setFirst(r: number, v: number): void {
    if (this.ringed(r)) this.pool(r).setFirst(this.ringSlot(r), v);
  }
  /** A live ringless row's time (read in its row), NaN for a row with a ring (its times are beside it) or a dead one. */
  ringlessLast(r: number): number {
    const o = this.at(r);
    return this.cur.u8[o * this.stride + this.oFlags] & (RINGED | DEAD) ? NaN : this.base + this.cur.u32[o * this.s4 + this.oWord];
  }
  last(r: number): number {
    if (!this.ringed(r)) return this.base + this.word(r);
    return this.pool(r).last(this.ringSlot(r));
  }
  setLast(r: number, v: number): void {
    if (this.ringed(r)) this.pool(r).setLast(this.ringSlot(r), v);
    else {
      if (!this.fits(v)) throw new Error(`internal: a ringless row cannot keep time ${v}`);
      const o = this.at(r);
      this.cur.u32[o * this.s4 + this.oWord] = v - this.base;
    }
  }
  count(r: number): number {
    return this.ringed(r) ? this.pool(r).count(this.ringSlot(r)) : 1;
  }
  setCount(r: number, v: number): void {
    if (this.ringed(r)) this.pool(r).setCount(this.ringSlot(r), v);
    else if (v !== 1) throw new Error(`internal: a ringless row has count 1, not ${v}`);
  }
  ringSlot(r: number): number {
    return this.ringed(r) ? this.word(r) & SLOT_MASK : -1;
  }
  /** Moves a ringed row's ring to another slot of the same pool. */
  setRingSlot(r: number, slot: number): void {
    const o = this.at(r);
    const w = o * this.s4 + this.oWord;
    this.cur.u32[w] = (this.cur.u32[w] & ~SLOT_MASK) | slot;
  }
  dayCount(r: number): number {
    return this.ringed(r) ? this.pool(r).dayCount(this.ringSlot(r)) : 1;
  }
  setDayCount(r: number, v: number): void {
    if (this.ringed(r)) this.pool(r).setDayCount(this.ringSlot(r), v);
    else if (v !== 1) throw new Error(`internal: a ringless row has day count 1, not ${v}`);
  }
  ringHead(r: number): number {
    return this.ringed(r) ? this.pool(r).head(this.ringSlot(r)) : 0;
  }
  setRingHead(r: number, v: number): void {
    if (this.ringed(r)) this.pool(r).setHead(this.ringSlot(r), v);
    else if (v !== 0) throw new Error('internal: a ringless row has no ring head');
  }
  ringLen(r: number): number {
    return this.ringed(r) ? this.pool(r).len(this.ringSlot(r)) : 0;
  }
  setRingLen(r: number, v: number): void {
    if (this.ringed(r)) this.pool(r).setLen(this.ringSlot(r), v);
    else if (v !== 0) throw new Error('internal: a ringless row has no ring');
  }
  /** the UTC day (since the epoch) of the day counter: the day of the last connection */
  day(r: number): number {
    return Math.floor(this.last(r) / DAY_MS);
  }
  /** the ring's pool class (0 without a ring) */
  ringClass(r: number): number {
    return this.ringed(r) ? this.word(r) >>> CLASS_SHIFT : 0;
  }
  flags(r: number): number {
    const o = this.at(r);
    return this.cur.u8[o * this.stride + this.oFlags] & ~(RINGED | DEAD);
  }
  setFlags(r: number, v: number): void {
    const o = this.at(r);
    const at = o * this.stride + this.oFlags;
    this.cur.u8[at] = (this.cur.u8[at] & RINGED) | v;
  }

  // ---------------------------------------------------------------- hash index

  /** hash slots */
  get slots(): number {
    return this.index.length;
  }

  hash(codes: Float64Array): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < codes.length; i++) h = mixCode(h, codes[i]);
    return h;
  }

  /** The row of the pair with these codes (and their hash), or −1. */
  find(codes: Float64Array, h: number): number {
    const index = this.index;
    const mask = this.mask;
    const k = this.k;
    const s4 = this.s4;
    const stride = this.stride;
    const oKey = this.oKey;
    const oHi = this.oHi;
    const slots = index.length;
    const tag = h & ~mask;
    for (let s = Math.floor((h & mask) * this.scale); ; s = s + 1 === slots ? 0 : s + 1) {
      const v = index[s];
      if (v === 0) return -1;
      if ((v & ~mask) !== tag) continue;
      const r = (v & mask) - 1;
      const pg = this.pages[r >>> SHIFT];
      const o = r & MASK;
      const w = o * s4 + oKey;
      const b = o * stride + oHi;
      let same = true;
      for (let i = 0; i < k; i++) {
        const c = codes[i];
        if (pg.u32[w + i] !== c >>> 0 || pg.u8[b + i] !== Math.floor(c / TWO_32)) {
          same = false;
          break;
        }
      }
      // a dead row keeps its key and slot until the next compaction: the pair, if it came back, is in a later slot
      if (same && (pg.u8[o * stride + this.oFlags] & DEAD) === 0) return r;
    }
  }

  /**
   * Read ahead: the row of the first slot of a hash's probe run whose tag
   * matches (its key not compared: the probes `find` makes), looking at
   * most AHEAD_PROBES slots from the home one (a run seldom leaves its
   * cache line), else −1. A pair whose home slot another pair took is
   * read ahead too, not only the first in its run.
   */
  probeRow(h: number): number {
    const index = this.index;
    const mask = this.mask;
    const tag = h & ~mask;
    const slots = index.length;
    let s = this.home(h);
    for (let i = 0; i < AHEAD_PROBES; i++) {
      const v = index[s];
      if (v === 0) return -1;
      if ((v & ~mask) === tag) return (v & mask) - 1;
      s = s + 1 === slots ? 0 : s + 1;
    }
    return -1;
  }

  /** read ahead: the first key word of the row `ringRef` read last (kept so the read is not optimised away) */
  aheadKey = 0;

  /**
   * Read ahead: row r's ring reference (pool class and slot), −1 for a
   * ringless or dead row (nothing changes). Its first key word is read too:
   * a row of 20 bytes crosses a cache line one time in four, and `find`
   * compares the key, which can lie in the line the flags and ring word do not.
   */
  ringRef(r: number): number {
    const pg = this.pages[r >>> SHIFT];
    const o = r & MASK;
    this.aheadKey = pg.u32[o * this.s4 + this.oKey];
    return (pg.u8[o * this.stride + this.oFlags] & (RINGED | DEAD)) === RINGED ? pg.u32[o * this.s4 + this.oWord] : -1;
  }

  /** Indexes row r under hash h. */
  private place(h: number, r: number): void {
    const mask = this.mask;
    const slots = this.index.length;
    let s = this.home(h);
    while (this.index[s] !== 0) s = s + 1 === slots ? 0 : s + 1;
    this.index[s] = (h & ~mask) | (r + 1);
  }

  /** A hash's home slot. */
  private home(h: number): number {
    return Math.floor((h & this.mask) * this.scale);
  }

  /**
   * The index rebuilt over the live rows (dead ones left out), sized for the
   * rows held, dead ones included (their slots are kept until a compaction
   * drops them), or kept at its size when that is no more than `keepFor`
   * rows need (refilled in place then: no second index at the peak).
   *
   * Rows are hashed page by page and placed a chunk at a time in the order
   * of their home slots (a counting sort on the home's high bits), so the
   * writes sweep the index upwards instead of landing at random: a store
   * that grows in eighths rebuilds its index ~8 times per doubling, and
   * placed at random each row cost a cache miss (and a TLB miss) in an
   * index of megabytes. Where a row lands is as linear probing puts it for
   * this order of insertion; which slot a row takes is not observable.
   */
  reindex(keepFor = 0): void {
    const want = slotsFor(this.n);
    const slots = this.slots >= want && this.slots <= slotsFor(Math.max(keepFor, this.n)) ? this.slots : want;
    if (slots === this.slots) this.index.fill(0);
    else this.index = new Int32Array(slots);
    const mask = pow2AtLeast(slots) - 1;
    this.mask = mask;
    this.scale = slots / (mask + 1);
    const scale = this.scale;
    const index = this.index;
    const k = this.k;
    const n = this.n;
    const chunk = Math.min(n, REINDEX_CHUNK);
    if (chunk === 0) return;
    // homes grouped by their high bits: ~2^BUCKET_BITS groups, each a few KiB of the index
    const shift = Math.max(0, 32 - Math.clz32(slots - 1) - BUCKET_BITS);
    const buckets = ((slots - 1) >>> shift) + 1;
    const counts = new Int32Array(buckets + 1);
    const vals = new Int32Array(chunk);
    const homes = new Int32Array(chunk);
    const sortedVals = new Int32Array(chunk);
    const sortedHomes = new Int32Array(chunk);
    const stride = this.stride;
    const s4 = this.s4;
    const oKey = this.oKey;
    const oHi = this.oHi;
    const oFlags = this.oFlags;
    const dead = this.dead !== 0;
    for (let from = 0; from < n; from += chunk) {
      const to = Math.min(n, from + chunk);
      let m = 0;
      // hash the chunk's rows in place, page by page
      for (let r = from; r < to; ) {
        const pg = this.pages[r >>> SHIFT];
        const end = Math.min(to, ((r >>> SHIFT) + 1) << SHIFT);
        for (; r < end; r++) {
          const o = r & MASK;
          if (dead && pg.u8[o * stride + oFlags] & DEAD) continue;
          const w = o * s4 + oKey;
          const b = o * stride + oHi;
          let h = 0x811c9dc5;
          for (let i = 0; i < k; i++) h = mixParts(h, pg.u32[w + i], pg.u8[b + i]);
          vals[m] = (h & ~mask) | (r + 1);
          homes[m] = Math.floor((h & mask) * scale);
          m++;
        }
      }
      // a counting sort by the home's high bits, then each row placed at the first free slot from its home
      counts.fill(0);
      for (let i = 0; i < m; i++) counts[(homes[i] >>> shift) + 1]++;
      for (let g = 0; g < buckets; g++) counts[g + 1] += counts[g];
      for (let i = 0; i < m; i++) {
        const at = counts[homes[i] >>> shift]++;
        sortedVals[at] = vals[i];
        sortedHomes[at] = homes[i];
      }
      for (let i = 0; i < m; i++) {
        let s = sortedHomes[i];
        while (index[s] !== 0) s = s + 1 === slots ? 0 : s + 1;
        index[s] = sortedVals[i];
      }
    }
    this.page = -1;
  }
}
