import { mixCode } from './key-codes';

/**
 * The pair history's rows, row-major, and their hash index. A row holds a
 * pair's key codes, first and last time, count, ring place and day counter
 * side by side (64 bytes for a key of three fields), so one connection of a
 * known pair reads its hash slot, its row and its ring: three cache lines,
 * where a column per field cost a dozen once the store outgrew the caches.
 * Each hash slot keeps the pair's hash beside its row number, so a probe
 * that meets another pair does not read that pair's row.
 *
 * The rows live in pages of 8,192 rows (the last one sized to the rows it
 * holds, in powers of two), so the store grows without copying itself and
 * what it allocates is a function of the rows it holds: a byte cap can be
 * a cap on the arrays.
 */

// byte offsets of the fields after the key codes and the two times (f64 each)
const COUNT = 0; // u32
const RING_SLOT = 4; // i32, −1: no ring
const DAY_COUNT = 8; // u32
const RING_HEAD = 12; // u16
const RING_LEN = 14; // u16
const DAY = 16; // u16
const RING_CLASS = 18; // u8
const FLAGS = 19; // u8
/** 20 bytes used, padded so the next row's times stay 8-byte aligned */
const TAIL_BYTES = 24;
/** bytes of one hash slot: row + 1 (0: empty) and the hash */
const SLOT_BYTES = 8;
const SHIFT = 13;
const PAGE_ROWS = 1 << SHIFT;
const MASK = PAGE_ROWS - 1;
/** the smallest last page, in rows */
const MIN_TAIL = 64;
/** the index doubles past three quarters full (linear probing over 8-byte slots: a probe run stays within a cache line or two) */
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

/** Hash slots for n rows. */
/** One page's bytes in a view of each width. */
class Page {
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

function slotsFor(n: number): number {
  // the fewest slots, in a power of two, that hold n at the highest load
  return Math.max(MIN_SLOTS, pow2AtLeast(Math.max(1, Math.ceil(n / MAX_LOAD))));
}

export class PairTable {
  /** bytes per row */
  readonly stride: number;
  /** rows held (0 … n − 1) */
  n = 0;
  private readonly k: number;
  private readonly s8: number;
  private readonly s4: number;
  private readonly s2: number;
  private readonly o4: number;
  private readonly o2: number;
  private readonly o1: number;
  private pages: Page[] = [];
  // the page last read or written: the hot path reads and writes one row a dozen times
  private page = -1;
  private cur: Page = new Page(0);
  /** open addressing, linear probing: [row + 1, hash] per slot */
  private index = new Int32Array(2 * MIN_SLOTS);
  private mask = MIN_SLOTS - 1;

  constructor(keyCount: number) {
    this.k = keyCount;
    const tail = 8 * (keyCount + 2);
    this.stride = tail + TAIL_BYTES;
    this.s8 = this.stride / 8;
    this.s4 = this.stride / 4;
    this.s2 = this.stride / 2;
    this.o4 = (tail + COUNT) / 4;
    this.o2 = (tail + RING_HEAD) / 2;
    this.o1 = tail + RING_CLASS;
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
  append(codes: Float64Array, ms: number, day: number, h: number): number {
    const r = this.n;
    if (r === this.capacity) this.fit(r + 1);
    this.n++;
    const f64 = this.pages[r >>> SHIFT].f64;
    const b = (r & MASK) * this.s8;
    for (let i = 0; i < this.k; i++) f64[b + i] = codes[i];
    f64[b + this.k] = ms;
    f64[b + this.k + 1] = ms;
    const b4 = (r & MASK) * this.s4 + this.o4;
    const u32 = this.pages[r >>> SHIFT].u32;
    u32[b4] = 1;
    this.pages[r >>> SHIFT].i32[b4 + 1] = -1;
    u32[b4 + 2] = 0;
    const b2 = (r & MASK) * this.s2 + this.o2;
    const u16 = this.pages[r >>> SHIFT].u16;
    u16[b2] = 0;
    u16[b2 + 1] = 0;
    u16[b2 + 2] = day;
    const u8 = this.pages[r >>> SHIFT].u8;
    u8[(r & MASK) * this.stride + this.o1] = 0;
    u8[(r & MASK) * this.stride + this.o1 + 1] = 0;
    if (this.n > this.slots * MAX_LOAD) this.reindex();
    else this.place(h, r);
    return r;
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

  /** Row r's place in its page, whose views become the current ones. */
  private at(r: number): number {
    const p = r >>> SHIFT;
    if (p !== this.page) {
      this.page = p;
      this.cur = this.pages[p];
    }
    return r & MASK;
  }

  key(r: number, i: number): number {
    const o = this.at(r);
    return this.cur.f64[o * this.s8 + i];
  }
  setKey(r: number, i: number, v: number): void {
    const o = this.at(r);
    this.cur.f64[o * this.s8 + i] = v;
  }
  first(r: number): number {
    const o = this.at(r);
    return this.cur.f64[o * this.s8 + this.k];
  }
  setFirst(r: number, v: number): void {
    const o = this.at(r);
    this.cur.f64[o * this.s8 + this.k] = v;
  }
  last(r: number): number {
    const o = this.at(r);
    return this.cur.f64[o * this.s8 + this.k + 1];
  }
  setLast(r: number, v: number): void {
    const o = this.at(r);
    this.cur.f64[o * this.s8 + this.k + 1] = v;
  }
  count(r: number): number {
    const o = this.at(r);
    return this.cur.u32[o * this.s4 + this.o4];
  }
  setCount(r: number, v: number): void {
    const o = this.at(r);
    this.cur.u32[o * this.s4 + this.o4] = v;
  }
  ringSlot(r: number): number {
    const o = this.at(r);
    return this.cur.i32[o * this.s4 + this.o4 + RING_SLOT / 4];
  }
  setRingSlot(r: number, v: number): void {
    const o = this.at(r);
    this.cur.i32[o * this.s4 + this.o4 + RING_SLOT / 4] = v;
  }
  dayCount(r: number): number {
    const o = this.at(r);
    return this.cur.u32[o * this.s4 + this.o4 + DAY_COUNT / 4];
  }
  setDayCount(r: number, v: number): void {
    const o = this.at(r);
    this.cur.u32[o * this.s4 + this.o4 + DAY_COUNT / 4] = v;
  }
  ringHead(r: number): number {
    const o = this.at(r);
    return this.cur.u16[o * this.s2 + this.o2];
  }
  setRingHead(r: number, v: number): void {
    const o = this.at(r);
    this.cur.u16[o * this.s2 + this.o2] = v;
  }
  ringLen(r: number): number {
    const o = this.at(r);
    return this.cur.u16[o * this.s2 + this.o2 + (RING_LEN - RING_HEAD) / 2];
  }
  setRingLen(r: number, v: number): void {
    const o = this.at(r);
    this.cur.u16[o * this.s2 + this.o2 + (RING_LEN - RING_HEAD) / 2] = v;
  }
  day(r: number): number {
    const o = this.at(r);
    return this.cur.u16[o * this.s2 + this.o2 + (DAY - RING_HEAD) / 2];
  }
  setDay(r: number, v: number): void {
    const o = this.at(r);
    this.cur.u16[o * this.s2 + this.o2 + (DAY - RING_HEAD) / 2] = v;
  }
  ringClass(r: number): number {
    const o = this.at(r);
    return this.cur.u8[o * this.stride + this.o1];
  }
  setRingClass(r: number, v: number): void {
    const o = this.at(r);
    this.cur.u8[o * this.stride + this.o1] = v;
  }
  flags(r: number): number {
    const o = this.at(r);
    return this.cur.u8[o * this.stride + this.o1 + (FLAGS - RING_CLASS)];
  }
  setFlags(r: number, v: number): void {
    const o = this.at(r);
    this.cur.u8[o * this.stride + this.o1 + (FLAGS - RING_CLASS)] = v;
  }

  // ---------------------------------------------------------------- hash index

  /** hash slots */
  get slots(): number {
    return this.index.length / 2;
  }

  hash(codes: Float64Array): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < codes.length; i++) h = mixCode(h, codes[i]);
    return h;
  }

  private hashRow(r: number): number {
    const f64 = this.pages[r >>> SHIFT].f64;
    const b = (r & MASK) * this.s8;
    let h = 0x811c9dc5;
    for (let i = 0; i < this.k; i++) h = mixCode(h, f64[b + i]);
    return h;
  }

  /** The row of the pair with these codes (and their hash), or −1. */
  find(codes: Float64Array, h: number): number {
    const index = this.index;
    const s8 = this.s8;
    const wrap = (this.mask << 1) | 1;
    for (let s = (h & this.mask) << 1; ; s = (s + 2) & wrap) {
      const v = index[s];
      if (v === 0) return -1;
      if (index[s + 1] !== h) continue;
      const r = v - 1;
      const f64 = this.pages[r >>> SHIFT].f64;
      const b = (r & MASK) * s8;
      let same = true;
      for (let i = 0; i < this.k; i++) {
        if (f64[b + i] !== codes[i]) {
          same = false;
          break;
        }
      }
      if (same) return r;
    }
  }

  /** Indexes row r under hash h. */
  private place(h: number, r: number): void {
    const wrap = (this.mask << 1) | 1;
    let s = (h & this.mask) << 1;
    while (this.index[s] !== 0) s = (s + 2) & wrap;
    this.index[s] = r + 1;
    this.index[s + 1] = h;
  }

  /** The index sized for the rows held, over them (refilled in place when its size stays: no second index at the peak). */
  reindex(): void {
    const slots = slotsFor(this.n);
    if (slots === this.slots) this.index.fill(0);
    else this.index = new Int32Array(2 * slots);
    this.mask = slots - 1;
    for (let r = 0; r < this.n; r++) this.place(this.hashRow(r), r);
  }
}
