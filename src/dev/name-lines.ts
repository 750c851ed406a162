/**
 * Lines of the name-carrying logs for the parser bench: Zeek dns/ssl/http
 * (TSV with their headers, and JSON), Squid's native access log and PAN-OS
 * THREAT/URL CSV, with the variety a site's logs have (a few hundred hosts,
 * CNAME chains, unset fields, quoted URLs), from a seed. PAN-OS THREAT/URL
 * logs come as CSV and as CEF, the same events from the same draws.
 */

import { MONTHS } from '../core/parse/timestamps';

export type NameLineFormat =
  | 'zeek-dns-tsv'
  | 'zeek-dns-json'
  | 'zeek-ssl-tsv'
  | 'zeek-ssl-json'
  | 'zeek-http-tsv'
  | 'zeek-http-json'
  | 'squid'
  | 'panos-threat-csv'
  | 'panos-threat-cef'
  | 'panos-url-cef';

export const NAME_LINE_FORMATS: readonly NameLineFormat[] = [
  'zeek-dns-tsv',
  'zeek-dns-json',
  'zeek-ssl-tsv',
  'zeek-ssl-json',
  'zeek-http-tsv',
  'zeek-http-json',
  'squid',
  'panos-threat-csv',
  'panos-threat-cef',
  'panos-url-cef',
];

/** xorshift32: the same lines for the same seed */
export function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const DNS_FIELDS =
  'ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto trans_id rtt query qclass qclass_name qtype qtype_name rcode rcode_name AA TC RD RA Z answers TTLs rejected'.split(
    ' ',
  );
const SSL_FIELDS =
  'ts uid id.orig_h id.orig_p id.resp_h id.resp_p version cipher curve server_name resumed last_alert next_protocol established ssl_history cert_chain_fps client_cert_chain_fps sni_matches_cert'.split(
    ' ',
  );
const HTTP_FIELDS =
  'ts uid id.orig_h id.orig_p id.resp_h id.resp_p trans_depth method host uri referrer version user_agent origin request_body_len response_body_len status_code status_msg info_code info_msg tags username password proxied orig_fuids orig_filenames orig_mime_types resp_fuids resp_filenames resp_mime_types'.split(
    ' ',
  );

const header = (path: string, fields: string[]) => [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  `#path\t${path}`,
  '#open\t2024-05-08-00-00-00',
  `#fields\t${fields.join('\t')}`,
  `#types\t${fields.map(() => 'string').join('\t')}`,
];

const WORDS = ['update', 'api', 'cdn', 'login', 'static', 'telemetry', 'mail', 'edge', 'img', 'sync', 'push', 'time', 'settings', 'events'];
const DOMAINS = [
  'microsoft.com',
  'windowsupdate.com',
  'example.co.uk',
  'eset.com',
  'dropbox.com',
  'googleapis.com',
  'akamaiedge.net',
  'cloudfront.net',
  'apple.com',
  'slack.com',
  'github.com',
  'office365.com',
  'zoom.us',
  'example.org',
];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
  'Microsoft-Delivery-Optimization/10.0',
  'curl/8.5.0',
  'Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.50',
];

/** The seeded draws the lines are made of; `ts` moves the log's clock on a little at each call. */
function draws(seed: number) {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const octet = () => Math.floor(rnd() * 254) + 1;
  let t = 1715126400;
  return {
    rnd,
    pick,
    host: () => `${pick(WORDS)}${rnd() < 0.3 ? Math.floor(rnd() * 40) : ''}.${pick(DOMAINS)}`,
    inside: () => `10.1.${Math.floor(rnd() * 4)}.${octet()}`,
    outside: () => `${octet()}.${octet()}.${octet()}.${octet()}`,
    uid: () => `C${Math.floor(rnd() * 2 ** 52).toString(36)}${Math.floor(rnd() * 1e6).toString(36)}`,
    ts: () => (t += rnd() * 0.5).toFixed(6),
  };
}
type Draws = ReturnType<typeof draws>;

/** One line's connection: an inside host talking to an outside one (a DNS line asks the site's resolver instead). */
interface Conn {
  src: string;
  sport: number;
  dst: string;
}

type LineOf = (d: Draws, c: Conn) => string;

// the connection columns every Zeek log starts with
const connTsv = (d: Draws, c: Conn, respH: string, respP: number) => [d.ts(), d.uid(), c.src, c.sport, respH, respP];
const connJson = (d: Draws, c: Conn, respH: string, respP: number) => ({
  ts: Number(d.ts()),
  uid: d.uid(),
  'id.orig_h': c.src,
  'id.orig_p': c.sport,
  'id.resp_h': respH,
  'id.resp_p': respP,
});

/** A lookup of a site name: one in ten NXDOMAIN, else an address or two, sometimes behind a CNAME. */
function dnsAnswer(d: Draws) {
  const query = d.host();
  const nx = d.rnd() < 0.1;
  const answers = nx ? [] : [...(d.rnd() < 0.4 ? [`${query}.edgekey.net`] : []), d.outside(), ...(d.rnd() < 0.5 ? [d.outside()] : [])];
  const ttls = answers.map(() => Math.floor(d.rnd() * 3600));
  return { query, nx, answers, ttls };
}

function dnsTsv(d: Draws, c: Conn): string {
  const { query, nx, answers, ttls } = dnsAnswer(d);
  return [
    ...connTsv(d, c, '10.1.0.2', 53),
    'udp',
    Math.floor(d.rnd() * 65535),
    (d.rnd() / 10).toFixed(6),
    query,
    1,
    'C_INTERNET',
    1,
    'A',
    nx ? 3 : 0,
    nx ? 'NXDOMAIN' : 'NOERROR',
    'F',
    'F',
    'T',
    'T',
    0,
    nx ? '-' : answers.join(','),
    nx ? '-' : ttls.map((x) => `${x}.000000`).join(','),
    'F',
  ].join('\t');
}

function dnsJson(d: Draws, c: Conn): string {
  const { query, nx, answers, ttls } = dnsAnswer(d);
  return JSON.stringify({
    ...connJson(d, c, '10.1.0.2', 53),
    proto: 'udp',
    trans_id: Math.floor(d.rnd() * 65535),
    rtt: d.rnd() / 10,
    query,
    qclass: 1,
    qclass_name: 'C_INTERNET',
    qtype: 1,
    qtype_name: 'A',
    rcode: nx ? 3 : 0,
    rcode_name: nx ? 'NXDOMAIN' : 'NOERROR',
    AA: false,
    TC: false,
    RD: true,
    RA: true,
    Z: 0,
    ...(nx ? {} : { answers, TTLs: ttls }),
    rejected: false,
  });
}

function sslTsv(d: Draws, c: Conn): string {
  const sni = d.host();
  return [...connTsv(d, c, c.dst, 443), 'TLSv13', 'TLS_AES_128_GCM_SHA256', 'x25519', sni, 'F', '-', 'h2', 'T', 'CsxknGIti', '-', '(empty)', '-'].join('\t');
}

function sslJson(d: Draws, c: Conn): string {
  const sni = d.host();
  return JSON.stringify({
    ...connJson(d, c, c.dst, 443),
    version: 'TLSv13',
    cipher: 'TLS_AES_128_GCM_SHA256',
    curve: 'x25519',
    server_name: sni,
    resumed: false,
    next_protocol: 'h2',
    established: true,
    ssl_history: 'CsxknGIti',
  });
}

/** A plain-HTTP GET of a site's path. */
function httpRequest(d: Draws) {
  const h = d.host();
  const uri = `/${d.pick(WORDS)}/${Math.floor(d.rnd() * 1e6)}?v=${Math.floor(d.rnd() * 100)}`;
  const agent = d.pick(AGENTS);
  return { h, uri, agent };
}

function httpTsv(d: Draws, c: Conn): string {
  const { h, uri, agent } = httpRequest(d);
  return [
    ...connTsv(d, c, c.dst, 80),
    1,
    'GET',
    h,
    uri,
    '-',
    '1.1',
    agent,
    '-',
    0,
    Math.floor(d.rnd() * 50000),
    200,
    'OK',
    '-',
    '-',
    '(empty)',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    'FEEsZS1w0Z0VJIb5x4',
    '-',
    'text/plain',
  ].join('\t');
}

function httpJson(d: Draws, c: Conn): string {
  const { h, uri, agent } = httpRequest(d);
  return JSON.stringify({
    ...connJson(d, c, c.dst, 80),
    trans_depth: 1,
    method: 'GET',
    host: h,
    uri,
    version: '1.1',
    user_agent: agent,
    request_body_len: 0,
    response_body_len: Math.floor(d.rnd() * 50000),
    status_code: 200,
    status_msg: 'OK',
    tags: [],
    resp_fuids: ['FEEsZS1w0Z0VJIb5x4'],
    resp_mime_types: ['text/plain'],
  });
}

/** Squid's native access log: mostly HTTPS tunnels, the rest plain GETs. */
function squidLine(d: Draws, c: Conn): string {
  const connect = d.rnd() < 0.6;
  const h = d.host();
  const elapsed = String(Math.floor(d.rnd() * 5000)).padStart(6, ' ');
  return connect
    ? `${d.ts().slice(0, -3)} ${elapsed} ${c.src} TCP_TUNNEL/200 ${Math.floor(d.rnd() * 90000)} CONNECT ${h}:443 - HIER_DIRECT/${c.dst} -`
    : `${d.ts().slice(0, -3)} ${elapsed} ${c.src} TCP_MISS/200 ${Math.floor(d.rnd() * 90000)} GET http://${h}/${d.pick(WORDS)}/${Math.floor(d.rnd() * 1e5)} - HIER_DIRECT/${c.dst} text/html`;
}

/** The THREAT/URL CSV fields that are the same on every line, by position. */
const PANOS_FIXED: Record<number, string> = {
  0: '1',
  2: '013201027985',
  3: 'THREAT',
  4: 'url',
  5: '2049',
  9: '198.51.100.7',
  11: 'allow-web',
  14: 'web-browsing',
  15: 'vsys1',
  16: 'trust',
  17: 'untrust',
  18: 'ethernet1/2',
  19: 'ethernet1/1',
  20: 'default',
  23: '1',
  25: '80',
  27: '80',
  28: '0x403000',
  29: 'tcp',
  30: 'alert',
  32: '(9999)',
  33: 'computer-and-internet-info',
  34: 'informational',
  35: 'client-to-server',
  37: '0x8000000000000000',
  38: '10.0.0.0-10.255.255.255',
  39: 'United States',
  41: 'text/javascript',
  45: '1',
  59: 'PA-3220',
  63: 'get',
};

/** A PAN-OS THREAT/URL log's 75 CSV fields, and its time in seconds. */
function panosFields(d: Draws, c: Conn): { f: string[]; sec: number } {
  const f = new Array(75).fill('');
  const sec = Math.floor(Number(d.ts()));
  const time = new Date(sec * 1000).toISOString().slice(0, 19).replace('T', ' ').replaceAll('-', '/');
  const url = `${d.host()}/${d.pick(WORDS)}/${Math.floor(d.rnd() * 1e5)}.js`;
  Object.assign(f, PANOS_FIXED, {
    1: time,
    6: time,
    7: c.src,
    8: c.dst,
    10: c.dst,
    22: String(Math.floor(d.rnd() * 1e6)),
    24: String(c.sport),
    26: String(c.sport),
    31: d.rnd() < 0.3 ? `"${url}"` : url,
    36: String(Math.floor(d.rnd() * 1e9)),
    46: `"${d.pick(AGENTS)}"`,
  });
  return { f, sec };
}

/** A PAN-OS THREAT/URL log over syslog: 75 CSV fields, the URL quoted now and then. */
function panosLine(d: Draws, c: Conn): string {
  return `<14>May  8 01:10:31 PA-3220 ${panosFields(d, c).f.join(',')}`;
}

const two = (n: number) => String(n).padStart(2, '0');

/** A CEF value: quotes of the CSV form dropped, backslash and equals sign escaped. */
const cefValue = (v: string) => (v.startsWith('"') ? v.slice(1, -1) : v).replaceAll('\\', '\\\\').replaceAll('=', '\\=');

/**
 * The same event in PAN-OS's CEF custom format (the THREAT and URL log
 * formats of PAN-OS 10's CEF configuration guide), behind a BSD header: the
 * THREAT format carries the URL in `request`; the URL format adds the
 * content type, the method and the user agent.
 */
function panosCefLine(url: boolean): LineOf {
  return (d, c) => {
    const { f, sec } = panosFields(d, c);
    const t = new Date(sec * 1000);
    const hms = `${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())}`;
    const rt = `${MONTHS[t.getUTCMonth()]} ${two(t.getUTCDate())} ${t.getUTCFullYear()} ${hms} GMT`;
    const bsd = `<14>${MONTHS[t.getUTCMonth()]} ${String(t.getUTCDate()).padStart(2, ' ')} ${hms} ${f[59]} `;
    const v = (i: number) => cefValue(f[i]);
    const ext = [
      `rt=${rt} deviceExternalId=${v(2)} src=${v(7)} dst=${v(8)} sourceTranslatedAddress=${v(9)} destinationTranslatedAddress=${v(10)}`,
      `cs1Label=Rule cs1=${v(11)} suser=${v(12)} duser=${v(13)} app=${v(14)} cs3Label=Virtual System cs3=${v(15)}`,
      `cs4Label=Source Zone cs4=${v(16)} cs5Label=Destination Zone cs5=${v(17)} deviceInboundInterface=${v(18)} deviceOutboundInterface=${v(19)}`,
      `cs6Label=LogProfile cs6=${v(20)} cn1Label=SessionID cn1=${v(22)} cnt=${v(23)} spt=${v(24)} dpt=${v(25)}`,
      `sourceTranslatedPort=${v(26)} destinationTranslatedPort=${v(27)} flexString1Label=Flags flexString1=${v(28)} proto=${v(29)} act=${v(30)}`,
      `request=${v(31)} cs2Label=URL Category cs2=${v(33)} flexString2Label=Direction flexString2=${v(35)} PanOSActionFlags=${v(37)} externalId=${v(36)}`,
      url
        ? `requestContext=${v(41)} cat=${v(32)} fileId=0 requestMethod=${v(63)} requestClientApplication=${v(46)} PanOSXForwarderfor= PanOSReferer=`
        : `cat=${v(32)} fileId=0`,
      `PanOSDGl1=0 PanOSDGl2=0 PanOSDGl3=0 PanOSDGl4=0 PanOSVsysName= dvchost=${v(59)} PanOSSrcUUID= PanOSDstUUID= PanOSTunnelID=0 PanOSMonitorTag=`,
      'PanOSParentSessionID=0 PanOSParentStartTime= PanOSTunnelType=N/A PanOSThreatCategory=unknown PanOSContentVer=8000-7500 PanOSAssocID=0',
      `PanOSPPID=4294967295 PanOSHTTPHeader= PanOSURLCatList=${v(33)},low-risk PanOSRuleUUID=4c5f2a6e-8d1b-4f0e-9a3c-2b7d6e1f0a95 PanOSHTTP2Con=0`,
      'PanDynamicUsrgrp=',
    ].join(' ');
    const signature = url ? v(4) : v(32);
    return `${bsd}CEF:0|Palo Alto Networks|PAN-OS|10.1.11|${signature}|${v(3)}|1|${ext}`;
  };
}

/** The line maker and the header lines of a format (a Zeek TSV log's header; none for the others). */
function formatOf(format: NameLineFormat): { line: LineOf; head: string[] } {
  const tsv = format.endsWith('-tsv') && format !== 'panos-threat-csv';
  if (format.startsWith('zeek-dns')) return { line: tsv ? dnsTsv : dnsJson, head: tsv ? header('dns', DNS_FIELDS) : [] };
  if (format.startsWith('zeek-ssl')) return { line: tsv ? sslTsv : sslJson, head: tsv ? header('ssl', SSL_FIELDS) : [] };
  if (format.startsWith('zeek-http')) return { line: tsv ? httpTsv : httpJson, head: tsv ? header('http', HTTP_FIELDS) : [] };
  if (format === 'panos-threat-cef' || format === 'panos-url-cef') return { line: panosCefLine(format === 'panos-url-cef'), head: [] };
  return { line: format === 'squid' ? squidLine : panosLine, head: [] };
}

/** `count` lines of a format from a seed, a TSV log's header lines included. */
export function nameLines(format: NameLineFormat, count: number, seed = 1): string[] {
  const d = draws(seed);
  const { line, head } = formatOf(format);
  const out: string[] = [...head];
  while (out.length < count) {
    // every line draws a connection, whether its format shows all of it or not
    const src = d.inside();
    const sport = 1024 + Math.floor(d.rnd() * 60000);
    const dst = d.outside();
    out.push(line(d, { src, sport, dst }));
  }
  return out;
}
