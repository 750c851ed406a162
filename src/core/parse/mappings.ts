import { LogRecord } from '../common/records';
import { CefEvent } from './cef';
import { CEF_KEY_COLUMNS, setCslColumn } from './csl-columns';
import { CsvFields, trimmedField } from './csv-line';
import { Fields, fieldTable, fillColumns } from './named-columns';
import { plainDigits } from './text';

/** Which PAN-OS byte-direction reading to use (the CEF and CSV paths disagree in Microsoft's parsers). */
export type ByteDirection = 'microsoft' | 'client';

const INTEGER_COLUMNS = new Set([
  'SourcePort',
  'DestinationPort',
  'EventCount',
  'SourceTranslatedPort',
  'DestinationTranslatedPort',
  'DeviceCustomNumber1',
  'DeviceCustomNumber2',
  'DeviceCustomNumber3',
  'FlexNumber1',
  'SentBytes',
  'ReceivedBytes',
]);

/** CEF key → [index for setCslColumn, is an integer column]; a Map, so keys such as "constructor" are not found on Object.prototype. */
export const CEF_KEY_COLUMN: ReadonlyMap<string, readonly [number, boolean]> = new Map(
  CEF_KEY_COLUMNS.map(([key, column], i) => [key, [i, INTEGER_COLUMNS.has(column)] as const]),
);

/** An integer column: a number, or absent when empty or not a number (KQL null). */
export function integer(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const digits = plainDigits(value);
  if (digits >= 0) return digits;
  if (value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** CEF → CommonSecurityLog columns. String columns default to "" (they cannot be null in KQL). */
export function cefToCommonSecurityLog(cef: CefEvent, bytes: ByteDirection): LogRecord {
  const r: LogRecord = {
    DeviceVendor: cef.deviceVendor,
    DeviceProduct: cef.deviceProduct,
    DeviceVersion: cef.deviceVersion,
    DeviceEventClassID: cef.signatureId,
    Activity: cef.name,
    LogSeverity: cef.severity,
    DeviceName: '',
    SourceUserID: '',
    SourceUserName: '',
  };
  const ext = cef.extension;
  let extra = '';
  for (const key in ext) {
    if (key === 'in' || key === 'out') continue;
    const value = ext[key];
    const column = CEF_KEY_COLUMN.get(key);
    if (!column) {
      extra = extra === '' ? `${key}=${value}` : `${extra};${key}=${value}`;
      continue;
    }
    const v = column[1] ? integer(value) : value;
    if (v !== undefined) setCslColumn(r, column[0], v);
  }
  setCefBytes(r, integer(ext.in), integer(ext.out), bytes);
  if (extra !== '') r.AdditionalExtensions = extra;
  return r;
}

/** CEF `in` is the bytes toward the destination (PAN-OS bytes_sent), `out` the reply (bytes_received). */
export function setCefBytes(r: LogRecord, toServer: number | undefined, toClient: number | undefined, bytes: ByteDirection): void {
  if (bytes === 'microsoft') {
    // Microsoft's CEF mapping: in → ReceivedBytes, out → SentBytes
    if (toServer !== undefined) r.ReceivedBytes = toServer;
    if (toClient !== undefined) r.SentBytes = toClient;
  } else {
    if (toServer !== undefined) r.SentBytes = toServer;
    if (toClient !== undefined) r.ReceivedBytes = toClient;
  }
}

/**
 * The columns of the fields the PAN-OS TRAFFIC and THREAT CSV logs share
 * (the first 31, and the device name, at `deviceNameAt`), named as
 * Microsoft's PaloAltoPANOSSyslog parser names them.
 */
export function panosSharedColumns(f: CsvFields, host: string | null, deviceNameAt: number): LogRecord {
  const get = (i: number) => trimmedField(f, i);
  return {
    DeviceVendor: 'Palo Alto Networks',
    DeviceProduct: 'PAN-OS',
    DeviceExternalID: get(2),
    Activity: get(3),
    DeviceEventClassID: get(4),
    SourceIP: get(7),
    DestinationIP: get(8),
    SourceTranslatedAddress: get(9),
    DestinationTranslatedAddress: get(10),
    DeviceCustomString1: get(11),
    SourceUserName: get(12),
    SourceUserID: get(12),
    DestinationUserName: get(13),
    ApplicationProtocol: get(14),
    DeviceName: host ?? get(deviceNameAt),
    Protocol: get(29),
    DeviceAction: get(30),
    ReceiptTime: get(1),
  };
}

/**
 * PAN-OS native CSV (positions of the TRAFFIC log, PAN-OS 8-11) → the
 * columns Microsoft's PaloAltoPANOSSyslog parser produces.
 */
export function panosCsvToCommonSecurityLog(f: CsvFields, host: string | null): LogRecord {
  const r = panosSharedColumns(f, host, 52);
  const ints: Array<[string, number]> = [
    ['SourcePort', 24],
    ['DestinationPort', 25],
    ['FlexNumber1', 31],
  ];
  for (const [column, i] of ints) {
    const v = integer(f.at(i));
    if (v !== undefined) r[column] = v;
  }
  const bytesSent = integer(f.at(32)); // client → server
  const bytesReceived = integer(f.at(33));
  // Microsoft's CSV parser and the client reading agree here: bytes_sent → SentBytes
  if (bytesSent !== undefined) r.SentBytes = bytesSent;
  if (bytesReceived !== undefined) r.ReceivedBytes = bytesReceived;
  return r;
}

/** A Zeek log's fields: a TSV row read by name, or a JSON line's object. */
export type ZeekField = Fields;

const zeekText = (v: unknown) => (v === undefined || v === null || v === '-' || v === '(empty)' ? undefined : String(v));
function zeekNumber(v: unknown): number | undefined {
  // a JSON number is what Number(String(v)) would give back, -0 read as 0 (String(-0) is "0"); no text made and read again
  if (typeof v === 'number') return Number.isFinite(v) ? v + 0 : undefined;
  const s = zeekText(v);
  if (s === undefined || s === '') return undefined;
  const digits = plainDigits(s);
  if (digits >= 0) return digits;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** the protocols Zeek writes, upper-cased once rather than per line */
const UPPER_PROTOCOLS: ReadonlyMap<unknown, string> = new Map(['tcp', 'udp', 'icmp', 'unknown_transport'].map((p) => [p, p.toUpperCase()]));
const zeekUpper = (v: unknown) => UPPER_PROTOCOLS.get(v) ?? zeekText(v)?.toUpperCase();

/** Zeek conn.log field → WireData column. */
const CONN_COLUMNS = fieldTable('zeekConn', [
  ['id.orig_h', 'LocalIP', zeekText],
  ['id.orig_p', 'LocalPortNumber', zeekNumber],
  ['id.resp_h', 'RemoteIP', zeekText],
  ['id.resp_p', 'RemotePortNumber', zeekNumber],
  ['orig_bytes', 'SentBytes', zeekNumber],
  ['resp_bytes', 'ReceivedBytes', zeekNumber],
  ['proto', 'ProtocolName', zeekUpper],
  ['service', 'ApplicationProtocol', zeekText],
  ['conn_state', 'SessionState', zeekText],
  ['uid', 'SessionID', zeekText],
  ['duration', 'Duration', zeekNumber],
]);

/** Zeek conn.log fields, read through an accessor, → WireData columns; absent columns are left out. */
export function zeekFieldsToWireData(field: ZeekField): LogRecord {
  const r: LogRecord = {};
  fillColumns(r, field, CONN_COLUMNS);
  return r;
}
