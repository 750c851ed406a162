import { pow2AtLeast } from './pair-table';

/**
 * Rings of one width: slot s holds intervals [s·width, (s + 1)·width). A
 * pair's ring moves to the next wider pool as it fills, so a pair seen
 * three times holds 4 intervals' room, not 256.
 *
 * The slots in use are always 0 … live − 1: a released slot takes the last
 * one's ring (its owner row is kept beside it, to be told). The rings live
 * in pages of 64 KiB of intervals (the last page sized to its rings, in
 * powers of two), so a pool grows without copying itself and what it
 * allocates follows the rings it holds.
 *
 * Each slot also keeps its pair's first time: a pair without a ring was
 * seen once (or has had every interval expire), so its first time is its
 * last, and the rows need not keep it.
 */

const PAGE_INTERVALS = 16384;
const MIN_TAIL_SLOTS = 4;

export class RingPool {
  /** slots in use */
  live = 0;
  private readonly perPage: number;
  private readonly shift: number;
  private readonly mask: number;
  private readonly log2Width: number;
  /** whole milliseconds between a connection and the one before, per page */
  private intervals: Uint32Array[] = [];
  /** 1 + log-quantised bytes of each interval's later connection (0: unknown), per page; none when sizes are not kept */
  private sizes: Uint8Array[] = [];
  /** the row that owns each slot, per page */
  private owners: Int32Array[] = [];
  /** the owner pair's first time (epoch ms), per page */
  private firsts: Float64Array[] = [];
  private readonly unitBytes: number;
  // the page last read or written (a ring's intervals are read and written a few at a time)
  private page = -1;
  private ci: Uint32Array = new Uint32Array(0);
  private cs: Uint8Array = new Uint8Array(0);

  constructor(
    readonly width: number,
    readonly withSizes: boolean,
  ) {
    this.log2Width = Math.log2(width);
    this.perPage = Math.max(1, PAGE_INTERVALS / width);
    this.shift = Math.log2(this.perPage);
    this.mask = this.perPage - 1;
    this.unitBytes = width * (withSizes ? 5 : 4) + 12;
  }

  /** Slots a pool of `live` rings has room for, as `fit` allocates them. */
  private slotsFor(live: number): number {
    const rem = live & this.mask;
    // the last page in a power of two of slots (a page's slots are one too)
    const tail = rem === 0 ? 0 : Math.min(this.perPage, Math.max(MIN_TAIL_SLOTS, pow2AtLeast(rem)));
    return (live >>> this.shift) * this.perPage + tail;
  }

  /** bytes as `fit` allocates them for `live` rings */
  bytesFor(live: number): number {
    return this.slotsFor(live) * this.unitBytes;
  }

  get allocatedBytes(): number {
    let b = 0;
    for (let p = 0; p < this.owners.length; p++)
      b += this.owners[p].byteLength + this.firsts[p].byteLength + this.intervals[p].byteLength + (this.withSizes ? this.sizes[p].byteLength : 0);
    return b;
  }

  private get capacity(): number {
    const pages = this.owners.length;
    return pages === 0 ? 0 : (pages - 1) * this.perPage + this.owners[pages - 1].length;
  }

  /** A slot for `owner`'s ring (its contents are whatever was there). */
  alloc(owner: number): number {
    if (this.live === this.capacity) this.fit(this.live + 1);
    const s = this.live++;
    this.owners[s >>> this.shift][s & this.mask] = owner;
    return s;
  }

  /** Frees a slot: the last ring moves into it. Returns the row whose ring moved there (to be told), or −1. */
  release(slot: number): number {
    const last = --this.live;
    if (slot === last) return this.trimmed(-1);
    const w = this.width;
    const from = this.intervals[last >>> this.shift];
    const to = this.intervals[slot >>> this.shift];
    const a = (last & this.mask) << this.log2Width;
    const b = (slot & this.mask) << this.log2Width;
    for (let i = 0; i < w; i++) to[b + i] = from[a + i];
    if (this.withSizes) {
      const sf = this.sizes[last >>> this.shift];
      const st = this.sizes[slot >>> this.shift];
      for (let i = 0; i < w; i++) st[b + i] = sf[a + i];
    }
    const owner = this.owners[last >>> this.shift][last & this.mask];
    this.owners[slot >>> this.shift][slot & this.mask] = owner;
    this.firsts[slot >>> this.shift][slot & this.mask] = this.firsts[last >>> this.shift][last & this.mask];
    return this.trimmed(owner);
  }

  /** Trims the pages once more than a page's worth of slots is free at the end (after a trim less than half a page is: no back and forth). */
  private trimmed(owner: number): number {
    if (this.capacity - this.live > this.perPage) this.fit();
    return owner;
  }

  /** Pages for `live` rings, each as `bytesFor` counts it; the rings in use are kept. */
  fit(live = this.live): void {
    const slots = this.slotsFor(live);
    const full = Math.floor(slots / this.perPage);
    const tail = slots - full * this.perPage;
    const pages = full + (tail > 0 ? 1 : 0);
    this.page = -1;
    this.intervals.length = this.firsts.length = this.owners.length = Math.min(this.owners.length, pages);
    if (this.withSizes) this.sizes.length = this.owners.length;
    for (let p = 0; p < pages; p++) {
      const want = p < full ? this.perPage : tail;
      const had = p < this.owners.length ? this.owners[p].length : 0;
      if (had === want) continue;
      const keep = Math.min(had, want);
      this.owners[p] = resized(this.owners[p], new Int32Array(want), keep);
      this.firsts[p] = resized(this.firsts[p], new Float64Array(want), keep);
      this.intervals[p] = resized(this.intervals[p], new Uint32Array(want * this.width), keep * this.width);
      if (this.withSizes) this.sizes[p] = resized(this.sizes[p], new Uint8Array(want * this.width), keep * this.width);
    }
  }

  /** the page slot `slot` is in: slots p·slotsPerPage … (p + 1)·slotsPerPage − 1 share page p */
  pageOf(slot: number): number {
    return slot >>> this.shift;
  }
  get slotsPerPage(): number {
    return this.perPage;
  }

  owner(slot: number): number {
    return this.owners[slot >>> this.shift][slot & this.mask];
  }
  setOwner(slot: number, row: number): void {
    this.owners[slot >>> this.shift][slot & this.mask] = row;
  }
  /** the first time of the pair whose ring is in a slot */
  first(slot: number): number {
    return this.firsts[slot >>> this.shift][slot & this.mask];
  }
  setFirst(slot: number, ms: number): void {
    this.firsts[slot >>> this.shift][slot & this.mask] = ms;
  }
  /** A slot's place in its page, whose arrays become the current ones. */
  private at(slot: number): number {
    const p = slot >>> this.shift;
    if (p !== this.page) {
      this.page = p;
      this.ci = this.intervals[p];
      if (this.withSizes) this.cs = this.sizes[p];
    }
    return (slot & this.mask) << this.log2Width;
  }
  /** interval i (0 … width − 1) of a slot */
  get(slot: number, i: number): number {
    const o = this.at(slot);
    return this.ci[o + i];
  }
  set(slot: number, i: number, v: number): void {
    const o = this.at(slot);
    this.ci[o + i] = v;
  }
  /** size code i of a slot (0 when sizes are not kept) */
  size(slot: number, i: number): number {
    if (!this.withSizes) return 0;
    const o = this.at(slot);
    return this.cs[o + i];
  }
  setSize(slot: number, i: number, v: number): void {
    if (!this.withSizes) return;
    const o = this.at(slot);
    this.cs[o + i] = v;
  }
}

function resized<T extends Int32Array | Uint32Array | Uint8Array | Float64Array>(had: T | undefined, to: T, keep: number): T {
  if (had && keep > 0) to.set(had.subarray(0, keep) as never);
  return to;
}
