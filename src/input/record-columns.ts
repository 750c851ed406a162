/**
 * Records as columns, to cross between threads without a structured clone
 * of every object: per value a type tag (Uint8Array) and a number
 * (Float64Array: the value itself, or an index into the chunk's distinct
 * strings, or into the few values of other kinds), per record the index of
 * its key list. The two typed arrays are transferred, not copied; the
 * strings go once per chunk however many records repeat them. Decoding
 * gives records equal to the originals: same keys in the same order (so
 * V8 gives them one hidden class, as the parser's), -0 and NaN kept,
 * undefined kept as a present key.
 */
import type { LogRecord } from '../core/common/records';

export interface RecordColumns {
  count: number;
  /** the distinct key lists, in order of first use */
  shapes: string[][];
  /** per record, its key list's index */
  shapeOf: Uint32Array;
  /** per value, in record then key order: one of the TAG values */
  tags: Uint8Array;
  /** per value: the number, or the index into strings or others */
  values: Float64Array;
  /** the distinct strings of the chunk */
  strings: string[];
  /** values that are neither strings, numbers, booleans, null nor undefined (structured-cloned) */
  others: unknown[];
}

const UNDEFINED = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const NUMBER = 4;
const STRING = 5;
const OTHER = 6;

/** The typed arrays' buffers, to list as transferables. */
export function transferables(c: RecordColumns): ArrayBuffer[] {
  return [c.shapeOf.buffer as ArrayBuffer, c.tags.buffer as ArrayBuffer, c.values.buffer as ArrayBuffer];
}

export function encodeRecords(records: readonly LogRecord[]): RecordColumns {
  let size = 0;
  const keysOf: string[][] = new Array(records.length);
  for (let r = 0; r < records.length; r++) {
    keysOf[r] = Object.keys(records[r]);
    size += keysOf[r].length;
  }
  const tags = new Uint8Array(size);
  const values = new Float64Array(size);
  const shapeOf = new Uint32Array(records.length);
  const shapes: string[][] = [];
  const shapeIds = new Map<string, number>();
  const strings: string[] = [];
  const stringIds = new Map<string, number>();
  const others: unknown[] = [];
  let last: string[] | null = null;
  let lastId = -1;
  let at = 0;
  for (let r = 0; r < records.length; r++) {
    const keys = keysOf[r];
    // records of one parser mostly share a key list: compared with the last one before it is looked up
    if (!last || !sameKeys(last, keys)) {
      const id = JSON.stringify(keys); // unambiguous whatever the keys hold
      let found = shapeIds.get(id);
      if (found === undefined) {
        shapeIds.set(id, (found = shapes.length));
        shapes.push(keys);
      }
      last = shapes[found];
      lastId = found;
    }
    shapeOf[r] = lastId;
    const record = records[r];
    for (let k = 0; k < keys.length; k++, at++) {
      const v = record[keys[k]];
      switch (typeof v) {
        case 'string': {
          let s = stringIds.get(v);
          if (s === undefined) {
            stringIds.set(v, (s = strings.length));
            strings.push(v);
          }
          tags[at] = STRING;
          values[at] = s;
          break;
        }
        case 'number':
          tags[at] = NUMBER;
          values[at] = v;
          break;
        case 'boolean':
          tags[at] = v ? TRUE : FALSE;
          break;
        case 'undefined':
          tags[at] = UNDEFINED;
          break;
        default:
          if (v === null) tags[at] = NULL;
          else {
            tags[at] = OTHER;
            values[at] = others.length;
            others.push(v);
          }
      }
    }
  }
  return { count: records.length, shapes, shapeOf, tags, values, strings, others };
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function decodeRecords(c: RecordColumns): LogRecord[] {
  const out: LogRecord[] = new Array(c.count);
  const { tags, values, strings, others, shapes, shapeOf } = c;
  let at = 0;
  for (let r = 0; r < c.count; r++) {
    const keys = shapes[shapeOf[r]];
    const record: LogRecord = {};
    for (let k = 0; k < keys.length; k++, at++) {
      const v = valueAt(tags[at], values[at], strings, others);
      // a JSON record may have an own key "__proto__": assigning it would set the prototype instead
      if (keys[k] === '__proto__') Object.defineProperty(record, '__proto__', { value: v, enumerable: true, writable: true, configurable: true });
      else record[keys[k]] = v;
    }
    out[r] = record;
  }
  return out;
}

function valueAt(tag: number, value: number, strings: string[], others: unknown[]): unknown {
  switch (tag) {
    case STRING:
      return strings[value];
    case NUMBER:
      return value;
    case TRUE:
      return true;
    case FALSE:
      return false;
    case NULL:
      return null;
    case OTHER:
      return others[value];
    default:
      return undefined;
  }
}
