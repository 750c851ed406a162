import { mixCode, mixParts } from './key-codes';
import type { RingPool } from './ring-pool';

/**
 * The pair history's rows, row-major, and their hash index. A row holds a
 * pair's last time, key codes, count, ring place and day counter side by
 * side (40 bytes for a key of three fields), so one connection of a
 * known pair reads its hash slot, its row and its ring: three cache lines,
 * where a column per field cost a dozen once the store outgrew the caches.
 * Each hash slot keeps the high bits of the pair's hash beside its row
 * number in one 32-bit word, so a probe that meets another pair seldom
 * reads that pair's row.
 *
 * A key code (below 2^40) is kept as its low 32 bits and a high byte. What
 * the other fields imply is not kept: the UTC day of the day counter is the
 * day of the last connection, and the ring's width is the narrowest that
 * holds its intervals (the store keeps both so). The first time is kept
 * beside the ring (ring-pool): a pair without one has its first time as its
 * last.
 *
 * The rows live in pages of 8,192 rows (the last one sized to the rows it
 * holds, in powers of two), so the store grows without copying itself and
 * what it allocates is a function of the rows it holds: a byte cap can be
 * a cap on the arrays.
 */

// the f64 field first (8-byte aligned), then u32 words, u16 halves and bytes
/** the last time's place in a row's f64 view */
export const LAST = 0; // f64, epoch ms
/** byte offset of the u32 words: the key codes' low halves, then COUNT, RING_SLOT, DAY_COUNT */
const WORDS = 8;
const COUNT = 0; // u32 (after the key words)
const RING_SLOT = 1; // i32, −1: no ring
const DAY_COUNT = 2; // u32
const RING_HEAD = 0; // u16 (after the words)
const RING_LEN = 1; // u16
const DAY_MS = 86_400_000;
const TWO_32 = 4294967296;
/** bytes of one hash slot: (hash's high bits) | (row + 1), 0: empty */
const SLOT_BYTES = 4;
const SHIFT = 13;
const PAGE_ROWS = 1 << SHIFT;
/** rows per page, as a shift: row r is in page r >>> ROW_PAGE_SHIFT */
export const ROW_PAGE_SHIFT = SHIFT;
const MASK = PAGE_ROWS - 1;
/** the smallest last page, in rows */
const MIN_TAIL = 64;
/** the index doubles past three quarters full (linear probing over 4-byte slots: a probe run stays within a cache line or two) */
const MAX_LOAD = 0.75;
const MIN_SLOTS = 1024;

/** Rows a page holds when it is the last of `n` rows' pages (0: no such page). */
function tailRows(n: number): number {
  const rem = n & MASK;
  return rem === 0 ? 0 : Math.max(MIN_TAIL, pow2AtLeast(rem));
}

/** The smallest power of two ≥ x (1 ≤ x ≤ 2^30), in integer arithmetic. */
export function pow2AtLeast(x: number): number {
  return x <= 1 ? 1 : 2 << (31 - Math.clz32(x - 1));
}

/** One page's bytes in a view of each width. */
export class Page {
  readonly f64: Float64Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly u16: Uint16Array;
  readonly u8: Uint8Array;
  constructor(bytes: number) {
    const buf = new ArrayBuffer(bytes);
    this.f64 = new Float64Array(buf);
    this.u32 = new Uint32Array(buf);
    this.i32 = new Int32Array(buf);
    this.u16 = new Uint16Array(buf);
    this.u8 = new Uint8Array(buf);
  }
}

/** Set bits in a 32-bit word. */
export function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Hash slots for n rows. */
function slotsFor(n: number): number {
  // the fewest slots, in a power of two, that hold n at the highest load
  return Math.max(MIN_SLOTS, pow2AtLeast(Math.max(1, Math.ceil(n / MAX_LOAD))));
}

/** The class (0: width 2, 1: width 4 …) of the narrowest ring that holds `len` intervals. */
export function classFor(len: number): number {
  return len <= 2 ? 0 : 31 - Math.clz32(len - 1);
}

export class PairTable {
  /** bytes per row */
  readonly stride: number;
  /** rows held (0 … n − 1), dead ones included */
  n = 0;
  /** dead rows among them (count 0, out of the index, no ring): expired, waiting for the next compaction */
  dead = 0;
  private readonly k: number;
  /** the stride in f64, u32 and u16 units */
  readonly s8: number;
  readonly s4: number;
  readonly s2: number;
  /** where the fields are in a row: the key words, count and the other words (u32 units), head and length (u16), key high bytes and flags (bytes) */
  readonly oKey: number;
  readonly oCount: number;
  readonly oRing: number;
  readonly oHi: number;
  readonly oFlags: number;
  private pages: Page[] = [];
  // the page last read or written: the hot path reads and writes one row a dozen times
  private page = -1;
  /** the page of the row `at` was last asked for (the hot path reads it directly) */
  cur: Page = new Page(0);
  /** open addressing, linear probing: (hash & ~mask) | (row + 1) per slot */
  private index = new Int32Array(MIN_SLOTS);
  private mask = MIN_SLOTS - 1;
  /** the ring pools by class, where a ringed row's first time is (set by the store) */
  pools: RingPool[] = [];

  constructor(keyCount: number) {
    this.k = keyCount;
    const used = WORDS + 4 * (keyCount + 3) + 4 + keyCount + 1;
    this.stride = Math.ceil(used / 8) * 8;
    this.s8 = this.stride / 8;
    this.s4 = this.stride / 4;
    this.s2 = this.stride / 2;
    this.oKey = WORDS / 4;
    this.oCount = this.oKey + keyCount;
    this.oRing = (WORDS + 4 * (keyCount + 3)) / 2;
    this.oHi = WORDS + 4 * (keyCount + 3) + 4;
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

  /** A new row for a pair seen once at `ms` (no ring, day counter at 0); its index. Makes room and indexes it under `h`. */
  append(codes: Float64Array, ms: number, h: number): number {
    const r = this.n;
    if (r === this.capacity) this.fit(r + 1);
    this.n++;
    const pg = this.pages[r >>> SHIFT];
    const o = r & MASK;
    pg.f64[o * this.s8 + LAST] = ms;
    const w = o * this.s4;
    const u8 = pg.u8;
    const hi = o * this.stride + this.oHi;
    for (let i = 0; i < this.k; i++) {
      const c = codes[i];
      pg.u32[w + this.oKey + i] = c >>> 0;
      u8[hi + i] = Math.floor(c / TWO_32);
    }
    pg.u32[w + this.oCount + COUNT] = 1;
    pg.i32[w + this.oCount + RING_SLOT] = -1;
    pg.u32[w + this.oCount + DAY_COUNT] = 0;
    pg.u16[o * this.s2 + this.oRing + RING_HEAD] = 0;
    pg.u16[o * this.s2 + this.oRing + RING_LEN] = 0;
    u8[o * this.stride + this.oFlags] = 0;
    if (this.n > this.slots * MAX_LOAD) this.reindex();
    else this.place(h, r);
    return r;
  }

  /** Marks row r dead (its ring released by the caller): out of the index, count 0, until compacted away. */
  kill(r: number): void {
    this.unindex(r);
    this.setCount(r, 0);
    this.setRingSlot(r, -1);
    this.setRingLen(r, 0);
    this.dead++;
  }

  /** whether row r is dead (a live row has a count of at least 1) */
  isDead(r: number): boolean {
    return this.count(r) === 0;
  }

  /** Copies row r over row k (k < r, when compacting). */
  move(k: number, r: number): void {
    // as 32-bit words: a float view could rewrite NaN bit patterns of the integer fields
    const from = this.pages[r >>> SHIFT].u32;
    const to = this.pages[k >>> SHIFT].u32;
    const a = (r & MASK) * this.s4;
    const b = (k & MASK) * this.s4;
    for (let i = 0; i < this.s4; i++) to[b + i] = from[a + i];
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
  /** the first time: beside the ring, or the last time when there is none */
  first(r: number): number {
    const o = this.at(r);
    const slot = this.cur.i32[o * this.s4 + this.oCount + RING_SLOT];
    if (slot < 0) return this.cur.f64[o * this.s8 + LAST];
    return this.pools[classFor(this.cur.u16[o * this.s2 + this.oRing + RING_LEN])].first(slot);
  }
  /** Sets the first time of a row with a ring (a row without one has it as its last time, which is all the store sets it to then). */
  setFirst(r: number, v: number): void {
    const o = this.at(r);
    const slot = this.cur.i32[o * this.s4 + this.oCount + RING_SLOT];
    if (slot >= 0) this.pools[classFor(this.cur.u16[o * this.s2 + this.oRing + RING_LEN])].setFirst(slot, v);
  }
  last(r: number): number {
    const o = this.at(r);
    return this.cur.f64[o * this.s8 + LAST];
  }
  setLast(r: number, v: number): void {
    const o = this.at(r);
    this.cur.f64[o * this.s8 + LAST] = v;
  }
  count(r: number): number {
    const o = this.at(r);
    return this.cur.u32[o * this.s4 + this.oCount + COUNT];
  }
  setCount(r: number, v: number): void {
    const o = this.at(r);
    this.cur.u32[o * this.s4 + this.oCount + COUNT] = v;
  }
  ringSlot(r: number): number {
    const o = this.at(r);
    return this.cur.i32[o * this.s4 + this.oCount + RING_SLOT];
  }
  setRingSlot(r: number, v: number): void {
    const o = this.at(r);
    this.cur.i32[o * this.s4 + this.oCount + RING_SLOT] = v;
  }
  dayCount(r: number): number {
    const o = this.at(r);
    return this.cur.u32[o * this.s4 + this.oCount + DAY_COUNT];
  }
  setDayCount(r: number, v: number): void {
    const o = this.at(r);
    this.cur.u32[o * this.s4 + this.oCount + DAY_COUNT] = v;
  }
  ringHead(r: number): number {
    const o = this.at(r);
    return this.cur.u16[o * this.s2 + this.oRing + RING_HEAD];
  }
  setRingHead(r: number, v: number): void {
    const o = this.at(r);
    this.cur.u16[o * this.s2 + this.oRing + RING_HEAD] = v;
  }
  ringLen(r: number): number {
    const o = this.at(r);
    return this.cur.u16[o * this.s2 + this.oRing + RING_LEN];
  }
  setRingLen(r: number, v: number): void {
    const o = this.at(r);
    this.cur.u16[o * this.s2 + this.oRing + RING_LEN] = v;
  }
  /** the UTC day (since the epoch) of the day counter: the day of the last connection */
  day(r: number): number {
    return Math.floor(this.last(r) / DAY_MS);
  }
  /** the ring's pool class: the narrowest that holds its intervals */
  ringClass(r: number): number {
    return classFor(this.ringLen(r));
  }
  flags(r: number): number {
    const o = this.at(r);
    return this.cur.u8[o * this.stride + this.oFlags];
  }
  setFlags(r: number, v: number): void {
    const o = this.at(r);
    this.cur.u8[o * this.stride + this.oFlags] = v;
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
    const tag = h & ~mask;
    for (let s = h & mask; ; s = (s + 1) & mask) {
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
      if (same) return r;
    }
  }

  /** Indexes row r under hash h. */
  private place(h: number, r: number): void {
    const mask = this.mask;
    let s = h & mask;
    while (this.index[s] !== 0) s = (s + 1) & mask;
    this.index[s] = (h & ~mask) | (r + 1);
  }

  /** The hash of row r's key, read in its page (as `hash` gives for its codes). */
  private rowHash(r: number): number {
    const pg = this.pages[r >>> SHIFT];
    const o = r & MASK;
    const w = o * this.s4 + this.oKey;
    const b = o * this.stride + this.oHi;
    let h = 0x811c9dc5;
    for (let i = 0; i < this.k; i++) h = mixParts(h, pg.u32[w + i], pg.u8[b + i]);
    return h;
  }

  /** Takes row r out of the index, shifting the probe run after it back (no deleted markers: lookups stay as they were). */
  private unindex(r: number): void {
    const index = this.index;
    const mask = this.mask;
    const h = this.rowHash(r);
    const want = (h & ~mask) | (r + 1);
    let i = h & mask;
    while (index[i] !== want) {
      if (index[i] === 0) throw new Error(`pair table: row ${r} is not in the index`);
      i = (i + 1) & mask;
    }
    // Knuth's algorithm R: an entry after the hole moves into it unless its home slot lies cyclically in (hole, entry]
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const v = index[j];
      if (v === 0) break;
      const home = this.rowHash((v & mask) - 1) & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      index[i] = v;
      i = j;
    }
    index[i] = 0;
  }

  /**
   * After a compaction that removed only rows already out of the index
   * (dead ones): the index's row numbers renumbered in place, no rehash,
   * when its size stays for the rows left (false when it would change:
   * then `reindex`). `gone` has a bit per row removed, `before` the rows
   * removed before each 32-row block.
   */
  renumber(gone: Uint32Array, before: Int32Array): boolean {
    if (slotsFor(this.n) !== this.slots) return false;
    const index = this.index;
    const mask = this.mask;
    for (let s = 0; s < index.length; s++) {
      const v = index[s];
      if (v === 0) continue;
      const r = (v & mask) - 1;
      const b = r >>> 5;
      const k = r - before[b] - popcount(gone[b] & ((1 << (r & 31)) - 1));
      index[s] = (v & ~mask) | (k + 1);
    }
    this.page = -1;
    return true;
  }

  /**
   * The index sized for the rows held, over the live ones (refilled in place when its size stays: no second index at
   * the peak). Sized for dead rows too: a slot keeps its row's number beside the hash's high bits.
   */
  reindex(): void {
    const slots = slotsFor(this.n);
    if (slots === this.slots) this.index.fill(0);
    else this.index = new Int32Array(slots);
    this.mask = slots - 1;
    // page by page, each row's key halves read in place (a compaction rehashes every row)
    const k = this.k;
    for (let p = 0; p < this.pages.length; p++) {
      const pg = this.pages[p];
      const base = p * PAGE_ROWS;
      const rows = Math.min(PAGE_ROWS, this.n - base);
      for (let o = 0; o < rows; o++) {
        if (this.dead !== 0 && pg.u32[o * this.s4 + this.oCount + COUNT] === 0) continue;
        const w = o * this.s4 + this.oKey;
        const b = o * this.stride + this.oHi;
        let h = 0x811c9dc5;
        for (let i = 0; i < k; i++) h = mixParts(h, pg.u32[w + i], pg.u8[b + i]);
        this.place(h, base + o);
      }
    }
  }
}
