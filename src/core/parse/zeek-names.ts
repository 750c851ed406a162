/**
 * The name-carrying Zeek logs: dns.log, ssl.log and http.log. A row of any
 * of them is first read as conn.log is (addresses, ports, protocol, uid), and
 * then gets the columns of its own log, so every Zeek record has the same
 * WireData core and a flow can key or filter them alike.
 */
import { LogRecord } from '../common/records';
import { hostOfAuthority, isAddressLiteral } from './host';
import { ZeekField } from './mappings';
import { FieldTable, fieldTable, fillColumns } from './named-columns';
import { lowerIfAsciiCapital, plainDigits } from './text';

export type ZeekLogKind = 'conn' | 'dns' | 'ssl' | 'http';

/** Which log a #fields header (or a JSON object's keys) belongs to, from the columns only that log has. */
export function zeekLogKind(has: (name: string) => boolean): ZeekLogKind {
  if (has('query') && (has('answers') || has('qtype_name') || has('rcode_name'))) return 'dns';
  if (has('server_name') || (has('cipher') && has('established'))) return 'ssl';
  if (has('uri') || (has('host') && has('method'))) return 'http';
  return 'conn';
}

/** The log of a Zeek JSON object: its `_path` when the writer adds one, else its keys (Zeek leaves unset fields out). */
export function zeekJsonKind(object: Record<string, unknown>): ZeekLogKind {
  const path = object._path;
  if (path === 'dns' || path === 'ssl' || path === 'http' || path === 'conn') return path;
  if ('query' in object) return 'dns';
  if ('server_name' in object || 'cipher' in object) return 'ssl';
  if ('uri' in object || 'method' in object) return 'http';
  return 'conn';
}

const text = (v: unknown) => (v === undefined || v === null || v === '-' || v === '(empty)' || v === '' ? undefined : String(v));

function count(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  const s = text(v);
  if (s === undefined) return undefined;
  const digits = plainDigits(s);
  if (digits >= 0) return digits;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** A Zeek set or vector of strings: a JSON array (kept when it holds only strings: it is the parser's own), or TSV text joined by the set separator. */
function list(v: unknown, separator: string): string[] | undefined {
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return v.map((x) => String(x));
    return v as string[];
  }
  const s = text(v);
  return s === undefined ? undefined : s.split(separator);
}

/** A Zeek vector of numbers (TTLs): a JSON array (kept when it holds only numbers), or TSV text. */
function numbers(v: unknown, separator: string): number[] | undefined {
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'number') return v.map((x) => Number(typeof x === 'string' ? x : String(x)));
    return v as number[];
  }
  const s = text(v);
  return s === undefined ? undefined : s.split(separator).map(Number);
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  return v === 'T' ? true : v === 'F' ? false : undefined;
}

/** Lower case without a trailing dot: how names are compared everywhere after the parser. */
export function normaliseName(name: string): string {
  const n = lowerIfAsciiCapital(name);
  return n.charCodeAt(n.length - 1) === 46 ? n.slice(0, -1) : n;
}

const name = (v: unknown) => {
  const s = text(v);
  return s === undefined ? undefined : normaliseName(s);
};

/** Each name-carrying log's fields → its columns. */
const NAME_COLUMNS: Record<Exclude<ZeekLogKind, 'conn'>, FieldTable> = {
  dns: fieldTable('zeekDns', [
    ['query', 'DnsQuery', name],
    ['qtype_name', 'DnsQueryType', text],
    ['rcode_name', 'DnsResponseCode', text],
    ['answers', 'DnsAnswers', list],
    ['TTLs', 'DnsTTLs', numbers],
  ]),
  ssl: fieldTable('zeekSsl', [
    ['server_name', 'TlsServerName', text],
    ['version', 'TlsVersion', text],
    ['established', 'TlsEstablished', bool],
  ]),
  http: fieldTable('zeekHttp', [
    ['method', 'HttpMethod', text],
    ['host', 'HttpHost', text],
    ['uri', 'HttpUri', text],
    ['user_agent', 'HttpUserAgent', text],
    ['status_code', 'HttpStatusCode', count],
  ]),
};

/**
 * Adds the columns of a dns, ssl or http row to its WireData record:
 * dns: DnsQuery, DnsQueryType, DnsResponseCode, DnsAnswers (array), DnsTTLs (array of seconds);
 * ssl: TlsServerName, TlsVersion, TlsEstablished and RemoteHostName (the SNI);
 * http: HttpMethod, HttpHost, HttpUri, HttpUserAgent, HttpStatusCode and RemoteHostName (the Host header without its port).
 * RemoteHostName is left out when the SNI or Host is an address: it names no one.
 */
export function addZeekNames(r: LogRecord, field: ZeekField, kind: ZeekLogKind, setSeparator = ','): void {
  if (kind === 'conn') return;
  fillColumns(r, field, NAME_COLUMNS[kind], setSeparator);
  if (kind === 'ssl') {
    const sni = r.TlsServerName;
    if (typeof sni === 'string' && !isAddressLiteral(sni)) r.RemoteHostName = normaliseName(sni);
  } else if (kind === 'http') {
    const name = typeof r.HttpHost === 'string' ? hostOfAuthority(r.HttpHost) : undefined;
    if (name && !isAddressLiteral(name)) r.RemoteHostName = name;
  }
}
