/**
 * The column names the parsers produce, per table: one list for the editor's
 * field-name completion (beacon-parse exports it as RED.settings.beaconParseColumns)
 * and for the test that holds every parser's records to it
 * (test/parse/columns_spec.js), so the list cannot drift from the mappings.
 */
import { CEF_KEY_COLUMNS } from './csl-columns';

/** Set by the parser on every record: the event time, and the syslog header's host and time. */
const FRAMING = ['TimeGenerated', 'Computer', 'SyslogTime'];

/** CommonSecurityLog, from CEF (Microsoft's key mapping) and PAN-OS CSV. */
export const COMMON_SECURITY_LOG_COLUMNS: readonly string[] = [
  ...new Set([
    ...FRAMING,
    'DeviceVendor', 'DeviceProduct', 'DeviceVersion', 'DeviceEventClassID', 'Activity', 'LogSeverity',
    ...CEF_KEY_COLUMNS.map(([, column]) => column),
    'SentBytes', 'ReceivedBytes', 'AdditionalExtensions', 'SourceUserName',
  ]),
];

/** WireData, from Zeek conn.log (TSV or JSON). */
export const WIRE_DATA_COLUMNS: readonly string[] = [
  ...FRAMING,
  'LocalIP', 'LocalPortNumber', 'RemoteIP', 'RemotePortNumber', 'SentBytes', 'ReceivedBytes',
  'ProtocolName', 'ApplicationProtocol', 'SessionState', 'SessionID', 'Duration',
];

/** What the nodes add to a record with their default settings (delta) or as the examples name it (filter's network). */
export const DERIVED_COLUMNS: readonly string[] = ['TimeDeltainSeconds', 'nextTimeGenerated', 'RemoteNetwork'];

/** The lists as the editor receives them. */
export const RECORD_COLUMNS = {
  CommonSecurityLog: COMMON_SECURITY_LOG_COLUMNS,
  WireData: WIRE_DATA_COLUMNS,
  derived: DERIVED_COLUMNS,
} as const;
