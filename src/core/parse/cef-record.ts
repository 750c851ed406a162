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
import { ExtensionPairs, extensionValue, KeyMatcher, parseCef, scanExtension, splitHeader, TextBytes } from './cef';
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
const RECEIPT_TIME = CEF_KEY_COLUMNS.findIndex(([key]) => key === 'rt');
const START_TIME = CEF_KEY_COLUMNS.findIndex(([key]) => key === 'start');

let line = 0;
const pairs = new ExtensionPairs();
const header: string[] = ['', '', '', '', '', '', ''];
/** the pairs of the current line that go to AdditionalExtensions, in order */
let extraPairs = new Int32Array(64);
/** unknown keys of the current line: a set, so a line of many distinct keys costs one lookup per key (a list scan was quadratic) */
const unknownKeys = new Set<string>();

/** Extensions per line beyond which a line is refused (caps the work and the record's size). */
export const DEFAULT_MAX_FIELDS = 1024;

export function cefRecord(message: string, bytes: ByteDirection, maxFields = DEFAULT_MAX_FIELDS): CefRecord | string {
  const start = message.indexOf('CEF:');
  if (start < 0) return 'no "CEF:" prefix';
  const ext = splitHeader(message, header, start + 4);
  if (ext < 0) return `CEF header has ${-ext} of 8 fields`;
  const r: LogRecord = new CefRecordObject(header[1], header[2], header[3], header[4], header[5], header[6]);
  scanExtension(message, pairs, KEYS, ext);
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
