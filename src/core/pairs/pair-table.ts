import { mixCode } from './key-codes';

/**
 * The pair history's rows, row-major, and their hash index. A row holds a
 * pair's key codes, first and last time, count, ring place and day counter
 * side by side in one buffer (64 bytes for a key of three fields), so one
 * connection of a known pair reads its hash slot, its row and its ring:
 * three cache lines, where a column per field cost a dozen once the store
 * outgrew the caches. Each hash slot keeps the pair's hash beside its row
 * number, so a probe that meets another pair does not read that pair's row.
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
export const SLOT_BYTES = 8;

export class PairTable {
  /** bytes per row */
  readonly stride: number;
  /** rows held (0 … n − 1) */
  n = 0;
  /** rows the buffer has room for */
  capacity = 0;
  private readonly k: number;
  private readonly s8: number;
  private readonly s4: number;
  private readonly s2: number;
  private readonly o4: number;
  private readonly o2: number;
  private readonly o1: number;
  private f64 = new Float64Array(0);
  private u32 = new Uint32Array(0);
  private i32 = new Int32Array(0);
  private u16 = new Uint16Array(0);
  private u8 = new Uint8Array(0);
  /** open addressing, linear probing: [row + 1, hash] per slot */
  private index = new Int32Array(0);
  private mask = 0;

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

  /** bytes of the hash index as allocated */
  get indexBytes(): number {
    return this.index.byteLength;
  }

  /** hash slots */
  get slots(): number {
    return this.index.length / 2;
  }

  /** Room for `cap` rows, the rows held kept. */
  resize(cap: number): void {
    const buf = new ArrayBuffer(cap * this.stride);
    const u8 = new Uint8Array(buf);
    u8.set(this.u8.subarray(0, this.n * this.stride));
    this.f64 = new Float64Array(buf);
    this.u32 = new Uint32Array(buf);
    this.i32 = new Int32Array(buf);
    this.u16 = new Uint16Array(buf);
    this.u8 = u8;
    this.capacity = cap;
  }

  /** A new row for a pair seen once at `ms` (no ring, day counter at 0); its index. The caller makes room first. */
  append(codes: Float64Array, ms: number, day: number): number {
    const r = this.n++;
    const b = r * this.s8;
    for (let i = 0; i < this.k; i++) this.f64[b + i] = codes[i];
    this.f64[b + this.k] = ms;
    this.f64[b + this.k + 1] = ms;
    const b4 = r * this.s4 + this.o4;
    this.u32[b4] = 1;
    this.i32[b4 + 1] = -1;
    this.u32[b4 + 2] = 0;
    const b2 = r * this.s2 + this.o2;
    this.u16[b2] = 0;
    this.u16[b2 + 1] = 0;
    this.u16[b2 + 2] = day;
    this.u8[r * this.stride + this.o1] = 0;
    this.u8[r * this.stride + this.o1 + 1] = 0;
    return r;
  }

  /** Copies row r over row k (k < r, when compacting). */
  move(k: number, r: number): void {
    // as 32-bit words: a float view could rewrite NaN bit patterns of the integer fields
    this.u32.copyWithin(k * this.s4, r * this.s4, (r + 1) * this.s4);
  }

  // ---------------------------------------------------------------- fields

  key(r: number, i: number): number {
    return this.f64[r * this.s8 + i];
  }
  first(r: number): number {
    return this.f64[r * this.s8 + this.k];
  }
  setFirst(r: number, v: number): void {
    this.f64[r * this.s8 + this.k] = v;
  }
  last(r: number): number {
    return this.f64[r * this.s8 + this.k + 1];
  }
  setLast(r: number, v: number): void {
    this.f64[r * this.s8 + this.k + 1] = v;
  }
  count(r: number): number {
    return this.u32[r * this.s4 + this.o4];
  }
  setCount(r: number, v: number): void {
    this.u32[r * this.s4 + this.o4] = v;
  }
  ringSlot(r: number): number {
    return this.i32[r * this.s4 + this.o4 + RING_SLOT / 4];
  }
  setRingSlot(r: number, v: number): void {
    this.i32[r * this.s4 + this.o4 + RING_SLOT / 4] = v;
  }
  dayCount(r: number): number {
    return this.u32[r * this.s4 + this.o4 + DAY_COUNT / 4];
  }
  setDayCount(r: number, v: number): void {
    this.u32[r * this.s4 + this.o4 + DAY_COUNT / 4] = v;
  }
  ringHead(r: number): number {
    return this.u16[r * this.s2 + this.o2];
  }
  setRingHead(r: number, v: number): void {
    this.u16[r * this.s2 + this.o2] = v;
  }
  ringLen(r: number): number {
    return this.u16[r * this.s2 + this.o2 + (RING_LEN - RING_HEAD) / 2];
  }
  setRingLen(r: number, v: number): void {
    this.u16[r * this.s2 + this.o2 + (RING_LEN - RING_HEAD) / 2] = v;
  }
  day(r: number): number {
    return this.u16[r * this.s2 + this.o2 + (DAY - RING_HEAD) / 2];
  }
  setDay(r: number, v: number): void {
    this.u16[r * this.s2 + this.o2 + (DAY - RING_HEAD) / 2] = v;
  }
  ringClass(r: number): number {
    return this.u8[r * this.stride + this.o1];
  }
  setRingClass(r: number, v: number): void {
    this.u8[r * this.stride + this.o1] = v;
  }
  flags(r: number): number {
    return this.u8[r * this.stride + this.o1 + (FLAGS - RING_CLASS)];
  }
  setFlags(r: number, v: number): void {
    this.u8[r * this.stride + this.o1 + (FLAGS - RING_CLASS)] = v;
  }

  // ---------------------------------------------------------------- hash index

  hash(codes: Float64Array): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < codes.length; i++) h = mixCode(h, codes[i]);
    return h;
  }

  private hashRow(r: number): number {
    const b = r * this.s8;
    let h = 0x811c9dc5;
    for (let i = 0; i < this.k; i++) h = mixCode(h, this.f64[b + i]);
    return h;
  }

  /** The row of the pair with these codes (and their hash), or −1. */
  find(codes: Float64Array, h: number): number {
    const index = this.index;
    const f64 = this.f64;
    const s8 = this.s8;
    for (let s = (h & this.mask) << 1; ; s = (s + 2) & ((this.mask << 1) | 1)) {
      const v = index[s];
      if (v === 0) return -1;
      if (index[s + 1] !== h) continue;
      const b = (v - 1) * s8;
      let same = true;
      for (let i = 0; i < this.k; i++) {
        if (f64[b + i] !== codes[i]) {
          same = false;
          break;
        }
      }
      if (same) return v - 1;
    }
  }

  /** Indexes row r under hash h. */
  place(h: number, r: number): void {
    const wrap = (this.mask << 1) | 1;
    let s = (h & this.mask) << 1;
    while (this.index[s] !== 0) s = (s + 2) & wrap;
    this.index[s] = r + 1;
    this.index[s + 1] = h;
  }

  /** A fresh index of `slots` slots (a power of two) over the rows held. */
  rehash(slots: number): void {
    this.index = new Int32Array(2 * slots);
    this.mask = slots - 1;
    for (let r = 0; r < this.n; r++) this.place(this.hashRow(r), r);
  }
}
