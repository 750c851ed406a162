import { dottedQuad } from '../common/address';
import { keyPart } from '../common/records';

/**
 * Key values as numbers, so a pair's key lives in typed-array columns and
 * not in a string per pair. Most values of a pair key are IPv4 addresses,
 * /n networks of them and port numbers: those are coded arithmetically and
 * cost nothing beyond the column. Anything else (IPv6, names, port text)
 * is interned once per distinct value. Codes are exact integers below 2^53;
 * equal codes mean equal keys in the sense of `keyOf` (443 and "443" stay
 * apart, as they do in the delta and histogram keys).
 */

/** "a.b.c.d" → quad·64 + 63; "a.b.c.d/n" → quad·64 + n (0 ≤ n ≤ 32). Below 2^38. */
const NO_PREFIX = 63;
const NUMBER_BASE = 2 ** 38;
/** integers 0 … 2^32 − 1 (ports, protocol numbers) */
export const INTERNED_BASE = NUMBER_BASE + 2 ** 32;
/** heap bytes per interned value beyond its text: the map entry, the string header, the array slot */
const INTERNED_OVERHEAD = 64;

export class KeyCodes {
  private readonly ids = new Map<string, number>();
  private readonly values: unknown[] = [];
  private textBytes = 0;

  /** values interned so far */
  get interned(): number {
    return this.values.length;
  }

  /** estimated heap bytes of the interned values (strings are counted two bytes a character) */
  get bytes(): number {
    return this.textBytes + this.values.length * INTERNED_OVERHEAD;
  }

  encode(value: unknown): number {
    const direct = directCode(value);
    if (direct >= 0) return direct;
    const text = keyPart(value);
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(text, id);
      this.values.push(value === undefined ? null : value);
      this.textBytes += 2 * text.length;
    }
    return INTERNED_BASE + id;
  }

  /** The code `encode` gives a value, or −1 when that would intern a value not seen yet (nothing changes). */
  peek(value: unknown): number {
    const direct = directCode(value);
    if (direct >= 0) return direct;
    const id = this.ids.get(keyPart(value));
    return id === undefined ? -1 : INTERNED_BASE + id;
  }

  decode(code: number): unknown {
    if (code >= INTERNED_BASE) return this.values[code - INTERNED_BASE];
    if (code >= NUMBER_BASE) return code - NUMBER_BASE;
    const bits = code % 64;
    const quad = (code - bits) / 64;
    const text = `${quad >>> 24}.${(quad >>> 16) & 255}.${(quad >>> 8) & 255}.${quad & 255}`;
    return bits === NO_PREFIX ? text : `${text}/${bits}`;
  }

  /** whether a code names an interned value (whose id changes when the values are re-interned) */
  static isInterned(code: number): boolean {
    return code >= INTERNED_BASE;
  }
}

/** The code of a value coded arithmetically (an address, a network, an integer 0 … 2^32 − 1), or −1 when it is interned. */
function directCode(value: unknown): number {
  if (typeof value === 'string') return addressCode(value);
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 2 ** 32 && !Object.is(value, -0)) return NUMBER_BASE + value;
  return -1;
}

/** The arithmetic code of a strict dotted quad with an optional strict /0-32 suffix, or −1. */
function addressCode(text: string): number {
  const slash = text.indexOf('/');
  if (slash < 0) {
    const quad = dottedQuad(text);
    return quad < 0 ? -1 : quad * 64 + NO_PREFIX;
  }
  // read in place: a substring per record was a fifth of the store's time on network keys
  const quad = dottedQuad(text, slash);
  if (quad < 0) return -1;
  const rest = text.length - slash - 1;
  const c1 = text.charCodeAt(slash + 1) - 48;
  if (rest === 1 && c1 >= 0 && c1 <= 9) return quad * 64 + c1;
  if (rest === 2 && c1 >= 1 && c1 <= 3) {
    const bits = c1 * 10 + text.charCodeAt(slash + 2) - 48;
    if (bits >= 10 && bits <= 32) return quad * 64 + bits;
  }
  return -1; // leading zeros, more digits, bits over 32: not canonical, interned as text
}

/** A 32-bit hash of one more code into h (both halves of the 2^53 range). */
export function mixCode(h: number, code: number): number {
  return mixParts(h, code >>> 0, (code / 4294967296) | 0);
}

/** mixCode of the code hi · 2^32 + lo, from its halves (as the rows keep them). */
export function mixParts(h: number, lo: number, hi: number): number {
  h = Math.imul(h ^ lo, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16) ^ hi, 0x85ebca6b);
  return h ^ (h >>> 13);
}
