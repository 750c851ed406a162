/**
 * The one text every alert is told in: console, Beacons sidebar, the
 * scorer's msg.topic, e-mail and chat. A subject of at most 120 characters
 * ("beacon 10.0.0.7 → 185.225.17.0/24:8443 every ~40 s (±10 %), 85/89 in
 * 05-08 01:00–02:00Z") and a short body that says what, who, how regular,
 * since when and why, then the row. The figures come from one method only
 * (facts.ts), so a band's period never sits beside the share of the single
 * most common interval.
 */
import { AlertContext, AlertFacts, alertFacts, AlertRow, fmtNumber, fmtPercent, fmtSeconds, pValueWords } from './facts';

export const SUBJECT_MAX = 120;

/** "2024-05-08T01:00:00Z" → "05-08 01:00" (the year and seconds live in the body). */
function shortTime(iso: string): string {
  const m = /^\d{4}-(\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?/.exec(iso);
  if (!m) return iso.slice(0, 20);
  return m[3] && m[3] !== ':00' ? `${m[1]} ${m[2]}${m[3].slice(0, 3)}` : `${m[1]} ${m[2]}`;
}

/** The bin or window: "in 05-08 01:00–02:00Z", "in 05-05 12:00–05-08 12:00Z", or "in bin 05-08 01:00Z" when its length is unknown. */
function when(f: AlertFacts): string {
  if (!f.start) return '';
  const from = shortTime(f.start);
  if (!f.end) return `in bin ${from}Z`;
  const to = shortTime(f.end);
  return from.slice(0, 5) === to.slice(0, 5) ? `in ${from}–${to.slice(6)}Z` : `in ${from}–${to}Z`;
}

/** How regular, in the figures of the method that decided. */
export function regularityText(f: AlertFacts, long = false): string {
  const r = f.regularity;
  const period = (s: number | null, approx: boolean) => (s === null ? 'at no clear interval' : `every ${approx ? '~' : ''}${fmtSeconds(s)}`);
  switch (r.method) {
    case 'kql':
      return long
        ? `${period(r.every, false)} (the most frequent interval): ${r.count} of ${r.total} intervals (${fmtPercent(r.percent)})`
        : `${period(r.every, false)}, ${r.count}/${r.total} (${fmtPercent(r.percent)})`;
    case 'window':
      return long
        ? `${period(r.every, true)}${r.tolerance ? ` (a ${r.tolerance} band)` : ''}: ${r.count} of ${r.total} intervals in the band (${fmtPercent(r.percent)})`
        : `${period(r.every, true)}${r.tolerance ? ` (${r.tolerance})` : ''}, ${r.count}/${r.total}`;
    case 'periodic': {
      const band = r.band ? `${fmtNumber(r.band[0])}–${fmtNumber(r.band[1])} s` : '';
      const share =
        r.count !== null && r.total !== null
          ? long
            ? `${r.count} of ${r.total} intervals in the band (${fmtPercent((r.count / r.total) * 100)})`
            : `${r.count}/${r.total}`
          : '';
      return long
        ? `${period(r.every, true)}${band ? ` (intervals of ${band})` : ''}${share ? `: ${share}` : ''}`
        : `${period(r.every, true)}${band ? ` (${band})` : ''}${share ? `, ${share}` : ''}`;
    }
    case 'stats': {
      const score = r.score !== null ? (long ? `regularity score ${r.score.toFixed(2)} of 1` : `score ${r.score.toFixed(2)}`) : '';
      const median = r.every === null ? 'no typical interval' : `median interval ${fmtSeconds(r.every)}`;
      return score ? `${median}, ${score}` : median;
    }
    case 'strobe':
      return `${r.perHour === null ? '?' : fmtNumber(r.perHour)} connections/h${long ? ` (${r.total} intervals counted)` : ''}`;
  }
}

function classWord(f: AlertFacts): string {
  if (f.state === 'suppressed') return `suppressed ${f.kind}`;
  if (f.state === 'below') return `near ${f.kind}`;
  return f.kind;
}

function cut(text: string, max: number): string {
  return text.length > max ? text.slice(0, Math.max(1, max - 1)) + '…' : text;
}

/** The pair: "corp\svc@10.0.0.4 → 52.239.1.10:443 via PA-VM"; empty fields are left out. */
function who(f: AlertFacts, width: number, device: boolean): string {
  const src = f.source ? cut(f.source, width) : '';
  const user = f.user ? cut(f.user, width) : '';
  const from = user && src ? `${user}@${src}` : user || src || '?';
  const to = `${f.destination ? cut(f.destination, width) : '?'}${f.port ? `:${cut(f.port, 8)}` : ''}`;
  return `${from} → ${to}${device && f.device ? ` via ${cut(f.device, width)}` : ''}`;
}

interface Shape {
  title: boolean;
  width: number;
  device: boolean;
  /** the bin's start only, not its range */
  shortWhen: boolean;
}

// shed detail until it fits: the device, long names, the bin's end, then the title
const SHAPES: Shape[] = [
  { title: true, width: 64, device: true, shortWhen: false },
  { title: true, width: 64, device: false, shortWhen: false },
  { title: true, width: 28, device: false, shortWhen: false },
  { title: true, width: 28, device: false, shortWhen: true },
  { title: false, width: 28, device: false, shortWhen: false },
  { title: false, width: 28, device: false, shortWhen: true },
  { title: false, width: 16, device: false, shortWhen: true },
];

export function compose(f: AlertFacts, max: number, withTitle: boolean, tail = ''): string {
  const how = regularityText(f);
  let text = '';
  for (const shape of SHAPES) {
    const at = shape.shortWhen && f.start ? `in bin ${shortTime(f.start)}Z` : when(f);
    text = `${withTitle && shape.title && f.title ? `${f.title}: ` : ''}${classWord(f)} ${who(f, shape.width, shape.device)} ${how}${at ? ` ${at}` : ''}${tail}`;
    if (text.length <= max) return text;
  }
  return cut(text.slice(0, text.length - tail.length), max - tail.length) + tail;
}

/** One line (≤ 120 characters) for an e-mail subject, a chat message, the console and the sidebar. */
export function alertSubject(row: AlertRow, context: AlertContext = {}): string {
  return subjectOf(alertFacts(row, context));
}

/** alertSubject of facts already read off the row (a caller that needs them for more than the line reads them once). */
export function subjectOf(f: AlertFacts): string {
  return compose(f, SUBJECT_MAX, true);
}

/** One line for a message of several alerts: the first alert and how many more, ≤ 120 characters. */
export function batchSubject(rows: AlertRow[], context: AlertContext = {}): string {
  if (rows.length === 0) return context.title ? cut(`${context.title}: no alerts`, SUBJECT_MAX) : 'no alerts';
  const tail = rows.length > 1 ? ` (+${rows.length - 1} more)` : '';
  return compose(alertFacts(rows[0], context), SUBJECT_MAX, true, tail);
}

const METHOD_WORDS: Record<string, string> = {
  kql: 'the Sentinel rule: the share of the single most frequent interval',
  window: 'the share of intervals in the densest band around the typical interval',
  periodic: 'the interval periodicity test: intervals piling up in one band, which random timing does not do',
  stats: 'the RITA-style score from interval and size dispersion, hourly regularity and duration',
  strobe: 'the connection rate (a strobe: too frequent to be anything but automated)',
};

/** The p-value as a number people can read ("< 1e-300", "3.3e-12", "0.0004") and in words. */
export function pValueText(p: number): string {
  const figure = !(p > 0) || p < 1e-300 ? '< 1e-300' : p < 0.001 ? p.toExponential(1) : String(Number(p.toPrecision(2)));
  return `p ${figure.startsWith('<') ? figure : `= ${figure}`}: the chance that random timing looks this regular is ${pValueWords(p)}`;
}

/** The lines of the body above the row. */
export function bodyLines(f: AlertFacts): Array<[string, string]> {
  const lines: Array<[string, string]> = [];
  const what =
    f.state === 'suppressed'
      ? `a ${f.kind} the alert gate held back: ${f.suppressed}`
      : f.state === 'below'
        ? `a ${f.kind} candidate below threshold (failed: ${f.failed.join(', ')})`
        : f.kind === 'strobe'
          ? 'a strobe: one host connecting to one destination at an extreme rate'
          : 'a beacon: one host connecting to one destination at regular intervals, as implants call home';
  lines.push(['What', what]);
  const whoParts = [`${f.source ?? '?'} → ${f.destination ?? '?'}${f.destinationIsNetwork ? ' (network)' : ''}${f.port ? `, port ${f.port}` : ''}`];
  if (f.user) whoParts.push(`user ${f.user}`);
  if (f.device) whoParts.push(`device ${f.device}`);
  for (const [k, v] of f.others) whoParts.push(`${k} ${v}`);
  lines.push(['Who', whoParts.join('; ')]);
  lines.push(['How regular', regularityText(f, true)]);
  const whenParts: string[] = [];
  if (f.start) whenParts.push(f.end ? `${f.start} to ${f.end}` : `bin starting ${f.start}`);
  if (f.since) whenParts.push(`alerting since ${f.since}${f.patternHours !== null ? ` (${fmtNumber(f.patternHours)} h)` : ''}`);
  if (f.final === false) whenParts.push(`early verdict as of ${f.asOf ?? '?'}: certain before the bin closed`);
  if (f.connectionsPerHour !== null) whenParts.push(`${fmtNumber(f.connectionsPerHour)} connections/h`);
  lines.push(['Since when', whenParts.join('; ') || 'not stated']);
  const method = f.regularity.method;
  const why = [`method: ${METHOD_WORDS[method]}`];
  if (f.thresholds.length) why.push(`thresholds: ${f.thresholds.join(', ')}`);
  lines.push(['Why', why.join('; ')]);
  if (f.regularity.method === 'periodic' && f.regularity.pValue !== null) lines.push(['Chance', pValueText(f.regularity.pValue)]);
  if (f.suppressed) lines.push(['Suppressed', f.suppressed]);
  if (f.alertId) lines.push(['Alert id', f.alertId]);
  return lines;
}

/** The row as JSON, one column per line (a histogram stays on its line): valid JSON people can scan. */
export function rowJson(row: AlertRow): string {
  const keys = Object.keys(row);
  if (keys.length === 0) return '{}';
  return `{\n${keys.map((k) => `  ${JSON.stringify(k)}: ${JSON.stringify(row[k]) ?? 'null'}`).join(',\n')}\n}`;
}

/** The plain-text body: the subject, what / who / how regular / since when / why, then the row. */
export function alertBody(row: AlertRow, context: AlertContext = {}): string {
  const f = alertFacts(row, context);
  const lines = bodyLines(f);
  const width = Math.max(...lines.map(([k]) => k.length)) + 1;
  return [compose(f, SUBJECT_MAX, true), '', ...lines.map(([k, v]) => `${(k + ':').padEnd(width)} ${v}`), '', 'Row:', rowJson(row)].join('\n');
}

/** Subject and body at once. */
export function alertText(row: AlertRow, context: AlertContext = {}): { subject: string; body: string } {
  return { subject: alertSubject(row, context), body: alertBody(row, context) };
}
