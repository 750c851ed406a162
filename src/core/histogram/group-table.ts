import { keyPart, LogRecord } from '../common/records';

/**
 * The histogram's group table: a record's group (its values of the group
 * fields) interned into an integer id by a hash over the values themselves,
 * so no key string is made per record. The hash is seeded per process:
 * group values come from logs an attacker may shape. Groups are equal
 * exactly when `keyOf` of their values is: strings by content, numbers by
 * value (0 = −0, NaN = NaN), null = missing, anything else by its `keyPart`
 * text.
 */

export const NONE = -1;
/** columns start with this many places and never shrink below it */
export const MIN_PLACES = 64;

/** The smallest power of two ≥ n and ≥ MIN_PLACES. */
export function placesFor(n: number): number {
  let places = MIN_PLACES;
  while (places < n) places *= 2;
  return places;
}
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/**
 * Group values come from logs, which an attacker may shape: a seed drawn per
 * process and a final mix (FNV-1a's low bits, which pick the slot, depend only
 * on the low bits of its input) keep crafted values from piling into one probe
 * run. Placement only: rows leave in the order their cells opened, so the
 * output never depends on the seed.
 */
const SEED = (Math.random() * 0x100000000) | 0;

/** murmur3's 32-bit finaliser: every output bit depends on every input bit */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
const float = new Float64Array(1);
const words = new Int32Array(float.buffer);

function hashText(text: string, h: number): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}

/** A hash of one group value, consistent with sameGroupValue. */
function hashValue(v: unknown, h: number): number {
  if (typeof v === 'string') return hashText(v, Math.imul(h ^ 0x73, FNV_PRIME));
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return Math.imul(h ^ 0x4e, FNV_PRIME); // every NaN alike
    if ((v | 0) === v) return Math.imul(Math.imul(h ^ 0x6e, FNV_PRIME) ^ v, FNV_PRIME); // −0 | 0 is 0
    float[0] = v;
    return Math.imul(Math.imul(Math.imul(h ^ 0x66, FNV_PRIME) ^ words[0], FNV_PRIME) ^ words[1], FNV_PRIME);
  }
  if (v === undefined || v === null) return Math.imul(h ^ 0x30, FNV_PRIME);
  return hashText(keyPart(v), Math.imul(h ^ 0x6a, FNV_PRIME));
}

/** Whether two group values fall in one group under keyOf (a is stored: never undefined). */
function sameGroupValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number') return typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  if (a === null) return b === undefined;
  if (typeof a === 'string' || typeof b === 'string' || typeof b === 'number' || b === null || b === undefined) return false;
  return keyPart(a) === keyPart(b);
}

/** Grows a typed array to `size`, keeping its contents. */
export function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/**
 * Interned groups: open addressing (linear probing) over integer ids, the
 * values flat in one array (stride = number of group fields).
 */
export class GroupTable {
  /** group values, `fields.length` per id; null for missing */
  readonly values: unknown[] = [];
  hash = new Int32Array(64);
  /** newest open cell of each group */
  head = new Int32Array(64);
  private slots = new Int32Array(128).fill(NONE);
  private readonly free: number[] = [];
  private next = 0;
  private count = 0;

  constructor(private readonly fields: readonly string[]) {}

  /** The id of a record's group, interned when new. */
  idOf(record: LogRecord): number {
    const fields = this.fields;
    let h = FNV_OFFSET ^ SEED;
    for (let i = 0; i < fields.length; i++) h = hashValue(record[fields[i]], h);
    h = mix(h);
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const g = this.slots[s];
      if (g === NONE) return this.insert(record, h, s);
      if (this.hash[g] === h && this.holds(g, record)) return g;
    }
  }

  /** Forgets a group (its last cell closed). */
  remove(g: number): void {
    const mask = this.slots.length - 1;
    let s = this.hash[g] & mask;
    while (this.slots[s] !== g) s = (s + 1) & mask;
    // backward-shift deletion: later entries of the probe run move up, no tombstones
    for (let j = (s + 1) & mask; this.slots[j] !== NONE; j = (j + 1) & mask) {
      const home = this.hash[this.slots[j]] & mask;
      const stays = s <= j ? s < home && home <= j : s < home || home <= j;
      if (stays) continue;
      this.slots[s] = this.slots[j];
      s = j;
    }
    this.slots[s] = NONE;
    const n = this.fields.length;
    for (let i = 0; i < n; i++) this.values[g * n + i] = null;
    this.free.push(g);
    this.count--;
  }

  /**
   * Renumbers the groups 0…count−1 into tables sized for them when at most
   * a quarter of the places are used (after a flood of groups); returns
   * old id → new id, or null when nothing moved.
   */
  shrinkIfSparse(): Int32Array | null {
    if (this.hash.length <= MIN_PLACES || this.count * 4 > this.hash.length) return null;
    const n = this.fields.length;
    const to = new Int32Array(this.next).fill(NONE);
    const places = placesFor(this.count * 2);
    const hash = new Int32Array(places);
    const head = new Int32Array(places);
    const values: unknown[] = [];
    let id = 0;
    for (let s = 0; s < this.slots.length; s++) {
      const g = this.slots[s];
      if (g === NONE) continue;
      to[g] = id;
      hash[id] = this.hash[g];
      head[id] = this.head[g];
      for (let i = 0; i < n; i++) values.push(this.values[g * n + i]);
      id++;
    }
    this.hash = hash;
    this.head = head;
    this.values.length = 0;
    for (let i = 0; i < values.length; i++) this.values.push(values[i]);
    this.free.length = 0;
    this.next = id;
    this.slots = new Int32Array(placesFor(id * 2)).fill(NONE);
    const mask = this.slots.length - 1;
    for (let g = 0; g < id; g++) {
      let slot = hash[g] & mask;
      while (this.slots[slot] !== NONE) slot = (slot + 1) & mask;
      this.slots[slot] = g;
    }
    return to;
  }

  clear(): void {
    this.values.length = 0;
    this.slots.fill(NONE);
    this.free.length = 0;
    this.next = 0;
    this.count = 0;
  }

  private holds(g: number, record: LogRecord): boolean {
    const fields = this.fields;
    const base = g * fields.length;
    for (let i = 0; i < fields.length; i++) if (!sameGroupValue(this.values[base + i], record[fields[i]])) return false;
    return true;
  }

  private insert(record: LogRecord, h: number, slot: number): number {
    const g = this.free.length > 0 ? (this.free.pop() as number) : this.next++;
    if (g >= this.hash.length) {
      this.hash = grown(this.hash, this.hash.length * 2);
      this.head = grown(this.head, this.head.length * 2);
    }
    this.hash[g] = h;
    this.head[g] = NONE;
    const fields = this.fields;
    for (let i = 0; i < fields.length; i++) this.values[g * fields.length + i] = record[fields[i]] ?? null;
    this.slots[slot] = g;
    if (++this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    return g;
  }

  private rehash(size: number): void {
    const old = this.slots;
    this.slots = new Int32Array(size).fill(NONE);
    const mask = size - 1;
    for (let i = 0; i < old.length; i++) {
      const g = old[i];
      if (g === NONE) continue;
      let s = this.hash[g] & mask;
      while (this.slots[s] !== NONE) s = (s + 1) & mask;
      this.slots[s] = g;
    }
  }
}
