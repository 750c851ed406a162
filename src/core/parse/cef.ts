/**
 * CEF (ArcSight Common Event Format): header fields split on unescaped
 * pipes, extension `key=value` pairs with values that may contain spaces,
 * honouring the escapes \= \\ \| \n \r. No regular expression: the text is
 * searched with indexOf (pipes, equals signs, backslashes) and only the
 * characters of keys are looked at one by one.
 */

export interface CefEvent {
  version: string;
  deviceVendor: string;
  deviceProduct: string;
  deviceVersion: string;
  signatureId: string;
  name: string;
  severity: string;
  extension: Record<string, string>;
}

const BACKSLASH = 92;
const SPACE = 32;

export function parseCef(message: string): CefEvent | string {
  const start = message.indexOf('CEF:');
  if (start < 0) return 'no "CEF:" prefix';
  const text = message.slice(start + 4);
  const header: string[] = [];
  const rest = splitHeader(text, header);
  if (rest < 0) return `CEF header has ${-rest} of 8 fields`;
  return {
    version: header[0],
    deviceVendor: header[1],
    deviceProduct: header[2],
    deviceVersion: header[3],
    signatureId: header[4],
    name: header[5],
    severity: header[6],
    extension: parseExtension(text.slice(rest)),
  };
}

/**
 * Fills header[0..6] with the seven fields before the extension of
 * text[from, …); returns where the extension starts, or, when there are
 * fewer than seven unescaped pipes, -1 - the number of fields found.
 */
export function splitHeader(text: string, header: string[], from = 0): number {
  let at = from;
  let f = 0;
  for (; f < 7; f++) {
    const pipe = text.indexOf('|', at);
    if (pipe < 0) break;
    header[f] = text.slice(at, pipe);
    at = pipe + 1;
  }
  const backslash = text.indexOf('\\', from);
  if (f === 7 && (backslash < 0 || backslash >= at)) return at;
  // an escape in the header (rare): character by character
  f = 0;
  let current = '';
  let i = from;
  for (; i < text.length && f < 7; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && (text[i + 1] === '|' || text[i + 1] === '\\')) {
      current += text[++i];
    } else if (c === '|') {
      header[f++] = current;
      current = '';
    } else {
      current += c;
    }
  }
  return f === 7 ? i : -1 - f;
}

/** Character codes that may appear in an extension key: [A-Za-z0-9_.\-[\]]. */
export const KEY_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-[]') KEY_CHAR[c.charCodeAt(0)] = 1;

/** The hash the scan computes of a key while it reads it backwards, one step per character. */
export const hashStep = (h: number, c: number) => (Math.imul(h, 31) + c) | 0;
const TABLE_SIZE = 1024;
const slotOf = (h: number) => (h ^ (h >>> 10)) & (TABLE_SIZE - 1);

/**
 * Known keys in an open-addressing table by the hash of all their
 * characters, which the scan computes as it reads a key (from the '=' back
 * to the space): a key is then found with one probe or a few, each
 * comparing hashes first and the characters only on equal hashes, and no
 * key string is made. Each key also as 32-bit words, to compare it with a
 * line's bytes four characters at a time where it is expected, and the key
 * that followed it last (what is expected after it).
 */
export class KeyMatcher {
  /** per slot: the key's index in `keys` (-1 when empty), its hash, length and first character in `chars` */
  readonly slotKey = new Int16Array(TABLE_SIZE).fill(-1);
  readonly slotHash = new Int32Array(TABLE_SIZE);
  readonly slotLength = new Int32Array(TABLE_SIZE);
  readonly slotChars = new Int32Array(TABLE_SIZE);
  readonly chars: Uint8Array;
  /** per key: its length, its first character in `chars` and its first word in `words`, and the key that followed it last (-1: none yet) */
  readonly keyLength: Int32Array;
  readonly keyChars: Int32Array;
  readonly keyWords: Int32Array;
  /** each key's characters four at a time, little-endian, as DataView#getInt32 reads them */
  readonly words: Int32Array;
  readonly follows: Int32Array;
  /**
   * per key: its " key=" (a space, the key, '='), to compare with a line's
   * bytes eight at a time: patterns of 8 bytes and more as the little-endian
   * doubles of their first and last eight bytes (`patternHead`,
   * `patternTail`, overlapping) and of the eight at 8, 16, … before those
   * (`patternMiddle`, from `middleAt[k]` to `middleAt[k + 1]`); patterns of
   * 4 to 7 bytes as the Int32 of their first and last four. Equal doubles
   * have equal bits here: no pattern's double is NaN or zero, its bytes
   * being printable. A one-character key's three bytes are compared one by
   * one.
   */
  readonly patternHead: Float64Array;
  readonly patternTail: Float64Array;
  readonly middleAt: Int32Array;
  readonly patternMiddle: Float64Array;
  /** slots looked at so far (tests read it: the work per key is bounded) */
  probes = 0;

  constructor(readonly keys: readonly string[]) {
    if (keys.length > TABLE_SIZE / 4) throw new Error('too many known CEF keys for the table');
    this.chars = new Uint8Array(keys.reduce((n, key) => n + key.length, 0));
    this.keyLength = Int32Array.from(keys, (key) => key.length);
    this.keyChars = new Int32Array(keys.length);
    this.keyWords = new Int32Array(keys.length);
    this.words = new Int32Array(keys.reduce((n, key) => n + (key.length >> 2), 0));
    this.follows = new Int32Array(keys.length).fill(-1);
    this.patternHead = new Float64Array(keys.length);
    this.patternTail = new Float64Array(keys.length);
    this.middleAt = new Int32Array(keys.length + 1);
    const middles: number[] = [];
    keys.forEach((key, index) => {
      const pattern = Buffer.from(` ${key}=`, 'latin1');
      const n = pattern.length;
      const view = new DataView(pattern.buffer, pattern.byteOffset, n);
      if (n >= 8) {
        this.patternHead[index] = view.getFloat64(0, true);
        this.patternTail[index] = view.getFloat64(n - 8, true);
        for (let o = 8; o < n - 8; o += 8) middles.push(view.getFloat64(o, true));
      } else if (n >= 4) {
        this.patternHead[index] = view.getInt32(0, true);
        this.patternTail[index] = view.getInt32(n - 4, true);
      }
      this.middleAt[index + 1] = middles.length;
    });
    this.patternMiddle = Float64Array.from(middles);
    let at = 0;
    let word = 0;
    keys.forEach((key, index) => {
      this.keyChars[index] = at;
      this.keyWords[index] = word;
      for (let w = 0; w < key.length >> 2; w++) {
        const c = (i: number) => key.charCodeAt(4 * w + i);
        this.words[word++] = c(0) | (c(1) << 8) | (c(2) << 16) | (c(3) << 24);
      }
      let h = 0;
      for (let i = key.length - 1; i >= 0; i--) {
        const c = key.charCodeAt(i);
        if (c >= 128 || KEY_CHAR[c] === 0) throw new Error(`not a CEF key: ${key}`);
        h = hashStep(h, c);
        this.chars[at + i] = c;
      }
      let slot = slotOf(h);
      while (this.slotKey[slot] >= 0) slot = (slot + 1) & (TABLE_SIZE - 1);
      this.slotKey[slot] = index;
      this.slotHash[slot] = h;
      this.slotLength[slot] = key.length;
      this.slotChars[slot] = at;
      at += key.length;
    });
  }

  /** The index of the key text[start, end) whose hash is h, or -1. */
  find(text: string, start: number, end: number, h: number): number {
    const len = end - start;
    for (let slot = slotOf(h); ; slot = (slot + 1) & (TABLE_SIZE - 1)) {
      this.probes++;
      const key = this.slotKey[slot];
      if (key < 0) return -1;
      if (this.slotHash[slot] === h && this.slotLength[slot] === len && this.sameChars(text, start, len, this.slotChars[slot])) return key;
    }
  }

  private sameChars(text: string, start: number, len: number, at: number): boolean {
    for (let i = 0; i < len; i++) if (text.charCodeAt(start + i) !== this.chars[at + i]) return false;
    return true;
  }

  /** The longest run of occupied slots (the most probes a lookup can take, minus one). */
  longestRun(): number {
    let longest = 0;
    for (let start = 0; start < TABLE_SIZE; start++) {
      let n = 0;
      while (n < TABLE_SIZE && this.slotKey[(start + n) & (TABLE_SIZE - 1)] >= 0) n++;
      longest = Math.max(longest, n);
    }
    return longest;
  }
}

/** No key known: the plain reader's. */
export const ANY_KEY = new KeyMatcher([]);

/**
 * Where the `key=value` pairs of an extension lie, in order: pair i has the
 * key text[keyStart[i], equals[i]) and the raw value text[equals[i] + 1,
 * valueEnd[i]) (not yet trimmed nor unescaped), and known[i] is the index of
 * its key among the matcher's keys, or -1. Pair i + 1's key starts right
 * after valueEnd[i] (a space). `bytes` holds the text as bytes when it is
 * ASCII and keys were known (else null), for the reader to use until the
 * next scan. Reused from line to line.
 */
export class ExtensionPairs {
  count = 0;
  bytes: TextBytes | null = null;
  keyStart = new Int32Array(64);
  equals = new Int32Array(64);
  valueEnd = new Int32Array(64);
  known = new Int32Array(64);

  /** Room for n pairs (the pairs held are dropped). */
  reserve(n: number): void {
    if (n <= this.keyStart.length) return;
    this.keyStart = new Int32Array(n);
    this.equals = new Int32Array(n);
    this.valueEnd = new Int32Array(n);
    this.known = new Int32Array(n);
  }
}

/** A text's bytes, and a view that reads four of them at once. */
export interface TextBytes {
  bytes: Buffer;
  view: DataView;
}
const textBytesOf = (size: number): TextBytes => {
  const bytes = Buffer.alloc(size);
  return { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.length) };
};
let textBytes = textBytesOf(4096);

/** the bytes of the UTF-8 copy asciiBytes made last */
let utf8Length = 0;

/** The text as bytes when it is all ASCII (then byte i is character i), else null; valid until the next call (shared). */
export function asciiBytes(text: string): TextBytes | null {
  // room for 3 bytes a character: a UTF-8 copy that is not cut short has as many bytes as characters only for ASCII
  if (textBytes.bytes.length < 3 * text.length + 4) textBytes = textBytesOf(3 * text.length + 4);
  utf8Length = textBytes.bytes.write(text);
  return utf8Length === text.length ? textBytes : null;
}

/**
 * After asciiBytes answered null for the same text: the text as Latin-1
 * bytes (byte i is character i) when no character is above U+00FF (an
 * accented user or file name), else null; valid until the next call. Read
 * from the UTF-8 copy asciiBytes left: a character above U+00FF, or a lone
 * surrogate (written as U+FFFD), is the only thing whose lead byte is above
 * 0xC3; the ASCII words are passed over four bytes at a time.
 */
export function latin1Bytes(text: string): TextBytes | null {
  const { bytes, view } = textBytes;
  const n = utf8Length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const w = view.getInt32(i, true);
    if ((w & 0x80808080) !== 0 && ((w & 0xff) > 0xc3 || ((w >>> 8) & 0xff) > 0xc3 || ((w >>> 16) & 0xff) > 0xc3 || w >>> 24 > 0xc3)) return null;
  }
  for (; i < n; i++) if (bytes[i] > 0xc3) return null;
  bytes.write(text, 0, text.length, 'latin1');
  return textBytes;
}

/**
 * Finds the pairs of text[from, end). A value runs up to the space before
 * the next unescaped `key=` whose key follows a space (or starts the text).
 * A log's lines repeat their keys in one order, so where the key that
 * followed the previous key last time ends at the next '=' and follows a
 * space, that is the pair (what reading the key back from the '=' would
 * find), compared as bytes; else the key is read back character by
 * character. Which key is expected changes only how fast a pair is found.
 * `ascii` false: the caller knows the text is not all ASCII (no bytes tried).
 */
export function scanExtension(text: string, pairs: ExtensionPairs, keys = ANY_KEY, from = 0, ascii = true): void {
  // a pair takes at least 3 characters ("k=" and a space before the next)
  pairs.reserve(((text.length - from) >> 1) + 2);
  const keyStart = pairs.keyStart;
  const equals = pairs.equals;
  const valueEnd = pairs.valueEnd;
  const known = pairs.known;
  let count = 0;
  const text8 = ascii && keys.keys.length > 0 ? asciiBytes(text) : null;
  pairs.bytes = text8;
  const bytes = text8?.bytes;
  const view = text8?.view;
  const { follows, keyLength, keyWords, words, keyChars, chars } = keys;
  let previous = -1;
  let expected = -1;
  // the first backslash at or after the current position: most extensions have none, so most '=' need no escape check
  let backslash = text.indexOf('\\', from);
  for (let eq = text.indexOf('=', from); eq >= 0; eq = text.indexOf('=', eq + 1)) {
    if (expected >= 0) {
      const len = keyLength[expected];
      const start = eq - len;
      let same = start >= from && (start === from || text.charCodeAt(start - 1) === SPACE);
      const c0 = keyChars[expected];
      if (bytes !== undefined && view !== undefined) {
        // the expected key, four bytes at a time, then the rest
        const w0 = keyWords[expected];
        const w1 = w0 + (len >> 2);
        for (let w = w0, at = start; same && w < w1; w++, at += 4) same = view.getInt32(at, true) === words[w];
        for (let i = len & ~3; same && i < len; i++) same = bytes[start + i] === chars[c0 + i];
      } else {
        // a line that is not all ASCII (an accented user or file name): compared as characters, which spares
        // reading every key back and looking it up (such lines took 3 times an ASCII line's time without it)
        for (let i = 0; same && i < len; i++) same = text.charCodeAt(start + i) === chars[c0 + i];
      }
      if (same) {
        if (count > 0) valueEnd[count - 1] = start - 1;
        keyStart[count] = start;
        equals[count] = eq;
        known[count++] = expected;
        previous = expected;
        expected = follows[expected];
        continue;
      }
    }
    if (backslash >= 0 && backslash < eq) {
      // escaped when an odd run of backslashes stands right before it
      let run = 0;
      while (eq - run - 1 >= from && text.charCodeAt(eq - run - 1) === BACKSLASH) run++;
      backslash = text.indexOf('\\', eq);
      if (run & 1) continue;
    }
    let h = 0;
    let k = eq - 1;
    for (; k >= from; k--) {
      const c = text.charCodeAt(k);
      if (c >= 128 || KEY_CHAR[c] === 0) break;
      h = hashStep(h, c);
    }
    if (k === eq - 1 || (k >= from && text.charCodeAt(k) !== SPACE)) continue;
    if (count > 0) valueEnd[count - 1] = k;
    const key = keys.find(text, k + 1, eq, h);
    keyStart[count] = k + 1;
    equals[count] = eq;
    known[count++] = key;
    if (previous >= 0) follows[previous] = key;
    previous = key;
    expected = key >= 0 ? follows[key] : -1;
  }
  if (count > 0) valueEnd[count - 1] = text.length;
  pairs.count = count;
}

const shared = new ExtensionPairs();

/** key=value pairs; a value runs up to the space before the next unescaped `key=`. */
export function parseExtension(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  scanExtension(text, shared);
  for (let i = 0; i < shared.count; i++) {
    const key = text.slice(shared.keyStart[i], shared.equals[i]);
    const value = extensionValue(text, shared.equals[i] + 1, shared.valueEnd[i]);
    // an own property even for "__proto__", whose plain assignment would be dropped
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

/** The value text[start, end): trailing whitespace dropped (as `\s` would), escapes resolved. */
export function extensionValue(text: string, start: number, end: number): string {
  const raw = text.slice(start, end).trimEnd();
  return raw.includes('\\') ? unescapeValue(raw) : raw;
}

function unescapeValue(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c !== '\\' || i + 1 >= raw.length) {
      out += c;
      continue;
    }
    const n = raw[++i];
    out += n === 'n' ? '\n' : n === 'r' ? '\r' : n;
  }
  return out;
}
