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
  if (rest < 0) return `CEF header has ${header.length + 1} of 8 fields`;
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
 * Fills `header` with the seven fields before the extension; returns where
 * the extension starts, or -1 when there are fewer than seven unescaped pipes.
 */
export function splitHeader(text: string, header: string[]): number {
  let from = 0;
  for (let f = 0; f < 7; f++) {
    const pipe = text.indexOf('|', from);
    if (pipe < 0) break;
    header.push(text.slice(from, pipe));
    from = pipe + 1;
  }
  const backslash = text.indexOf('\\');
  if (header.length === 7 && (backslash < 0 || backslash >= from)) return from;
  // an escape in the header (rare): character by character
  header.length = 0;
  let current = '';
  let i = 0;
  for (; i < text.length && header.length < 7; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && (text[i + 1] === '|' || text[i + 1] === '\\')) {
      current += text[++i];
    } else if (c === '|') {
      header.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  return header.length === 7 ? i : -1;
}

/** Character codes that may appear in an extension key: [A-Za-z0-9_.\-[\]]. */
const KEY_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-[]') KEY_CHAR[c.charCodeAt(0)] = 1;

/**
 * Where the `key=value` pairs of an extension lie, in order: pair i has the
 * key text[keyStart[i], equals[i]) and the raw value text[equals[i] + 1,
 * valueEnd[i]) (not yet trimmed nor unescaped). Reused from line to line.
 */
export class ExtensionPairs {
  count = 0;
  keyStart = new Int32Array(64);
  equals = new Int32Array(64);
  valueEnd = new Int32Array(64);

  push(keyStart: number, equals: number): void {
    if (this.count === this.keyStart.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.keyStart = grow(this.keyStart);
      this.equals = grow(this.equals);
      this.valueEnd = grow(this.valueEnd);
    }
    this.keyStart[this.count] = keyStart;
    this.equals[this.count] = equals;
    this.count++;
  }
}

/**
 * Finds the pairs of an extension. A value runs up to the space before the
 * next unescaped `key=` whose key follows a space (or starts the text).
 */
export function scanExtension(text: string, pairs: ExtensionPairs): void {
  pairs.count = 0;
  // the first backslash at or after the current position: most extensions have none, so most '=' need no escape check
  let backslash = text.indexOf('\\');
  for (let eq = text.indexOf('='); eq >= 0; eq = text.indexOf('=', eq + 1)) {
    if (backslash >= 0 && backslash < eq) {
      // escaped when an odd run of backslashes stands right before it
      let run = 0;
      while (eq - run - 1 >= 0 && text.charCodeAt(eq - run - 1) === BACKSLASH) run++;
      backslash = text.indexOf('\\', eq);
      if (run & 1) continue;
    }
    let k = eq - 1;
    for (; k >= 0; k--) {
      const c = text.charCodeAt(k);
      if (c >= 128 || KEY_CHAR[c] === 0) break;
    }
    if (k === eq - 1 || (k >= 0 && text.charCodeAt(k) !== SPACE)) continue;
    if (pairs.count > 0) pairs.valueEnd[pairs.count - 1] = k;
    pairs.push(k + 1, eq);
  }
  if (pairs.count > 0) pairs.valueEnd[pairs.count - 1] = text.length;
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
