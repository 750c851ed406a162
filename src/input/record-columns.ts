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
  const shapeOf = new Uint32Array(records.length);
  const shapes: string[][] = [];
  const shapeIds = new Map<string, number>();
  let size = 0;
  let last: string[] | null = null;
  let lastId = -1;
  for (let r = 0; r < records.length; r++) {
    const keys = Object.keys(records[r]);
    size += keys.length;
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
  }
  /** per key list, per key: the last string seen there and its index (a column mostly repeats its value) */
  const lastStrings = shapes.map((keys) => new Array<string>(keys.length));
  const lastIds = shapes.map((keys) => new Array<number>(keys.length).fill(0));
  const tags = new Uint8Array(size);
  const values = new Float64Array(size);
  const strings: string[] = [];
  const stringIds = new Map<string, number>();
  const others: unknown[] = [];
  let at = 0;
  for (let r = 0; r < records.length; r++) {
    const shape = shapeOf[r];
    const keys = shapes[shape];
    // one builtin call reads a record's values in its keys' order (a keyed load per key sees every key list's shape)
    const row = Object.values(records[r]);
    const seen = lastStrings[shape];
    const seenIds = lastIds[shape];
    for (let k = 0; k < keys.length; k++, at++) {
      const v = row[k];
      switch (typeof v) {
        case 'string': {
          let s: number | undefined;
          if (seen[k] === v) s = seenIds[k];
          else {
            s = stringIds.get(v);
            if (s === undefined) {
              stringIds.set(v, (s = strings.length));
              strings.push(v);
            }
            seen[k] = v;
            seenIds[k] = s;
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

/** a key list used by at least this many records of a chunk gets a template record */
const TEMPLATE_AT = 32;
/** longer key lists are made key by key (a template that long would be a dictionary-mode object anyway) */
const MAX_TEMPLATE_KEYS = 256;

/**
 * A record with every key of the list, in order, each undefined: a copy
 * of it (an object spread, which V8 makes as one allocation with the
 * template's hidden class) is filled in place, instead of growing each
 * record key by key through a chain of hidden-class transitions. No code
 * is generated: keys come from the input, and a "__proto__" key keeps the
 * generic path (a spread would not copy it as an own key).
 */
function templateOf(keys: readonly string[], uses: number): LogRecord | null {
  if (uses < TEMPLATE_AT || keys.length > MAX_TEMPLATE_KEYS || keys.includes('__proto__')) return null;
  const template: LogRecord = {};
  for (const k of keys) template[k] = undefined;
  return template;
}

export function decodeRecords(c: RecordColumns): LogRecord[] {
  const out: LogRecord[] = new Array(c.count);
  const { tags, values, strings, others, shapes, shapeOf } = c;
  const uses = new Array<number>(shapes.length).fill(0);
  for (let r = 0; r < c.count; r++) uses[shapeOf[r]]++;
  const templates = shapes.map((keys, i) => templateOf(keys, uses[i]));
  let at = 0;
  for (let r = 0; r < c.count; r++) {
    const keys = shapes[shapeOf[r]];
    const template = templates[shapeOf[r]];
    if (template) {
      const record: LogRecord = { ...template };
      for (let k = 0; k < keys.length; k++, at++) {
        const t = tags[at];
        record[keys[k]] = t === STRING ? strings[values[at]] : t === NUMBER ? values[at] : valueAt(t, values[at], strings, others);
      }
      out[r] = record;
      continue;
    }
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
