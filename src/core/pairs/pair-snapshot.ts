import { INTERNED_BASE } from './key-codes';
import { PAIR_HISTORY_FORMAT, PairCounters, PairHistoryOptions } from './pair-types';

/**
 * The pair history's state at rest: the dense, ordered form of its columns
 * (what a snapshot holds and what a rebuild starts from) and its JSON
 * encoding, little-endian columns as base64, versioned: another version is
 * refused with a message saying what to do.
 */

export interface Dense {
  n: number;
  keys: Float64Array[];
  /** interned values; an interned code in `keys` is an index here */
  values: unknown[];
  first: Float64Array;
  last: Float64Array;
  count: Uint32Array;
  flags: Uint8Array;
  day: Uint16Array;
  dayCount: Uint32Array;
  ringLen: Uint16Array;
  /** every ring's intervals, oldest first, row after row */
  rings: Uint32Array;
  sizes: Uint8Array | null;
}

/** What a snapshot's state holds besides the columns. */
export interface StateMeta {
  watermark: number | null;
  nextSweep: number | null;
  evictBlockedUntil: number;
  counters: PairCounters;
}

/** What a snapshot's state holds: the dense columns as base64 (little-endian). */
export interface PairHistoryState extends StateMeta {
  format: 'pair-history';
  version: number;
  endian: 'LE';
  n: number;
  values: unknown[];
  columns: Record<string, string>;
}

export function emptyDense(keys: number, withSizes: boolean): Dense {
  return {
    n: 0,
    keys: Array.from({ length: keys }, () => new Float64Array(0)),
    values: [],
    first: new Float64Array(0),
    last: new Float64Array(0),
    count: new Uint32Array(0),
    flags: new Uint8Array(0),
    day: new Uint16Array(0),
    dayCount: new Uint32Array(0),
    ringLen: new Uint16Array(0),
    rings: new Uint32Array(0),
    sizes: withSizes ? new Uint8Array(0) : null,
  };
}

export function encodeState(d: Dense, meta: StateMeta): PairHistoryState {
  const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  const columns: Record<string, string> = {
    first: b64(d.first),
    last: b64(d.last),
    count: b64(d.count),
    flags: b64(d.flags),
    day: b64(d.day),
    dayCount: b64(d.dayCount),
    ringLen: b64(d.ringLen),
    rings: b64(d.rings),
  };
  d.keys.forEach((k, i) => (columns[`key${i}`] = b64(k)));
  if (d.sizes) columns.sizes = b64(d.sizes);
  return { format: 'pair-history', version: PAIR_HISTORY_FORMAT, endian: 'LE', ...meta, n: d.n, values: d.values, columns };
}

/** encodeState's state back as columns; throws a message saying why when it cannot (another format or version, damaged columns). */
export function decodeState(saved: unknown, options: PairHistoryOptions): { dense: Dense; meta: StateMeta } {
  const s = saved as Partial<PairHistoryState> | null;
  if (!s || typeof s !== 'object' || s.format !== 'pair-history') throw new Error('saved state is not a pair history');
  if (s.version !== PAIR_HISTORY_FORMAT) {
    throw new Error(
      `saved pair history has format version ${String(s.version)}; this package reads version ${PAIR_HISTORY_FORMAT} only: start a fresh history (it refills from new records over the horizon)`,
    );
  }
  if (s.endian !== 'LE') throw new Error('saved pair history has another byte order');
  const n = s.n;
  const cols = s.columns;
  const values = s.values;
  if (!(typeof n === 'number' && Number.isInteger(n) && n >= 0) || !cols || !Array.isArray(values))
    throw new Error('saved pair history is damaged (no row count, columns or values)');
  const read = <T>(name: string, make: (b: ArrayBuffer) => T, bytesPer: number, expected: number | null): T => {
    const text = cols[name];
    if (typeof text !== 'string') throw new Error(`saved pair history is damaged (no ${name} column)`);
    const buf = Buffer.from(text, 'base64');
    if (expected !== null && buf.byteLength !== expected * bytesPer)
      throw new Error(`saved pair history is damaged (${name} has ${buf.byteLength} bytes, not ${expected * bytesPer})`);
    if (buf.byteLength % bytesPer !== 0) throw new Error(`saved pair history is damaged (${name})`);
    const copy = new ArrayBuffer(buf.byteLength);
    new Uint8Array(copy).set(buf);
    return make(copy);
  };
  const ringLen = read('ringLen', (b) => new Uint16Array(b), 2, n);
  let intervals = 0;
  for (let r = 0; r < n; r++) {
    if (ringLen[r] > options.ringSize) throw new Error(`saved pair history holds rings of ${ringLen[r]} intervals, more than this store's ${options.ringSize}`);
    intervals += ringLen[r];
  }
  const dense: Dense = {
    n,
    values,
    keys: options.keyFields.map((_, i) => read(`key${i}`, (b) => new Float64Array(b), 8, n)),
    first: read('first', (b) => new Float64Array(b), 8, n),
    last: read('last', (b) => new Float64Array(b), 8, n),
    count: read('count', (b) => new Uint32Array(b), 4, n),
    flags: read('flags', (b) => new Uint8Array(b), 1, n),
    day: read('day', (b) => new Uint16Array(b), 2, n),
    dayCount: read('dayCount', (b) => new Uint32Array(b), 4, n),
    ringLen,
    rings: read('rings', (b) => new Uint32Array(b), 4, intervals),
    sizes: options.bytesField ? read('sizes', (b) => new Uint8Array(b), 1, intervals) : null,
  };
  for (const k of dense.keys)
    for (let r = 0; r < n; r++)
      if (k[r] >= INTERNED_BASE && !(k[r] - INTERNED_BASE < values.length)) throw new Error('saved pair history is damaged (a key names no value)');
  const meta: StateMeta = {
    watermark: s.watermark ?? null,
    nextSweep: s.nextSweep ?? null,
    evictBlockedUntil: typeof s.evictBlockedUntil === 'number' ? s.evictBlockedUntil : 0,
    counters: { ...(s.counters ?? {}) } as PairCounters,
  };
  return { dense, meta };
}
