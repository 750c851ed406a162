/**
 * Rings of one width, packed in one typed array: slot s holds intervals
 * [s·width, (s + 1)·width). A pair's ring moves to the next wider pool as
 * it fills, so a pair seen three times holds 4 intervals' room, not 256.
 * Released slots are reused before the pool grows (a stack of free slots).
 */
export class RingPool {
  /** whole milliseconds between a connection and the one before */
  intervals: Uint32Array;
  /** 1 + log-quantised bytes of each interval's later connection (0: unknown), or null when sizes are not kept */
  sizes: Uint8Array | null;
  private free: Int32Array;
  private freeCount = 0;
  /** slots handed out at least once (the high-water mark) */
  private used = 0;

  constructor(
    readonly width: number,
    withSizes: boolean,
    private slots: number,
    /** growth stops here (a byte cap's worth of rings of this width) */
    private readonly maxSlots = Infinity,
  ) {
    this.slots = Math.max(1, slots);
    this.intervals = new Uint32Array(this.slots * width);
    this.sizes = withSizes ? new Uint8Array(this.slots * width) : null;
    this.free = new Int32Array(0);
  }

  /** slots in use */
  get live(): number {
    return this.used - this.freeCount;
  }

  /** whether alloc() must grow the arrays */
  get full(): boolean {
    return this.freeCount === 0 && this.used === this.slots;
  }

  get bytes(): number {
    return this.intervals.byteLength + (this.sizes ? this.sizes.byteLength : 0) + this.free.byteLength;
  }

  alloc(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount];
    if (this.used === this.slots) this.grow();
    return this.used++;
  }

  release(slot: number): void {
    if (this.freeCount === this.free.length) {
      const bigger = new Int32Array(Math.max(16, this.free.length * 2));
      bigger.set(this.free);
      this.free = bigger;
    }
    this.free[this.freeCount++] = slot;
  }

  private grow(): void {
    const grown = Math.ceil(this.slots * 1.5);
    const slots = this.maxSlots > this.slots ? Math.min(grown, this.maxSlots) : grown;
    const intervals = new Uint32Array(slots * this.width);
    intervals.set(this.intervals);
    this.intervals = intervals;
    if (this.sizes) {
      const sizes = new Uint8Array(slots * this.width);
      sizes.set(this.sizes);
      this.sizes = sizes;
    }
    this.slots = slots;
  }
}
