/**
 * A CEF line straight to its CommonSecurityLog record, without the
 * intermediate extension object: the pairs are found by position, a known
 * key is recognised in place (no key string made, no Map hashing a fresh
 * string), and each value is read once, into its column or into
 * AdditionalExtensions. Lines whose extension repeats a key or has a key
 * starting with a digit (rare; JavaScript's property order then decides)
 * take parseCef and cefToCommonSecurityLog, which define the result.
 */
import { LogRecord } from '../common/records';
import { ExtensionPairs, extensionValue, parseCef, scanExtension, splitHeader } from './cef';
import { CEF_KEY_COLUMNS, setCslColumn } from './csl-columns';
import { ByteDirection, CEF_KEY_COLUMN, cefToCommonSecurityLog, integer, setCefBytes } from './mappings';
import { plainDigits } from './text';

export interface CefRecord {
  record: LogRecord;
  /** the raw `rt` and `start` values (receipt and event time), if present */
  rt: string | undefined;
  start: string | undefined;
}

const enum Role {
  Column,
  IntegerColumn,
  In,
  Out,
}

/** The known keys in an open-addressing table indexed by a hash of the key's length and three of its characters. */
const TABLE_SIZE = 1024;
const slotKey: Array<string | undefined> = new Array(TABLE_SIZE).fill(undefined);
/** the column's index for setCslColumn */
const slotColumn = new Int32Array(TABLE_SIZE);
const slotRole = new Uint8Array(TABLE_SIZE);
/** the line number that last saw the key in this slot, to find repeated keys */
const slotSeen = new Float64Array(TABLE_SIZE);

function keyHash(text: string, start: number, end: number): number {
  const len = end - start;
  return (len * 31 + text.charCodeAt(start) * 7 + text.charCodeAt(end - 1) * 3 + text.charCodeAt(start + (len >> 1))) & (TABLE_SIZE - 1);
}

function addKnown(key: string, column: number, role: Role): void {
  let h = keyHash(key, 0, key.length);
  while (slotKey[h] !== undefined) h = (h + 1) & (TABLE_SIZE - 1);
  slotKey[h] = key;
  slotColumn[h] = column;
  slotRole[h] = role;
}
for (const [key, [column, isInteger]] of CEF_KEY_COLUMN) addKnown(key, column, isInteger ? Role.IntegerColumn : Role.Column);
addKnown('in', -1, Role.In);
addKnown('out', -1, Role.Out);

/** The slot of the known key text[start, end), or -1. */
function knownSlot(text: string, start: number, end: number): number {
  const len = end - start;
  for (let h = keyHash(text, start, end); ; h = (h + 1) & (TABLE_SIZE - 1)) {
    comparisons++;
    const key = slotKey[h];
    if (key === undefined) return -1;
    if (key.length === len && sameText(key, text, start)) return h;
  }
}

/** Whether text holds key at start (a loop: startsWith with a position is a runtime call, several times slower here). */
function sameText(key: string, text: string, start: number): boolean {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  return true;
}

/**
 * Key comparisons so far (known-key table probes and repeated-key lookups):
 * tests read it to show the work per extension is bounded whatever the keys.
 */
let comparisons = 0;
export const cefKeyComparisons = (): number => comparisons;

/** The longest run of occupied slots (the most probes a key lookup can take, plus one). */
export function longestProbeRun(): number {
  let longest = 0;
  for (let start = 0; start < TABLE_SIZE; start++) {
    let n = 0;
    while (n < TABLE_SIZE && slotKey[(start + n) & (TABLE_SIZE - 1)] !== undefined) n++;
    longest = Math.max(longest, n);
  }
  return longest;
}

const RECEIPT_TIME = CEF_KEY_COLUMNS.findIndex(([key]) => key === 'rt');
const START_TIME = CEF_KEY_COLUMNS.findIndex(([key]) => key === 'start');

let line = 0;
const pairs = new ExtensionPairs();
const header: string[] = [];
/** unknown keys of the current line: a set, so a line of many distinct keys costs one lookup per key (a list scan was quadratic) */
const unknownKeys = new Set<string>();

/** Extensions per line beyond which a line is refused (caps the work and the record's size). */
export const DEFAULT_MAX_FIELDS = 1024;

export function cefRecord(message: string, bytes: ByteDirection, maxFields = DEFAULT_MAX_FIELDS): CefRecord | string {
  const start = message.indexOf('CEF:');
  if (start < 0) return 'no "CEF:" prefix';
  const text = message.slice(start + 4);
  header.length = 0;
  const rest = splitHeader(text, header);
  if (rest < 0) return `CEF header has ${header.length + 1} of 8 fields`;
  const r: LogRecord = {
    DeviceVendor: header[1],
    DeviceProduct: header[2],
    DeviceVersion: header[3],
    DeviceEventClassID: header[4],
    Activity: header[5],
    LogSeverity: header[6],
    DeviceName: '',
    SourceUserID: '',
    SourceUserName: '',
  };
  const ext = text.slice(rest);
  scanExtension(ext, pairs);
  if (pairs.count > maxFields) return `CEF extension has ${pairs.count} fields, more than the limit of ${maxFields}`;
  line++;
  unknownKeys.clear();
  let rt: string | undefined;
  let startTime: string | undefined;
  let toServer: number | undefined;
  let toClient: number | undefined;
  let extra = '';
  // the first backslash after the current key: a value without one needs no unescaping
  let backslash = ext.indexOf('\\');
  for (let i = 0; i < pairs.count; i++) {
    const keyStart = pairs.keyStart[i];
    const equals = pairs.equals[i];
    const valueEnd = pairs.valueEnd[i];
    const first = ext.charCodeAt(keyStart);
    if (first >= 48 && first <= 57) return viaObject(message, bytes);
    if (backslash >= 0 && backslash < equals) backslash = ext.indexOf('\\', equals);
    // as written: no escape and no trailing whitespace (the last character printable ASCII)
    const last = ext.charCodeAt(valueEnd - 1);
    const plain = (backslash < 0 || backslash >= valueEnd) && (valueEnd === equals + 1 || (last > 32 && last < 127));
    const slot = knownSlot(ext, keyStart, equals);
    if (slot < 0) {
      const key = ext.slice(keyStart, equals);
      if (repeatedUnknown(key)) return viaObject(message, bytes);
      const entry = plain ? ext.slice(keyStart, valueEnd) : `${key}=${extensionValue(ext, equals + 1, valueEnd)}`;
      extra = extra === '' ? entry : `${extra};${entry}`;
      continue;
    }
    if (slotSeen[slot] === line) return viaObject(message, bytes);
    slotSeen[slot] = line;
    const role = slotRole[slot];
    if (role === Role.Column) {
      const value = plain ? ext.slice(equals + 1, valueEnd) : extensionValue(ext, equals + 1, valueEnd);
      const column = slotColumn[slot];
      setCslColumn(r, column, value);
      if (column === RECEIPT_TIME) rt = value;
      else if (column === START_TIME) startTime = value;
      continue;
    }
    const digits = plain ? plainDigits(ext, equals + 1, valueEnd) : -1;
    const v = digits >= 0 ? digits : integer(extensionValue(ext, equals + 1, valueEnd));
    if (role === Role.IntegerColumn) {
      if (v !== undefined) setCslColumn(r, slotColumn[slot], v);
    } else if (role === Role.In) {
      toServer = v;
    } else {
      toClient = v;
    }
  }
  setCefBytes(r, toServer, toClient, bytes);
  if (extra !== '') r.AdditionalExtensions = extra;
  return { record: r, rt, start: startTime };
}

/** Whether the unknown key was seen before on this line (then remembers it). */
function repeatedUnknown(key: string): boolean {
  comparisons++;
  if (unknownKeys.has(key)) return true;
  unknownKeys.add(key);
  return false;
}

function viaObject(message: string, bytes: ByteDirection): CefRecord | string {
  const cef = parseCef(message);
  if (typeof cef === 'string') return cef;
  return { record: cefToCommonSecurityLog(cef, bytes), rt: cef.extension.rt, start: cef.extension.start };
}
