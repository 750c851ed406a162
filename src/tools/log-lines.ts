import { MONTHS } from '../core/parse/timestamps';
import { Connection, generateConnections, isoTicks, TrafficOptions } from './traffic-generator';
import { Random } from './random';

/**
 * Renders generated connections as the raw log lines firewalls and Zeek
 * write — PAN-OS CEF and native CSV behind RFC 5424 or RFC 3164 syslog
 * headers, Zeek conn.log TSV and JSON — each with the record the rules should
 * see for it, written from the formats' documentation (not by the parser),
 * so tests can hold the parser against it.
 */

export interface RenderedLine {
  line: string;
  /** the columns the rules read, as the line means them; null for lines that carry no record */
  record: Record<string, unknown> | null;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function isoSeconds(sec: number): string {
  return `${new Date(sec * 1000).toISOString().slice(0, 19)}.0000000Z`;
}
function cefTime(sec: number): string {
  const d = new Date(sec * 1000);
  return `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} GMT`;
}
function panosTime(sec: number): string {
  const d = new Date(sec * 1000);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
function bsdHeader(sec: number, host: string): string {
  const d = new Date(sec * 1000);
  return `<14>${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${host} `;
}
function rfc5424Header(sec: number, host: string): string {
  return `<14>1 ${new Date(sec * 1000).toISOString().replace('.000Z', 'Z')} ${host} - - - - `;
}
/** CEF extension escaping: backslash and equals sign. */
const cefEscape = (v: string) => v.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\n/g, '\\n');
const csvField = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The CommonSecurityLog columns the Palo Alto rule reads. */
function cslRecord(c: Connection, sec: number, subtype: string, fields: Partial<Record<string, unknown>>): Record<string, unknown> {
  const r: Record<string, unknown> = {
    TimeGenerated: isoSeconds(sec),
    DeviceVendor: c.vendor,
    Activity: c.activity,
    DeviceEventClassID: subtype,
    SourceIP: c.src,
    DestinationIP: c.dst ?? '',
    ...fields,
  };
  for (const k of Object.keys(r)) if (r[k] === undefined) delete r[k];
  return r;
}

/** PAN-OS TRAFFIC in CEF (the format string of PAN-OS 9-11), behind an RFC 5424 or 3164 header. */
export function panosCef(c: Connection, subtype: string, header: 'rfc5424' | 'rfc3164'): RenderedLine {
  const sec = Math.floor(c.t);
  const product = c.vendor === 'Palo Alto Networks' ? 'PAN-OS' : 'FortiGate';
  const ext = [
    `rt=${cefTime(sec)}`,
    'deviceExternalId=013201027985',
    `src=${c.src}`,
    `dst=${c.dst ?? ''}`,
    'sourceTranslatedAddress=0.0.0.0',
    'destinationTranslatedAddress=0.0.0.0',
    'cs1Label=Rule',
    `cs1=${cefEscape('allow web = any')}`,
    `suser=${cefEscape(c.user)}`,
    'duser=',
    'app=ssl',
    'cs3Label=Virtual System',
    'cs3=vsys1',
    'cn1Label=SessionID',
    `cn1=${Math.floor(c.t * 7) % 1000000}`,
    'cnt=1',
    `spt=${c.srcPort ?? ''}`,
    `dpt=${c.dstPort ?? ''}`,
    `proto=${c.proto}`,
    'act=allow',
    `in=${c.sent ?? ''}`,
    `out=${c.received ?? ''}`,
    `start=${cefTime(sec)}`,
    `dvchost=${c.device}`,
  ].join(' ');
  const line = `${header === 'rfc5424' ? rfc5424Header(sec, c.device) : bsdHeader(sec, c.device)}CEF:0|${c.vendor}|${product}|10.1.11|${subtype}|${c.activity}|1|${ext}`;
  // Microsoft's CEF mapping: in (bytes_sent) → ReceivedBytes, out → SentBytes; PAN-OS CEF has no suid
  return {
    line,
    record: cslRecord(c, sec, subtype, {
      DeviceName: c.device,
      SourceUserID: '',
      DestinationPort: c.dstPort ?? undefined,
      ReceivedBytes: c.sent ?? undefined,
      SentBytes: c.received ?? undefined,
    }),
  };
}

/** PAN-OS native CSV TRAFFIC (field positions of PAN-OS 10.x), behind an RFC 3164 or 5424 header. */
export function panosCsv(c: Connection, subtype: string, header: 'rfc5424' | 'rfc3164'): RenderedLine {
  const sec = Math.floor(c.t);
  const time = panosTime(sec);
  const text = (v: number | null | undefined) => String(v ?? '');
  const session = String(Math.floor(c.t * 7) % 1000000);
  const bytes = String((c.sent ?? 0) + (c.received ?? 0));
  // the fields by position, ten a row
  const f: string[] = [
    ...['1', time, '012801096514', c.activity, subtype, '2049', time, c.src, c.dst ?? '', '0.0.0.0'],
    ...['0.0.0.0', 'allow, outbound web', c.user, '', 'ssl', 'vsys1', 'trust', 'untrust', 'ethernet1/2', 'ethernet1/1'],
    ...['forward', time, session, '1', text(c.srcPort), text(c.dstPort), '0', '0', '0x400053', c.proto],
    ...['allow', bytes, text(c.sent), text(c.received), '10', time, '0', 'computer-and-internet-info', '', '7022390495259151731'],
    ...['0x0', '10.0.0.0-10.255.255.255', 'United States', '', '5', '5', 'tcp-fin', '', '', ''],
    ...['', '', c.device, '', '', '', '', '', '', ''],
  ];
  const body = f.map(csvField).join(',');
  const line = `${header === 'rfc5424' ? rfc5424Header(sec, c.device) : bsdHeader(sec, c.device)}${body}`;
  // Microsoft's PaloAltoPANOSSyslog parser: srcuser → SourceUserID, bytes_sent → SentBytes, DeviceName = syslog host
  return {
    line,
    record: {
      ...cslRecord(c, sec, subtype, {
        DeviceName: c.device,
        SourceUserID: c.user,
        DestinationPort: c.dstPort ?? undefined,
        SentBytes: c.sent ?? undefined,
        ReceivedBytes: c.received ?? undefined,
      }),
      DeviceVendor: 'Palo Alto Networks',
    },
  };
}

const ZEEK_FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'duration', 'orig_bytes', 'resp_bytes', 'conn_state'];

function zeekTs(t: number): string {
  const micros = Math.round(t * 1e6);
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}
function wireDataRecord(c: Connection): Record<string, unknown> {
  const r: Record<string, unknown> = {
    TimeGenerated: isoTicks(c.t),
    LocalIP: c.src,
    LocalPortNumber: c.srcPort ?? undefined,
    RemoteIP: c.dst ?? undefined,
    RemotePortNumber: c.dstPort ?? undefined,
    SentBytes: c.sent ?? undefined,
    ReceivedBytes: c.received ?? undefined,
  };
  for (const k of Object.keys(r)) if (r[k] === undefined) delete r[k];
  return r;
}

export function zeekTsvHeader(): string[] {
  return [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tconn',
    `#fields\t${ZEEK_FIELDS.join('\t')}`,
    '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring',
  ];
}

export function zeekTsv(c: Connection, rnd: Random): RenderedLine {
  const v = (x: unknown) => (x === null || x === undefined || x === '' ? '-' : String(x));
  const values = [
    zeekTs(c.t),
    `C${rnd.int(1e8, 9e8)}`,
    c.src,
    v(c.srcPort),
    v(c.dst),
    v(c.dstPort),
    c.proto,
    rnd.pick(['ssl', 'http', '-']),
    (rnd.next() * 2).toFixed(6),
    v(c.sent),
    v(c.received),
    'SF',
  ];
  return { line: values.join('\t'), record: wireDataRecord(c) };
}

export function zeekJson(c: Connection, rnd: Random): RenderedLine {
  const o: Record<string, unknown> = {
    ts: Number(zeekTs(c.t)),
    uid: `C${rnd.int(1e8, 9e8)}`,
    'id.orig_h': c.src,
    'id.orig_p': c.srcPort,
    'id.resp_h': c.dst,
    'id.resp_p': c.dstPort,
    proto: c.proto,
    orig_bytes: c.sent,
    resp_bytes: c.received,
    conn_state: 'SF',
  };
  for (const k of Object.keys(o)) if (o[k] === null || o[k] === undefined || o[k] === '') delete o[k];
  // JSON numbers keep ts to microseconds only when written with 6 digits
  const line = JSON.stringify(o).replace(/"ts":[0-9.]+/, `"ts":${zeekTs(c.t)}`);
  return { line, record: wireDataRecord(c) };
}

export type LineFormat = 'panos-cef' | 'panos-csv' | 'zeek-tsv' | 'zeek-json';

/**
 * Log lines for a scenario, with quirks: CEF with empty values, user names
 * with backslashes and spaces, CSV fields quoted around commas, `start` and
 * `end` logs for the same PAN-OS session, headers alternating between RFC
 * 5424 and RFC 3164.
 */
export function generateLines(options: Partial<TrafficOptions>, format: LineFormat): RenderedLine[] {
  const rnd = new Random((options.seed ?? 1) * 31 + 7);
  const out: RenderedLine[] = [];
  if (format === 'zeek-tsv') out.push(...zeekTsvHeader().map((line) => ({ line, record: null })));
  for (const c of generateConnections({ ...options, schema: 'csl' })) {
    if (!c.dst && format.startsWith('zeek')) continue; // Zeek always knows the responder
    if (format === 'zeek-tsv') out.push(zeekTsv(c, rnd));
    else if (format === 'zeek-json') out.push(zeekJson(c, rnd));
    else {
      const header = rnd.chance(0.5) ? 'rfc5424' : 'rfc3164';
      const render = format === 'panos-cef' ? panosCef : panosCsv;
      if (rnd.chance(0.05)) out.push(render(c, 'start', header));
      out.push(render(c, 'end', header));
    }
  }
  return out;
}
