/**
 * Alert rows in the shapes their readers take: e-mail (subject, text, HTML),
 * a Slack/Mattermost or Teams webhook body, an ECS document, a CEF line and
 * an RFC 5424 syslog line for a SIEM. All are written from the same facts
 * and subject (facts.ts, text.ts), so they agree with the console and the
 * sidebar. Entities are named as ECS (source.ip, destination.port …) and
 * CommonSecurityLog / Sentinel (SourceIP, DestinationPort …) name them.
 */
import { AlertContext, alertFacts, AlertFacts, AlertRow, clean, fmtNumber } from './facts';
import { alertHtml } from './html';
import { alertBody, alertSubject, batchSubject, bodyLines, pValueText, regularityText, rowJson } from './text';

export type AlertFormat = 'email' | 'slack' | 'teams' | 'ecs' | 'cef' | 'syslog';
export const ALERT_FORMATS: readonly AlertFormat[] = ['email', 'slack', 'teams', 'ecs', 'cef', 'syslog'];

export interface FormatOptions extends AlertContext {
  /** syslog: HOSTNAME (default "-", the nil value) */
  hostname?: string;
  /** syslog: APP-NAME (default "netbeacon") */
  appName?: string;
  /** syslog: facility 0–23 (default 4, security/authorization) */
  facility?: number;
  /** CEF: Device Version (the package version) */
  version?: string;
  /**
   * e-mail and chat: one message for all the rows a scorer sent at once (a
   * digest) instead of one per alert. Off by default: a person is told of
   * each alerting cell in a message of its own, which a mail client or a
   * chat thread can follow by its AlertId.
   */
  digest?: boolean;
}

const MITRE = {
  framework: 'MITRE ATT&CK',
  tactic: { id: ['TA0011'], name: ['Command and Control'], reference: ['https://attack.mitre.org/tactics/TA0011/'] },
  technique: { id: ['T1071'], name: ['Application Layer Protocol'], reference: ['https://attack.mitre.org/techniques/T1071/'] },
};

const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;
const isIp = (v: string | null): v is string => v !== null && (IPV4.test(v) || (/^[0-9a-fA-F:]+$/.test(v) && v.includes(':')));

function epochMs(iso: string | null): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** The event time an alert is about: when its verdict was reached (early rows), else its bin's end, else its start. */
function alertTime(f: AlertFacts): string | null {
  return f.asOf ?? f.end ?? f.start;
}

function severity(f: AlertFacts): { cef: number; syslog: number; ecs: number } {
  if (f.state === 'alert') return { cef: 8, syslog: 4, ecs: 73 };
  if (f.state === 'suppressed') return { cef: 3, syslog: 6, ecs: 21 };
  return { cef: 2, syslog: 6, ecs: 10 };
}

function figures(f: AlertFacts): {
  every: number | null;
  count: number | null;
  total: number | null;
  pValue: number | null;
  score: number | null;
  percent: number | null;
} {
  const r = f.regularity;
  switch (r.method) {
    case 'kql':
    case 'window':
      return { every: r.every, count: r.count, total: r.total, pValue: null, score: null, percent: r.percent };
    case 'periodic':
      return {
        every: r.every,
        count: r.count,
        total: r.total,
        pValue: r.pValue,
        score: null,
        percent: r.count !== null && r.total ? (r.count / r.total) * 100 : null,
      };
    case 'stats':
      return { every: r.every, count: null, total: null, pValue: null, score: r.score, percent: null };
    case 'strobe':
      return { every: null, count: null, total: r.total, pValue: null, score: null, percent: null };
  }
}

// ---------------------------------------------------------------- e-mail

export interface EmailMessage {
  /** msg.topic: the subject */
  subject: string;
  /** msg.payload: the plain-text body */
  text: string;
  /** msg.html: the HTML body with the histogram drawn */
  html: string;
}

export function emailMessage(rows: AlertRow[], options: FormatOptions = {}): EmailMessage {
  const subject = batchSubject(rows, options);
  const text =
    rows.length === 1
      ? alertBody(rows[0], options)
      : [subject, '', ...rows.map((r, i) => `--- ${i + 1} of ${rows.length} ---\n${alertBody(r, options)}`)].join('\n');
  return { subject, text, html: alertHtml(rows, subject, options) };
}

// ---------------------------------------------------------------- chat

/** Slack's mrkdwn and Mattermost's markdown: &, < and > are control characters; log strings must not make links or mentions. */
function chatEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Slack incoming-webhook body, which Mattermost accepts as is (text + attachments). */
export function slackMessage(rows: AlertRow[], options: FormatOptions = {}): Record<string, unknown> {
  const subject = batchSubject(rows, options);
  return {
    text: chatEscape(subject),
    attachments: rows.slice(0, 20).map((row) => {
      const f = alertFacts(row, options);
      return {
        color: f.state === 'alert' ? '#c0392b' : f.state === 'suppressed' ? '#7f8c8d' : '#d68910',
        fallback: chatEscape(alertSubject(row, options)),
        title: chatEscape(alertSubject(row, { ...options, title: undefined })),
        fields: bodyLines(f).map(([k, v]) => ({ title: k, value: chatEscape(v), short: false })),
        footer: f.alertId ? `AlertId ${chatEscape(f.alertId)}` : 'node-red-beaconing',
      };
    }),
  };
}

/** A Microsoft Teams webhook body (Workflows / incoming webhook): an Adaptive Card with the facts. */
export function teamsMessage(rows: AlertRow[], options: FormatOptions = {}): Record<string, unknown> {
  const subject = batchSubject(rows, options);
  const body: unknown[] = [{ type: 'TextBlock', text: subject, weight: 'Bolder', size: 'Medium', wrap: true }];
  for (const row of rows.slice(0, 10)) {
    const f = alertFacts(row, options);
    if (rows.length > 1)
      body.push({ type: 'TextBlock', text: alertSubject(row, { ...options, title: undefined }), weight: 'Bolder', wrap: true, separator: true });
    body.push({ type: 'FactSet', facts: bodyLines(f).map(([k, v]) => ({ title: k, value: v })) });
  }
  return {
    type: 'message',
    summary: subject,
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body },
      },
    ],
  };
}

// ---------------------------------------------------------------- ECS

/** An Elastic Common Schema document (event.kind: alert) for one row. */
export function ecsDocument(row: AlertRow, options: FormatOptions = {}): Record<string, unknown> {
  const f = alertFacts(row, options);
  const fig = figures(f);
  const source: Record<string, unknown> = {};
  if (f.source) source[isIp(f.source) ? 'ip' : 'address'] = f.source;
  if (f.user) source.user = { name: f.user };
  const destination: Record<string, unknown> = {};
  if (f.destination) destination[isIp(f.destination) ? 'ip' : 'address'] = f.destination;
  // a destination keyed by name (beacon-resolve's RemoteKey) is a domain too
  if (f.destination && !isIp(f.destination) && !f.destinationIsNetwork) destination.domain = f.destination;
  const port = f.port !== null ? Number(f.port) : NaN;
  if (Number.isInteger(port)) destination.port = port;
  const event: Record<string, unknown> = {
    kind: 'alert',
    category: ['network', 'intrusion_detection'],
    type: ['connection', 'info'],
    action: f.state === 'alert' ? `${f.kind}-detected` : f.state === 'suppressed' ? `${f.kind}-suppressed` : `${f.kind}-below-threshold`,
    module: 'netbeacon',
    dataset: 'netbeacon.alert',
    severity: severity(f).ecs,
  };
  if (f.alertId) event.id = f.alertId;
  if (f.start) event.start = f.start;
  if (f.end) event.end = f.end;
  if (f.suppressed) event.reason = f.suppressed;
  const doc: Record<string, unknown> = {
    '@timestamp': alertTime(f),
    message: alertSubject(row, options),
    event,
    source,
    destination,
    network: { direction: 'outbound' },
    threat: MITRE,
    rule: {
      name: f.title ?? 'beaconing',
      ruleset: 'netbeacon',
      category: f.kind,
      description: bodyLines(f).find(([k]) => k === 'Why')?.[1] ?? '',
    },
    netbeacon: {
      method: f.regularity.method,
      regularity: regularityText(f, true),
      period_seconds: fig.every,
      intervals_in_pattern: fig.count,
      intervals: fig.total,
      share_percent: fig.percent,
      p_value: fig.pValue,
      score: fig.score,
      connections_per_hour: f.connectionsPerHour,
      pattern_since: f.since,
      final: f.final,
      thresholds: f.thresholds,
      group: Object.fromEntries(f.group),
      row,
    },
  };
  if (f.device) doc.observer = { name: f.device };
  if (f.sentBytes !== null) source.bytes = f.sentBytes;
  if (f.receivedBytes !== null) destination.bytes = f.receivedBytes;
  if (Object.keys(source).length === 0) delete doc.source;
  if (Object.keys(destination).length === 0) delete doc.destination;
  // the hunt checks direction; the Sentinel rules do not, so their rows do not claim it
  if (!('Method' in row)) delete doc.network;
  return doc;
}

// ---------------------------------------------------------------- CEF

/** CEF header field: \ and | escaped, no line breaks. */
export function cefHeaderEscape(value: unknown): string {
  return clean(value, 512).replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
}

/** CEF extension value: \ and = escaped, line breaks as \n and \r. */
export function cefValueEscape(value: unknown): string {
  return String(value ?? '')
    .replace(/\\/g, '\\\\')
    .replace(/=/g, '\\=')
    .replace(/\r\n|\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

/** The CEF extension pairs of a row, empty values left out (a CEF line never says "suser= "). */
function cefPairs(f: AlertFacts, row: AlertRow, options: FormatOptions): Array<[string, string]> {
  const fig = figures(f);
  const pairs: Array<[string, unknown]> = [
    ['rt', epochMs(alertTime(f))],
    ['start', epochMs(f.since && f.since < (f.start ?? '') ? f.since : f.start)],
    ['end', epochMs(f.end)],
    ['src', isIp(f.source) ? f.source : null],
    ['shost', f.source && !isIp(f.source) ? f.source : null],
    ['suser', f.user],
    ['dst', isIp(f.destination) ? f.destination : null],
    ['dhost', f.destination && !isIp(f.destination) && !f.destinationIsNetwork ? f.destination : null],
    ['dpt', f.port],
    ['dvchost', f.device],
    ['cnt', fig.total],
    ['externalId', f.alertId],
    ['act', f.state === 'alert' ? 'alert' : f.state],
    ['reason', f.suppressed ?? (f.failed.length ? f.failed.join(', ') : null)],
    ['cat', f.kind === 'strobe' ? 'strobe' : 'beaconing'],
    ['msg', alertSubject(row, options)],
    ['cs1Label', 'Method'],
    ['cs1', f.regularity.method],
    ['cs2Label', 'Rule'],
    ['cs2', f.title],
    ['cs3Label', 'Regularity'],
    ['cs3', regularityText(f, true)],
    ['cs4Label', f.destinationIsNetwork ? 'DestinationNetwork' : null],
    ['cs4', f.destinationIsNetwork ? f.destination : null],
    ['cs5Label', fig.pValue !== null ? 'PValue' : fig.score !== null ? 'Score' : null],
    ['cs5', fig.pValue !== null ? pValueFigure(fig.pValue) : fig.score !== null ? String(fig.score) : null],
    ['cs6Label', f.thresholds.length ? 'Thresholds' : null],
    ['cs6', f.thresholds.length ? f.thresholds.join(', ') : null],
    // CEF numbers are integers: the period rounded, the exact one is in cs3
    ['cn1Label', fig.every !== null ? 'PeriodSeconds' : null],
    ['cn1', fig.every !== null ? Math.round(fig.every) : null],
    ['cn2Label', fig.count !== null ? 'IntervalsInPattern' : null],
    ['cn2', fig.count],
    ['cn3Label', f.connectionsPerHour !== null ? 'ConnectionsPerHour' : null],
    ['cn3', f.connectionsPerHour !== null ? Math.round(f.connectionsPerHour) : null],
  ];
  // a label without its value (or the reverse) is left out with it
  const present = new Map(pairs.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => [k, String(v)]));
  for (const k of [...present.keys()]) {
    if (k.endsWith('Label') && !present.has(k.slice(0, -5))) present.delete(k);
    if (/^c[sn]\d$/.test(k) && !present.has(`${k}Label`)) present.delete(k);
  }
  return [...present.entries()];
}

function pValueFigure(p: number): string {
  return !(p > 0) || p < 1e-300 ? '<1e-300' : p.toExponential(2);
}

/** One CEF line for one row. */
export function cefLine(row: AlertRow, options: FormatOptions = {}): string {
  const f = alertFacts(row, options);
  const header = [
    'CEF:0',
    'netbeacon',
    'node-red-beaconing',
    options.version ?? '0',
    `${f.kind}-${f.regularity.method}`,
    alertSubject(row, options),
    String(severity(f).cef),
  ];
  const ext = cefPairs(f, row, options)
    .map(([k, v]) => `${k}=${cefValueEscape(v)}`)
    .join(' ');
  return `${header.map((h, i) => (i === 0 ? h : cefHeaderEscape(h))).join('|')}|${ext}`;
}

// ---------------------------------------------------------------- RFC 5424

/** SD-PARAM value: ", \ and ] escaped (RFC 5424 §6.3.3). */
export function sdEscape(value: unknown): string {
  return clean(value, 1024).replace(/[\\"\]]/g, (c) => `\\${c}`);
}

/** Our private SD-ID (32473 is the enterprise number RFC 5612 reserves for documentation and examples). */
export const SD_ID = 'netbeacon@32473';

/** RFC 5424 TIMESTAMP from an ISO time (RFC 3339; "-" when unknown). */
function syslogTime(iso: string | null): string {
  const ms = epochMs(iso);
  return ms === null ? '-' : new Date(ms).toISOString();
}

/** RFC 5424 header field: printable ASCII, no spaces, bounded; "-" when empty. */
function headerField(value: unknown, max: number): string {
  const v = String(value ?? '')
    .replace(/[^\x21-\x7e]/g, '')
    .slice(0, max);
  return v === '' ? '-' : v;
}

/**
 * One RFC 5424 line: the alert's fields as structured data, the CEF line as
 * MSG (so a SIEM's CEF collector and this package's own parser both read it).
 */
export function syslogLine(row: AlertRow, options: FormatOptions = {}): string {
  const f = alertFacts(row, options);
  const fig = figures(f);
  const facility =
    Number.isInteger(options.facility) && (options.facility as number) >= 0 && (options.facility as number) <= 23 ? (options.facility as number) : 4;
  const pri = facility * 8 + severity(f).syslog;
  const params: Array<[string, unknown]> = [
    ['alertId', f.alertId],
    ['state', f.state],
    ['class', f.kind],
    ['rule', f.title],
    ['method', f.regularity.method],
    ['src', f.source],
    ['user', f.user],
    ['device', f.device],
    ['dst', f.destination],
    ['dpt', f.port],
    ['period', fig.every !== null ? fmtNumber(fig.every) : null],
    ['inPattern', fig.count],
    ['intervals', fig.total],
    ['pValue', fig.pValue !== null ? pValueFigure(fig.pValue) : null],
    ['score', fig.score],
    ['start', f.start],
    ['end', f.end],
    ['since', f.since],
    ['suppressed', f.suppressed],
  ];
  for (const [k, v] of f.others) params.push([k.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 32), v]);
  const sd = `[${SD_ID}${params
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => ` ${k}="${sdEscape(v)}"`)
    .join('')}]`;
  const header = `<${pri}>1 ${syslogTime(alertTime(f))} ${headerField(options.hostname, 255)} ${headerField(options.appName ?? 'netbeacon', 48)} - ${headerField(f.kind, 32)}`;
  return `${header} ${sd} ${cefLine(row, options)}`;
}

/** Reads the SD-PARAMs of one SD-ELEMENT back (for tests and receivers): name → unescaped value. */
export function parseStructuredData(line: string, id = SD_ID): Record<string, string> | null {
  const start = line.indexOf(`[${id}`);
  if (start < 0) return null;
  const out: Record<string, string> = {};
  const re = /\s([^\s="\]]{1,32})="((?:[^"\\]|\\.)*)"/y;
  re.lastIndex = start + id.length + 1;
  for (let m = re.exec(line); m; m = re.exec(line)) out[m[1]] = m[2].replace(/\\(["\\\]])/g, '$1');
  return line[re.lastIndex] === ']' || Object.keys(out).length > 0 ? out : null;
}

// ---------------------------------------------------------------- one entry point

/** How a SIEM line is cut from the next on a TCP stream (RFC 6587): none, a newline, or octet counting. */
export type Framing = '' | 'newline' | 'octet';
export const FRAMINGS: readonly Framing[] = ['', 'newline', 'octet'];

/**
 * A SIEM format's payload ready for a plain TCP client (Node-RED's tcp out):
 * the line (a document as one line of JSON) followed by a newline, or
 * preceded by its length in bytes and a space. Octet counting survives a
 * newline inside a value; newline framing is what every receiver reads.
 */
export function framed(payload: unknown, framing: Framing): unknown {
  if (framing === '') return payload;
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  if (framing === 'octet') return `${Buffer.byteLength(text, 'utf8')} ${text}`;
  let end = text.length;
  while (end > 0 && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--; // one terminator, never two
  return `${text.slice(0, end)}\n`;
}

export interface FormattedMessage {
  topic: string;
  payload: unknown;
  /** e-mail: the HTML body (also the payload) */
  html?: string;
  /** e-mail: the plain-text body */
  plaintext?: string;
}

/**
 * The messages for a set of rows (one scorer message): one per row (a line,
 * a document, a mail or a chat message each); with `digest`, e-mail and chat
 * make one message for all rows.
 */
export function formatAlerts(rows: AlertRow[], format: AlertFormat, options: FormatOptions = {}): FormattedMessage[] {
  if (rows.length === 0) return [];
  if (!options.digest && rows.length > 1 && (format === 'email' || format === 'slack' || format === 'teams')) {
    return rows.flatMap((r) => formatAlerts([r], format, options));
  }
  switch (format) {
    case 'email': {
      // node-red-node-email sends msg.payload, as HTML when it looks like HTML, with msg.plaintext as the text part;
      // a plain-text payload holding a log string such as "<img …>" would be taken for HTML unescaped
      const m = emailMessage(rows, options);
      return [{ topic: m.subject, payload: m.html, html: m.html, plaintext: m.text }];
    }
    case 'slack':
      return [{ topic: batchSubject(rows, options), payload: slackMessage(rows, options) }];
    case 'teams':
      return [{ topic: batchSubject(rows, options), payload: teamsMessage(rows, options) }];
    case 'ecs':
      return rows.map((r) => ({ topic: alertSubject(r, options), payload: ecsDocument(r, options) }));
    case 'cef':
      return rows.map((r) => ({ topic: alertSubject(r, options), payload: cefLine(r, options) }));
    case 'syslog':
      return rows.map((r) => ({ topic: alertSubject(r, options), payload: syslogLine(r, options) }));
  }
}

export { pValueText, rowJson };
