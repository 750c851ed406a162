import { pow2AtLeast } from './pair-table';

/**
 * Rings of one width, each with the facts of the pair that owns it: slot s
 * has a head of 8 words (first and last time as f64, count, day counter,
 * ring head and length, owner row) and `width` intervals. The heads of a
 * page are side by side in one array and the intervals in another: a known
 * pair's connection reads its head and its ring's newest interval, and the
 * heads of the pairs in use stay dense (32 B each) whatever the ring's
 * width (beside 1 KiB rings, each head took a cache line of its own and
 * the connection cost twice as much). A pair's ring moves to the next wider
 * pool as it fills, so a pair seen three times holds 4 intervals' room,
 * not 256.
 *
 * A pair seen once has no ring and no facts here: its row holds its key
 * and its time (pair-table), and its count (1), day counter (1) and first
 * time (its last) are implied. Only pairs that repeat (or whose state the
 * implied values do not describe) pay for a slot.
 *
 * The slots in use are always 0 … live − 1: a released slot takes the last
 * one's ring and facts (its owner row is kept beside it, to be told). The
 * rings live in pages of 32-64 KiB (the last page sized to its rings, in
 * powers of two), so a pool grows without copying itself and what it
 * allocates follows the rings it holds.
 */

/** a page holds the most slots, in a power of two, that fit in 16,384 words (32-64 KiB of heads and intervals) */
const PAGE_WORDS = 16384;
const MIN_TAIL_SLOTS = 4;
/** words of a slot's head: first (f64), last (f64), count, day count, head | length << 16, owner */
export const META_WORDS = 8;
const FIRST = 0; // f64 index (words 0-1)
const LAST = 1; // f64 index (words 2-3)
const COUNT = 4;
const DAY_COUNT = 5;
const HEAD_LEN = 6;
const OWNER = 7;

/**
 * The ring widths of a store whose rings hold up to `ringSize` intervals (a
 * power of two): 2, 4, 8, 16, then quarter octaves (20, 24, 28, 32, 40, 48 …)
 * up to the ring size. Even, so every slot's head stays 8-byte aligned. On
 * the 1,000-host week the rings fill 91 % of their room (powers of two
 * throughout: 79 %); quarter octaves below 16 saved a few hundred KiB more
 * for twice the moves of the smallest rings.
 */
export function ringWidths(ringSize: number): number[] {
  const widths = [2, 4, 8, 16].filter((w) => w <= ringSize);
  for (let octave = 16; octave < ringSize; octave *= 2) for (const q of [5, 6, 7, 8]) widths.push((octave * q) / 4);
  return widths;
}

export class RingPool {
  /** slots in use */
  live = 0;
  private readonly perPage: number;
  private readonly shift: number;
  /** a slot's place in its page: slot & mask */
  readonly mask: number;
  /** words per slot: the head and the intervals */
  readonly stride: number;
  /** per page: each slot's head (as words and as f64), and whole milliseconds between a connection and the one before */
  private words: Uint32Array[] = [];
  private floats: Float64Array[] = [];
  private ints: Uint32Array[] = [];
  /** 1 + log-quantised bytes of each interval's later connection (0: unknown), per page; none when sizes are not kept */
  private sizes: Uint8Array[] = [];
  /** bytes a slot takes */
  readonly unitBytes: number;
  // the page last read or written (a ring is read and written a few words at a time); the store's hot path reads them directly
  private page = -1;
  cu: Uint32Array = new Uint32Array(0);
  cf: Float64Array = new Float64Array(0);
  ci: Uint32Array = new Uint32Array(0);
  private cs: Uint8Array = new Uint8Array(0);

  constructor(
    readonly width: number,
    readonly withSizes: boolean,
  ) {
    this.stride = META_WORDS + width;
    this.shift = Math.max(0, 31 - Math.clz32(Math.floor(PAGE_WORDS / this.stride)));
    this.perPage = 1 << this.shift;
    this.mask = this.perPage - 1;
    this.unitBytes = this.stride * 4 + (withSizes ? width : 0);
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
    for (let p = 0; p < this.words.length; p++) b += this.words[p].byteLength + this.ints[p].byteLength + (this.withSizes ? this.sizes[p].byteLength : 0);
    return b;
  }

  private get capacity(): number {
    const pages = this.words.length;
    return pages === 0 ? 0 : (pages - 1) * this.perPage + this.words[pages - 1].length / META_WORDS;
  }

  /** A slot for `owner`'s ring (its contents are whatever was there). */
  alloc(owner: number): number {
    if (this.live === this.capacity) this.fit(this.live + 1);
    const s = this.live++;
    this.setOwner(s, owner);
    return s;
  }

  /** Frees a slot: the last ring and its facts move into it. Returns the row whose ring moved there (to be told), or −1. */
  release(slot: number): number {
    const last = --this.live;
    if (slot === last) return this.trimmed(-1);
    const from = this.words[last >>> this.shift];
    const to = this.words[slot >>> this.shift];
    const a = (last & this.mask) * META_WORDS;
    const b = (slot & this.mask) * META_WORDS;
    // as 32-bit words: a float view could rewrite NaN bit patterns
    for (let i = 0; i < META_WORDS; i++) to[b + i] = from[a + i];
    const w = this.width;
    const fi = this.ints[last >>> this.shift];
    const ti = this.ints[slot >>> this.shift];
    const ia = (last & this.mask) * w;
    const ib = (slot & this.mask) * w;
    for (let i = 0; i < w; i++) ti[ib + i] = fi[ia + i];
    if (this.withSizes) {
      const sf = this.sizes[last >>> this.shift];
      const st = this.sizes[slot >>> this.shift];
      for (let i = 0; i < w; i++) st[ib + i] = sf[ia + i];
    }
    return this.trimmed(to[b + OWNER]);
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
    this.words.length = this.floats.length = this.ints.length = Math.min(this.words.length, pages);
    if (this.withSizes) this.sizes.length = this.words.length;
    for (let p = 0; p < pages; p++) {
      const want = p < full ? this.perPage : tail;
      const had = p < this.words.length ? this.words[p].length / META_WORDS : 0;
      if (had === want) continue;
      const keep = Math.min(had, want);
      const words = new Uint32Array(want * META_WORDS);
      if (keep > 0) words.set(this.words[p].subarray(0, keep * META_WORDS));
      this.words[p] = words;
      this.floats[p] = new Float64Array(words.buffer);
      const ints = new Uint32Array(want * this.width);
      if (keep > 0) ints.set(this.ints[p].subarray(0, keep * this.width));
      this.ints[p] = ints;
      if (this.withSizes) {
        const sizes = new Uint8Array(want * this.width);
        if (keep > 0) sizes.set(this.sizes[p].subarray(0, keep * this.width));
        this.sizes[p] = sizes;
      }
    }
  }

  /** the page slot `slot` is in: slots p·slotsPerPage … (p + 1)·slotsPerPage − 1 share page p */
  pageOf(slot: number): number {
    return slot >>> this.shift;
  }
  get slotsPerPage(): number {
    return this.perPage;
  }

  /** A slot's head in its page (in words; its f64 fields are at half of it), whose arrays become the current ones (`cu`, `cf`, and `ci` for intervals, at (slot & mask) · width). */
  at(slot: number): number {
    const p = slot >>> this.shift;
    if (p !== this.page) {
      this.page = p;
      this.cu = this.words[p];
      this.cf = this.floats[p];
      this.ci = this.ints[p];
      if (this.withSizes) this.cs = this.sizes[p];
    }
    return (slot & this.mask) * META_WORDS;
  }

  owner(slot: number): number {
    const m = this.at(slot);
    return this.cu[m + OWNER];
  }
  setOwner(slot: number, row: number): void {
    const m = this.at(slot);
    this.cu[m + OWNER] = row;
  }
  /** the first time of the pair whose ring is in a slot */
  first(slot: number): number {
    const m = this.at(slot);
    return this.cf[(m >> 1) + FIRST];
  }
  setFirst(slot: number, ms: number): void {
    const m = this.at(slot);
    this.cf[(m >> 1) + FIRST] = ms;
  }
  last(slot: number): number {
    const m = this.at(slot);
    return this.cf[(m >> 1) + LAST];
  }
  setLast(slot: number, ms: number): void {
    const m = this.at(slot);
    this.cf[(m >> 1) + LAST] = ms;
  }
  count(slot: number): number {
    const m = this.at(slot);
    return this.cu[m + COUNT];
  }
  setCount(slot: number, v: number): void {
    const m = this.at(slot);
    this.cu[m + COUNT] = v;
  }
  dayCount(slot: number): number {
    const m = this.at(slot);
    return this.cu[m + DAY_COUNT];
  }
  setDayCount(slot: number, v: number): void {
    const m = this.at(slot);
    this.cu[m + DAY_COUNT] = v;
  }
  head(slot: number): number {
    const m = this.at(slot);
    return this.cu[m + HEAD_LEN] & 0xffff;
  }
  setHead(slot: number, v: number): void {
    const m = this.at(slot) + HEAD_LEN;
    this.cu[m] = (this.cu[m] & 0xffff0000) | v;
  }
  len(slot: number): number {
    const m = this.at(slot);
    return this.cu[m + HEAD_LEN] >>> 16;
  }
  setLen(slot: number, v: number): void {
    const m = this.at(slot) + HEAD_LEN;
    this.cu[m] = (this.cu[m] & 0xffff) | (v << 16);
  }
  /** Sets a slot's facts at once (a ring given to a pair, or moved to another pool). */
  setFacts(slot: number, first: number, last: number, count: number, dayCount: number, head: number, len: number): void {
    const m = this.at(slot);
    this.cf[(m >> 1) + FIRST] = first;
    this.cf[(m >> 1) + LAST] = last;
    this.cu[m + COUNT] = count;
    this.cu[m + DAY_COUNT] = dayCount;
    this.cu[m + HEAD_LEN] = head | (len << 16);
  }
  /** Copies a ring of another pool (no wider) and its facts into a slot, oldest interval first (its head at 0); the sum of its intervals. */
  copyRing(from: RingPool, fromSlot: number, toSlot: number): number {
    const a = from.at(fromSlot);
    const src = from.cu;
    const b = this.at(toSlot);
    const dst = this.cu;
    const hl = src[a + HEAD_LEN];
    const len = hl >>> 16;
    const w = from.width;
    // the facts: first and last time, count, day counter (as words), then the ring's place
    for (let i = 0; i < HEAD_LEN; i++) dst[b + i] = src[a + i];
    dst[b + HEAD_LEN] = len << 16;
    const si = from.ci;
    const di = this.ci;
    const ia = (fromSlot & from.mask) * w;
    const ib = (toSlot & this.mask) * this.width;
    let sum = 0;
    for (let i = 0, k = hl & 0xffff; i < len; i++) {
      const d = si[ia + k];
      di[ib + i] = d;
      sum += d;
      if (++k === w) k = 0;
    }
    if (this.withSizes) {
      const ss = from.cs;
      const sd = this.cs;
      const sa = (fromSlot & from.mask) * w;
      const sb = (toSlot & this.mask) * this.width;
      for (let i = 0, k = hl & 0xffff; i < len; i++) {
        sd[sb + i] = ss[sa + k];
        if (++k === w) k = 0;
      }
    }
    return sum;
  }

  /** Read ahead: a slot's head and length word, its page not made the current one (nothing changes). */
  headWord(slot: number): number {
    return this.words[slot >>> this.shift][(slot & this.mask) * META_WORDS + HEAD_LEN];
  }

  /** Read ahead: a slot's last time through its page's f64 view (a heap object of its own, which `at` loads too; nothing changes). */
  peekLast(slot: number): number {
    return this.floats[slot >>> this.shift][(slot & this.mask) * (META_WORDS >> 1) + LAST];
  }

  /** Read ahead: interval i of a slot, its page not made the current one (nothing changes). */
  peekInterval(slot: number, i: number): number {
    return this.ints[slot >>> this.shift][(slot & this.mask) * this.width + i];
  }

  /** Read ahead: size code i of a slot (0 when sizes are not kept), its page not made the current one (nothing changes). */
  peekSize(slot: number, i: number): number {
    return this.withSizes ? this.sizes[slot >>> this.shift][(slot & this.mask) * this.width + i] : 0;
  }

  /** interval i (0 … width − 1) of a slot */
  get(slot: number, i: number): number {
    this.at(slot);
    return this.ci[(slot & this.mask) * this.width + i];
  }
  set(slot: number, i: number, v: number): void {
    this.at(slot);
    this.ci[(slot & this.mask) * this.width + i] = v;
  }
  /** size code i of a slot (0 when sizes are not kept) */
  size(slot: number, i: number): number {
    if (!this.withSizes) return 0;
    this.at(slot);
    return this.cs[(slot & this.mask) * this.width + i];
  }
  setSize(slot: number, i: number, v: number): void {
    if (!this.withSizes) return;
    this.at(slot);
    this.cs[(slot & this.mask) * this.width + i] = v;
  }
}

/** the head's word offsets, for the store's hot path (which reads `cu`/`cf` at `at(slot)` directly) */
export const RING_META = { FIRST, LAST, COUNT, DAY_COUNT, HEAD_LEN, OWNER } as const;
