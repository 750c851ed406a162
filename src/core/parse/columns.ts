/**
 * The column names the parsers produce, per table: one list for the editor's
 * field-name completion (beacon-parse exports it as RED.settings.beaconParseColumns)
 * and for the test that holds every parser's records to it
 * (test/parse/columns_spec.js), so the list cannot drift from the mappings.
 */
import { CEF_KEY_COLUMNS } from './csl-columns';

/** Set by the parser on every record: the event time, and the syslog header's host and time. */
const FRAMING = ['TimeGenerated', 'Computer', 'SyslogTime'];

/** What the PAN-OS THREAT/URL CSV and the Squid access log add to CommonSecurityLog (the names are CommonSecurityLog's where it has one). */
export const WEB_COLUMNS: readonly string[] = [
  'RequestURL',
  'DestinationHostName',
  'RequestMethod',
  'RequestClientApplication',
  'RequestContext',
  'ThreatID',
  'FileName',
  'HttpStatusCode',
  'Duration',
];

/** CommonSecurityLog, from CEF (Microsoft's key mapping), PAN-OS CSV (TRAFFIC and THREAT) and Squid. */
export const COMMON_SECURITY_LOG_COLUMNS: readonly string[] = [
  ...new Set([
    ...FRAMING,
    'DeviceVendor',
    'DeviceProduct',
    'DeviceVersion',
    'DeviceEventClassID',
    'Activity',
    'LogSeverity',
    ...CEF_KEY_COLUMNS.map(([, column]) => column),
    'SentBytes',
    'ReceivedBytes',
    'AdditionalExtensions',
    'SourceUserName',
    ...WEB_COLUMNS,
  ]),
];

/** What Zeek dns.log, ssl.log and http.log add to the WireData columns every Zeek row has. */
export const ZEEK_NAME_COLUMNS: readonly string[] = [
  'DnsQuery',
  'DnsQueryType',
  'DnsResponseCode',
  'DnsAnswers',
  'DnsTTLs',
  'TlsServerName',
  'TlsVersion',
  'TlsEstablished',
  'HttpMethod',
  'HttpHost',
  'HttpUri',
  'HttpUserAgent',
  'HttpStatusCode',
  'RemoteHostName',
];

/** WireData, from Zeek conn.log, dns.log, ssl.log and http.log (TSV or JSON). */
export const WIRE_DATA_COLUMNS: readonly string[] = [
  ...FRAMING,
  'LocalIP',
  'LocalPortNumber',
  'RemoteIP',
  'RemotePortNumber',
  'SentBytes',
  'ReceivedBytes',
  'ProtocolName',
  'ApplicationProtocol',
  'SessionState',
  'SessionID',
  'Duration',
  ...ZEEK_NAME_COLUMNS,
];

/** What the nodes add to a record with their default settings (delta) or as the examples name it (filter's network). */
export const DERIVED_COLUMNS: readonly string[] = [
  'TimeDeltainSeconds',
  'nextTimeGenerated',
  'RemoteNetwork',
  // the name resolver's, on WireData and on CommonSecurityLog records
  'RemoteHostName',
  'RemoteHostNames',
  'RemoteDomain',
  'DestinationHostName',
  'DestinationHostNames',
  'DestinationDomain',
];

/** The lists as the editor receives them. */
export const RECORD_COLUMNS = {
  CommonSecurityLog: COMMON_SECURITY_LOG_COLUMNS,
  WireData: WIRE_DATA_COLUMNS,
  derived: DERIVED_COLUMNS,
} as const;
