/**
 * A CEF line straight to its CommonSecurityLog record, without the
 * intermediate extension object: the pairs are found by position, a known
 * key is recognised by the hash the scan computes while it reads it (no key
 * string made, no Map hashing a fresh string), and each value is read once, into its column or into
 * AdditionalExtensions. Lines whose extension repeats a key or has a key
 * starting with a digit (rare; JavaScript's property order then decides)
 * take parseCef and cefToCommonSecurityLog, which define the result.
 */
import { LogRecord } from '../common/records';
import {
  ANY_KEY,
  asciiBytes,
  ExtensionPairs,
  extensionValue,
  hashStep,
  KEY_CHAR,
  KeyMatcher,
  latin1Bytes,
  parseCef,
  scanExtension,
  splitHeader,
  TextBytes,
} from './cef';
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
  /** no column: the pair goes to AdditionalExtensions */
  Extra,
}

/**
 * Keys PAN-OS's CEF formats (TRAFFIC, THREAT, URL, WildFire) write that
 * have no column: known, so that a repeat of one is found without making
 * its key string. They go to AdditionalExtensions like any unknown key.
 */
const PANOS_EXTRA_KEYS = [
  'flexString2Label',
  'flexString2',
  'fileId',
  'filePath',
  'fileHash',
  'fileType',
  'oldFileId',
  'requestContext',
  'requestMethod',
  'requestClientApplication',
  'PanOSPacketsReceived',
  'PanOSPacketsSent',
  'PanOSDGl1',
  'PanOSDGl2',
  'PanOSDGl3',
  'PanOSDGl4',
  'PanOSVsysName',
  'PanOSActionFlags',
  'PanOSSrcUUID',
  'PanOSDstUUID',
  'PanOSTunnelID',
  'PanOSMonitorTag',
  'PanOSParentSessionID',
  'PanOSParentStartTime',
  'PanOSTunnelType',
  'PanOSSCTPAssocID',
  'PanOSSCTPChunks',
  'PanOSSCTPChunkSent',
  'PanOSSCTPChunksRcv',
  'PanOSThreatCategory',
  'PanOSContentVer',
  'PanOSAssocID',
  'PanOSPPID',
  'PanOSHTTPHeader',
  'PanOSURLCatList',
  'PanOSRuleUUID',
  'PanOSHTTP2Con',
  'PanOSXForwarderfor',
  'PanOSReferer',
  'PanLinkChange',
  'PanPolicyID',
  'PanLinkDetail',
  'PanSDWANCluster',
  'PanSDWANDevice',
  'PanSDWANClustype',
  'PanSDWANSite',
  'PanDynamicUsrgrp',
];

/** The known keys, and for each its role and column (the index for setCslColumn). */
const KNOWN: Array<[string, Role, number]> = [
  ...[...CEF_KEY_COLUMN].map(([key, [column, isInteger]]): [string, Role, number] => [key, isInteger ? Role.IntegerColumn : Role.Column, column]),
  ['in', Role.In, -1],
  ['out', Role.Out, -1],
  ...PANOS_EXTRA_KEYS.filter((key) => !CEF_KEY_COLUMN.has(key)).map((key): [string, Role, number] => [key, Role.Extra, -1]),
];
const KEYS = new KeyMatcher(KNOWN.map(([key]) => key));
const keyRole = Uint8Array.from(KNOWN, ([, role]) => role);
const keyColumn = Int32Array.from(KNOWN, ([, , column]) => column);
/** the line number that last saw each known key, to find repeated keys */
const keySeen = new Float64Array(KNOWN.length);

/** repeated-key set lookups so far */
let unknownLookups = 0;

/**
 * Key comparisons so far (known-key table probes and repeated-key lookups):
 * tests read it to show the work per extension is bounded whatever the keys.
 */
export const cefKeyComparisons = (): number => KEYS.probes + unknownLookups;

/** The longest run of occupied slots in the known-key table (the most probes a key lookup can take, plus one). */
export const longestProbeRun = (): number => KEYS.longestRun();

/**
 * A CEF record's first columns, set by a constructor rather than an object
 * literal: V8 sizes an object literal for its own properties, so each of the
 * 20 to 60 columns a line adds after them grew an out-of-object store three
 * slots at a time (2 KB of copies a PAN-OS THREAT line, measured with the
 * sampling heap profiler); a constructor's objects get in-object room for
 * the properties its body assigns, counted where it is written (the branch
 * below never runs: it only names the columns that may follow), which V8's
 * slack tracking trims to what its first records use. The prototype is
 * Object.prototype, so the records are plain objects as before: same keys
 * in the same order, same prototype and constructor.
 */
const CefRecordObject = function (this: LogRecord, vendor: string, product: string, version: string, classId: string, activity: string, severity: string) {
  this.DeviceVendor = vendor;
  this.DeviceProduct = product;
  this.DeviceVersion = version;
  this.DeviceEventClassID = classId;
  this.Activity = activity;
  this.LogSeverity = severity;
  this.DeviceName = '';
  this.SourceUserID = '';
  this.SourceUserName = '';
  if (roomFor) {
    this.DeviceAction = undefined;
    this.ApplicationProtocol = undefined;
    this.DeviceEventCategory = undefined;
    this.EventCount = undefined;
    this.DeviceExternalID = undefined;
    this.DestinationHostName = undefined;
    this.DestinationMACAddress = undefined;
    this.DestinationPort = undefined;
    this.DestinationIP = undefined;
    this.DestinationUserID = undefined;
    this.DestinationUserName = undefined;
    this.DeviceAddress = undefined;
    this.ExternalID = undefined;
    this.Message = undefined;
    this.Protocol = undefined;
    this.Reason = undefined;
    this.RequestURL = undefined;
    this.ReceiptTime = undefined;
    this.SourceHostName = undefined;
    this.SourceMACAddress = undefined;
    this.SourcePort = undefined;
    this.SourceIP = undefined;
    this.StartTime = undefined;
    this.EndTime = undefined;
    this.SourceTranslatedAddress = undefined;
    this.DestinationTranslatedAddress = undefined;
    this.SourceTranslatedPort = undefined;
    this.DestinationTranslatedPort = undefined;
    this.DeviceInboundInterface = undefined;
    this.DeviceOutboundInterface = undefined;
    this.DeviceCustomString1 = undefined;
    this.DeviceCustomString2 = undefined;
    this.DeviceCustomString3 = undefined;
    this.DeviceCustomString4 = undefined;
    this.DeviceCustomString5 = undefined;
    this.DeviceCustomString6 = undefined;
    this.DeviceCustomString1Label = undefined;
    this.DeviceCustomString2Label = undefined;
    this.DeviceCustomString3Label = undefined;
    this.DeviceCustomString4Label = undefined;
    this.DeviceCustomString5Label = undefined;
    this.DeviceCustomString6Label = undefined;
    this.DeviceCustomNumber1 = undefined;
    this.DeviceCustomNumber2 = undefined;
    this.DeviceCustomNumber3 = undefined;
    this.DeviceCustomNumber1Label = undefined;
    this.DeviceCustomNumber2Label = undefined;
    this.DeviceCustomNumber3Label = undefined;
    this.FlexString1 = undefined;
    this.FlexString1Label = undefined;
    this.FlexNumber1 = undefined;
    this.FlexNumber1Label = undefined;
    this.ReceivedBytes = undefined;
    this.SentBytes = undefined;
    this.AdditionalExtensions = undefined;
    this.Computer = undefined;
    this.SyslogTime = undefined;
    this.TimeGenerated = undefined;
  }
} as unknown as new (
  vendor: string,
  product: string,
  version: string,
  classId: string,
  activity: string,
  severity: string,
) => LogRecord;
CefRecordObject.prototype = Object.prototype;
/** never set: the branch of the constructor that names the later columns does not run */
const roomFor: boolean = Number.isNaN(0);

const SEMICOLON = 59;
const SPACE = 32;
const BACKSLASH = 92;
const EQUALS = 61;
const RECEIPT_TIME = CEF_KEY_COLUMNS.findIndex(([key]) => key === 'rt');
const START_TIME = CEF_KEY_COLUMNS.findIndex(([key]) => key === 'start');

let line = 0;
const pairs = new ExtensionPairs();
const header: string[] = ['', '', '', '', '', '', ''];
/** the bytes of the header (after "CEF:", up to the extension) that `header` holds the fields of (length 0: none) */
const lastHeader = { bytes: Buffer.alloc(256), view: new DataView(new ArrayBuffer(0)), length: 0 };
lastHeader.view = new DataView(lastHeader.bytes.buffer, lastHeader.bytes.byteOffset, lastHeader.bytes.length);

/** Whether the line's bytes at `from` are the last header's, compared four at a time (the last four overlapping). */
function sameHeader(view: DataView, from: number, n: number): boolean {
  const length = lastHeader.length;
  if (length < 4 || from + length > n) return false;
  const last = lastHeader.view;
  for (let i = 0; i < length - 4; i += 4) if (view.getInt32(from + i, true) !== last.getInt32(i, true)) return false;
  return view.getInt32(from + length - 4, true) === last.getInt32(length - 4, true);
}

/** Keeps the header just split as the one to compare the next line with, if the line was read as bytes and it has no backslash. */
function keepHeader(text: TextBytes | null, from: number, ext: number, message: string): void {
  const length = ext - from;
  lastHeader.length = 0;
  if (text === null || length > lastHeader.bytes.length || message.lastIndexOf('\\', ext - 1) >= from) return;
  text.bytes.copy(lastHeader.bytes, 0, from, ext);
  lastHeader.length = length;
}
/** the pairs of the current line that go to AdditionalExtensions, in order */
let extraPairs = new Int32Array(64);
/** unknown keys of the current line: a set, so a line of many distinct keys costs one lookup per key (a list scan was quadratic) */
const unknownKeys = new Set<string>();

/** Extensions per line beyond which a line is refused (caps the work and the record's size). */
export const DEFAULT_MAX_FIELDS = 1024;

export function cefRecord(message: string, bytes: ByteDirection, maxFields = DEFAULT_MAX_FIELDS): CefRecord | string {
  const start = message.indexOf('CEF:');
  if (start < 0) return 'no "CEF:" prefix';
  const from = start + 4;
  // a line whose characters are all Latin-1 (an accented name) is read from its bytes as an ASCII line is
  const text = asciiBytes(message) ?? latin1Bytes(message);
  let ext = from + lastHeader.length;
  // a sender's lines repeat their header: the last one's fields when this line starts with the same bytes
  if (text === null || !sameHeader(text.view, from, message.length)) {
    ext = splitHeader(message, header, from);
    if (ext < 0) {
      // header[] may hold part of this line's fields now
      lastHeader.length = 0;
      return `CEF header has ${-ext} of 8 fields`;
    }
    // kept when split at its pipes alone (no backslash), where the same bytes split the same
    keepHeader(text, from, ext, message);
  }
  const r: LogRecord = new CefRecordObject(header[1], header[2], header[3], header[4], header[5], header[6]);
  return text !== null ? filledInOnePass(message, text, ext, r, bytes, maxFields) : filledFromPairs(message, ext, r, bytes, maxFields);
}

/** the pairs of the current line that go to AdditionalExtensions (one pass): key start, '=', value end and the pair's number */
let extraKeyStart = new Int32Array(64);
let extraEquals = new Int32Array(64);
let extraValueEnd = new Int32Array(64);
let extraPair = new Int32Array(64);

/** KEY_CHAR over every byte (a Latin-1 line's bytes reach 255) */
const KEY_BYTE = new Uint8Array(256);
KEY_BYTE.set(KEY_CHAR);

/** the known key the last line's extension started with (-1: none, or not known) */
let firstKey = -1;

/** Whether the line's bytes at `at` are the known key `key` followed by '=', compared four at a time, then the rest. */
function keyAt(b: Buffer, view: DataView, at: number, n: number, key: number): boolean {
  const { keyLength, keyWords, words, keyChars, chars } = KEYS;
  const len = keyLength[key];
  if (at + len >= n || b[at + len] !== EQUALS) return false;
  const w0 = keyWords[key];
  for (let w = w0, i = at; w < w0 + (len >> 2); w++, i += 4) if (view.getInt32(i, true) !== words[w]) return false;
  const c0 = keyChars[key];
  for (let i = len & ~3; i < len; i++) if (b[at + i] !== chars[c0 + i]) return false;
  return true;
}

/**
 * The record of an ASCII or Latin-1 line (one byte a character), in one
 * pass over its '=' signs: each pair is
 * found as scanExtension finds it (the expected key compared four bytes at
 * a time, else the key read back from the '=' and looked up by its hash)
 * and goes to its column as soon as the next pair's key tells where its
 * value ends, without the list of positions filledFromPairs reads back.
 * Makes the same record, in the same order, as filledFromPairs: a line it
 * would hand to the object reader (a repeated key, a key starting with a
 * digit) goes there at the same pair, and a line over the field cap is
 * refused with the same count.
 */
function filledInOnePass(message: string, text: TextBytes, ext: number, r: LogRecord, bytes: ByteDirection, maxFields: number): CefRecord | string {
  const b = text.bytes;
  const view = text.view;
  const { follows, keyLength, keyChars, chars, patternHead, patternTail, middleAt, patternMiddle } = KEYS;
  // a pair takes at least 3 characters ("k=" and a space before the next)
  const room = ((message.length - ext) >> 1) + 2;
  if (extraPair.length < room) {
    extraKeyStart = new Int32Array(room);
    extraEquals = new Int32Array(room);
    extraValueEnd = new Int32Array(room);
    extraPair = new Int32Array(room);
  }
  line++;
  if (unknownKeys.size > 0) unknownKeys.clear();
  let rt: string | undefined;
  let startTime: string | undefined;
  let toServer: number | undefined;
  let toClient: number | undefined;
  let extras = 0;
  // whether every pair that goes to AdditionalExtensions is as written
  let extrasPlain = true;
  // the first backslash at or after the current '=' (the scan's) and after the current value's '=' (the values'): most lines have none
  let backslash = message.indexOf('\\', ext);
  let valueBackslash = backslash;
  let previous = -1;
  let expected = -1;
  // the pair whose value runs up to the next pair's key: its known key (or -1), key start and '='
  let count = 0;
  let known = -1;
  let keyStart = 0;
  let equals = 0;
  const n = message.length;
  // where the search for the next pair starts: the extension, then after each pair's '='
  let from = ext;
  let eq = -1;
  for (;;) {
    // the next pair: its '=' (eq, -1 at the end), key start and known key
    let nextStart = -1;
    let next = -1;
    if (count === 0 && firstKey >= 0 && keyAt(b, view, ext, n, firstKey)) {
      // the line starts with the key the last line started with, and '=' after it: the first '=', read back, gives it
      nextStart = ext;
      next = firstKey;
      eq = ext + keyLength[firstKey];
      previous = firstKey;
      expected = follows[firstKey];
    } else
      for (;;) {
        if (expected >= 0) {
          // a key is expected (the one that followed the last key last time): the value is read up to its first
          // space or '=', four bytes at a time; at a space followed by " key=" of the expected key, that is the next
          // pair (what the '=' after it, read back, would give: no '=' stands between); at a '=', the key is read back
          let stop = n;
          for (let i = from; i < n; i += 4) {
            const w = view.getInt32(i, true);
            const x = w ^ 0x20202020;
            const y = w ^ 0x3d3d3d3d;
            // a byte of x (of y) is zero where w has a space ('='); the lowest flag marks the first such byte
            const t = ((((x - 0x01010101) | 0) & ~x) | (((y - 0x01010101) | 0) & ~y)) & 0x80808080;
            if (t !== 0) {
              stop = i + ((31 - Math.clz32(t & -t)) >> 3);
              break;
            }
          }
          if (stop >= n) {
            eq = -1;
            break;
          }
          if (b[stop] === SPACE) {
            const len = keyLength[expected];
            let same = stop + len + 1 < n;
            if (len >= 6) {
              same &&= view.getFloat64(stop, true) === patternHead[expected] && view.getFloat64(stop + len - 6, true) === patternTail[expected];
              for (let j = middleAt[expected], o = stop + 8; same && j < middleAt[expected + 1]; j++, o += 8)
                same = view.getFloat64(o, true) === patternMiddle[j];
            } else if (len >= 2) {
              same &&= view.getInt32(stop, true) === patternHead[expected] && view.getInt32(stop + len - 2, true) === patternTail[expected];
            } else {
              same &&= b[stop + 1] === chars[keyChars[expected]] && b[stop + 2] === EQUALS;
            }
            if (same) {
              nextStart = stop + 1;
              eq = nextStart + len;
              next = expected;
              previous = expected;
              expected = follows[expected];
              break;
            }
            from = stop + 1;
            continue;
          }
          eq = stop;
        } else {
          eq = message.indexOf('=', from);
          if (eq < 0) break;
        }
        from = eq + 1;
        if (backslash >= 0 && backslash < eq) {
          // escaped when an odd run of backslashes stands right before it
          let run = 0;
          while (eq - run - 1 >= ext && b[eq - run - 1] === BACKSLASH) run++;
          backslash = message.indexOf('\\', eq);
          if (run & 1) continue;
        }
        let h = 0;
        let k = eq - 1;
        for (; k >= ext; k--) {
          const c = b[k];
          if (KEY_BYTE[c] === 0) break;
          h = hashStep(h, c);
        }
        if (k === eq - 1 || (k >= ext && b[k] !== SPACE)) continue;
        nextStart = k + 1;
        next = KEYS.find(message, nextStart, eq, h);
        if (count === 0) firstKey = next;
        if (previous >= 0) follows[previous] = next;
        previous = next;
        expected = next >= 0 ? follows[next] : -1;
        break;
      }
    if (count > 0) {
      // the pair before it, whose value ends at the space before its key (or at the end)
      const valueEnd = eq >= 0 ? nextStart - 1 : message.length;
      if (valueBackslash >= 0 && valueBackslash < equals) valueBackslash = message.indexOf('\\', equals);
      // as written: no escape and no trailing whitespace (the last character printable ASCII)
      const last = b[valueEnd - 1];
      const plain = (valueBackslash < 0 || valueBackslash >= valueEnd) && (valueEnd === equals + 1 || (last > 32 && last < 127));
      if (known < 0) {
        const first = b[keyStart];
        if ((first >= 48 && first <= 57) || repeatedUnknown(message.slice(keyStart, equals))) return viaObjectWithin(message, ext, bytes, maxFields);
        extraKeyStart[extras] = keyStart;
        extraEquals[extras] = equals;
        extraValueEnd[extras] = valueEnd;
        extraPair[extras++] = count;
        extrasPlain &&= plain;
      } else {
        if (keySeen[known] === line) return viaObjectWithin(message, ext, bytes, maxFields);
        keySeen[known] = line;
        const role = keyRole[known];
        if (role === Role.Column) {
          const value = plain ? message.slice(equals + 1, valueEnd) : extensionValue(message, equals + 1, valueEnd);
          const column = keyColumn[known];
          setCslColumn(r, column, value);
          if (column === RECEIPT_TIME) rt = value;
          else if (column === START_TIME) startTime = value;
        } else if (role === Role.Extra) {
          extraKeyStart[extras] = keyStart;
          extraEquals[extras] = equals;
          extraValueEnd[extras] = valueEnd;
          extraPair[extras++] = count;
          extrasPlain &&= plain;
        } else {
          const digits = plain ? plainDigits(message, equals + 1, valueEnd) : -1;
          const v = digits >= 0 ? digits : integer(extensionValue(message, equals + 1, valueEnd));
          if (role === Role.IntegerColumn) {
            if (v !== undefined) setCslColumn(r, keyColumn[known], v);
          } else if (role === Role.In) {
            toServer = v;
          } else {
            toClient = v;
          }
        }
      }
    }
    if (eq < 0) break;
    if (++count > maxFields) return viaObjectWithin(message, ext, bytes, maxFields);
    known = next;
    keyStart = nextStart;
    equals = eq;
    from = eq + 1;
  }
  setCefBytes(r, toServer, toClient, bytes);
  if (extras > 0) r.AdditionalExtensions = extrasPlain ? extrasAsWritten(message, b, extras) : extrasJoined(message, extras);
  return { record: r, rt, start: startTime };
}

/**
 * What filledFromPairs answers for a line it hands to the object reader, or
 * refuses for its field count: the count first (scanned again, without key
 * lookups: which pairs there are does not depend on the keys known).
 */
function viaObjectWithin(message: string, ext: number, bytes: ByteDirection, maxFields: number): CefRecord | string {
  scanExtension(message, pairs, ANY_KEY, ext);
  if (pairs.count > maxFields) return `CEF extension has ${pairs.count} fields, more than the limit of ${maxFields}`;
  return viaObject(message, bytes);
}

/** The extra pairs of the one pass as `key=value` joined by ';', values trimmed and unescaped. */
function extrasJoined(message: string, extras: number): string {
  let out = '';
  for (let j = 0; j < extras; j++) {
    const equals = extraEquals[j];
    const entry = `${message.slice(extraKeyStart[j], equals)}=${extensionValue(message, equals + 1, extraValueEnd[j])}`;
    out = j === 0 ? entry : `${out};${entry}`;
  }
  return out;
}

/** The same when every extra pair is as written: consecutive pairs copied a stretch at a time (see joinedAsWritten). */
function extrasAsWritten(message: string, bytes: Buffer, extras: number): string {
  const base = message.length;
  let out = base;
  for (let j = 0; j < extras; ) {
    const first = j;
    while (j + 1 < extras && extraPair[j + 1] === extraPair[j] + 1) j++;
    const last = j++;
    if (out > base) bytes[out++] = SEMICOLON;
    const from = extraKeyStart[first];
    const to = extraValueEnd[last];
    bytes.copyWithin(out, from, to);
    for (let i = first; i < last; i++) bytes[out + extraValueEnd[i] - from] = SEMICOLON;
    out += to - from;
  }
  return bytes.toString('latin1', base, out);
}

/** The record of a line with a character above U+00FF: its pairs found first (scanExtension), then read in order. */
function filledFromPairs(message: string, ext: number, r: LogRecord, bytes: ByteDirection, maxFields: number): CefRecord | string {
  scanExtension(message, pairs, KEYS, ext, false);
  if (pairs.count > maxFields) return `CEF extension has ${pairs.count} fields, more than the limit of ${maxFields}`;
  line++;
  if (unknownKeys.size > 0) unknownKeys.clear();
  let rt: string | undefined;
  let startTime: string | undefined;
  let toServer: number | undefined;
  let toClient: number | undefined;
  let extras = 0;
  // whether every pair that goes to AdditionalExtensions is as written
  let extrasPlain = true;
  if (extraPairs.length < pairs.count) extraPairs = new Int32Array(pairs.count);
  // the first backslash after the current key: a value without one needs no unescaping
  let backslash = message.indexOf('\\', ext);
  const { count, keyStart: keyStarts, equals: equalSigns, valueEnd: valueEnds, known: knownKeys } = pairs;
  const text8 = pairs.bytes?.bytes;
  for (let i = 0; i < count; i++) {
    const keyStart = keyStarts[i];
    const equals = equalSigns[i];
    const valueEnd = valueEnds[i];
    const known = knownKeys[i];
    if (backslash >= 0 && backslash < equals) backslash = message.indexOf('\\', equals);
    // as written: no escape and no trailing whitespace (the last character printable ASCII)
    const last = text8 !== undefined ? text8[valueEnd - 1] : message.charCodeAt(valueEnd - 1);
    const plain = (backslash < 0 || backslash >= valueEnd) && (valueEnd === equals + 1 || (last > 32 && last < 127));
    if (known < 0) {
      const first = message.charCodeAt(keyStart);
      if (first >= 48 && first <= 57) return viaObject(message, bytes);
      if (repeatedUnknown(message.slice(keyStart, equals))) return viaObject(message, bytes);
      extraPairs[extras++] = i;
      extrasPlain &&= plain;
      continue;
    }
    if (keySeen[known] === line) return viaObject(message, bytes);
    keySeen[known] = line;
    const role = keyRole[known];
    if (role === Role.Column) {
      const value = plain ? message.slice(equals + 1, valueEnd) : extensionValue(message, equals + 1, valueEnd);
      const column = keyColumn[known];
      setCslColumn(r, column, value);
      if (column === RECEIPT_TIME) rt = value;
      else if (column === START_TIME) startTime = value;
      continue;
    }
    if (role === Role.Extra) {
      extraPairs[extras++] = i;
      extrasPlain &&= plain;
      continue;
    }
    const digits = plain ? plainDigits(message, equals + 1, valueEnd) : -1;
    const v = digits >= 0 ? digits : integer(extensionValue(message, equals + 1, valueEnd));
    if (role === Role.IntegerColumn) {
      if (v !== undefined) setCslColumn(r, keyColumn[known], v);
    } else if (role === Role.In) {
      toServer = v;
    } else {
      toClient = v;
    }
  }
  setCefBytes(r, toServer, toClient, bytes);
  if (extras > 0) {
    r.AdditionalExtensions = extrasPlain && pairs.bytes !== null ? joinedAsWritten(message, pairs.bytes, extras) : joined(message, extras);
  }
  return { record: r, rt, start: startTime };
}

/** The extra pairs as `key=value` joined by ';', values trimmed and unescaped. */
function joined(message: string, extras: number): string {
  let out = '';
  for (let j = 0; j < extras; j++) {
    const i = extraPairs[j];
    const keyStart = pairs.keyStart[i];
    const equals = pairs.equals[i];
    const entry = `${message.slice(keyStart, equals)}=${extensionValue(message, equals + 1, pairs.valueEnd[i])}`;
    out = j === 0 ? entry : `${out};${entry}`;
  }
  return out;
}

/**
 * The same when every extra pair is as written, from the text's bytes:
 * consecutive extra pairs are one stretch of the text (one space between
 * them, which becomes the ';'), copied at once behind the text, and one
 * string made of the result, where joining strings made one per pair.
 */
function joinedAsWritten(message: string, text: TextBytes, extras: number): string {
  const bytes = text.bytes;
  const base = message.length;
  let out = base;
  for (let j = 0; j < extras; ) {
    const first = extraPairs[j];
    let last = first;
    while (j + 1 < extras && extraPairs[j + 1] === last + 1) last = extraPairs[++j];
    j++;
    if (out > base) bytes[out++] = SEMICOLON;
    const from = pairs.keyStart[first];
    const to = pairs.valueEnd[last];
    bytes.copyWithin(out, from, to);
    for (let i = first; i < last; i++) bytes[out + pairs.valueEnd[i] - from] = SEMICOLON;
    out += to - from;
  }
  return bytes.toString('latin1', base, out);
}

/** Whether the unknown key was seen before on this line (then remembers it). */
function repeatedUnknown(key: string): boolean {
  unknownLookups++;
  if (unknownKeys.has(key)) return true;
  unknownKeys.add(key);
  return false;
}

function viaObject(message: string, bytes: ByteDirection): CefRecord | string {
  const cef = parseCef(message);
  if (typeof cef === 'string') return cef;
  return { record: cefToCommonSecurityLog(cef, bytes), rt: cef.extension.rt, start: cef.extension.start };
}
