/**
 * The e-mail HTML body: the same facts as the text body, and the interval
 * histogram drawn as table bars. Mail clients drop scripts, most drop SVG and
 * external images, and many ignore CSS classes: tables, inline styles and
 * bgcolor are what renders everywhere. Every string from a log is escaped.
 */
import { densestBand } from '../common/jitter-band';
import { AlertContext, alertFacts, AlertFacts, AlertRow, fmtNumber, histogramPairs } from './facts';
import { bodyLines, compose, rowJson, SUBJECT_MAX } from './text';

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Bars shown at most: the largest counts, drawn in interval order. */
const MAX_BARS = 40;
const BAR_WIDTH = 260;

/** Which intervals belong to the pattern the method found (drawn red): the band, or the single most frequent interval. */
function inPattern(f: AlertFacts, row: AlertRow): (d: number) => boolean {
  const r = f.regularity;
  if (r.method === 'periodic' && r.band) return (d) => d >= r.band![0] && d < r.band![1];
  if (r.method === 'window' && r.every !== null) {
    // the densest band the window method counted (not ± around its median, which can sit a bin off)
    const p = typeof row.BandPercent === 'number' ? row.BandPercent : 0;
    const sec = typeof row.BandSeconds === 'number' ? row.BandSeconds : 0;
    const band = densestBand(histogramPairs(row), sec, p);
    return band ? (d) => d >= band.lo && d <= band.hi : () => false;
  }
  if (r.method === 'kql' || r.method === 'stats') return (d) => d === r.every;
  return () => false;
}

/** The histogram as a table of horizontal bars: interval, bar, count. */
export function histogramTable(row: AlertRow, f: AlertFacts = alertFacts(row)): string {
  const all = histogramPairs(row);
  if (all.length === 0) return '<p style="color:#777;margin:4px 0">No interval histogram in this row.</p>';
  const shown = [...all]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, MAX_BARS)
    .sort((a, b) => a[0] - b[0]);
  const max = Math.max(...shown.map(([, c]) => c));
  const hit = inPattern(f, row);
  const rows = shown.map(([d, c]) => {
    const width = Math.max(1, Math.round((c / max) * BAR_WIDTH));
    const color = hit(d) ? '#c0392b' : '#7f9cbf';
    return (
      `<tr><td align="right" style="padding:1px 6px;font-family:monospace;white-space:nowrap">${escapeHtml(fmtNumber(d))} s</td>` +
      `<td style="padding:1px 0"><table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>` +
      `<td width="${width}" height="12" bgcolor="${color}" style="width:${width}px;height:12px;background:${color};font-size:1px;line-height:1px">&nbsp;</td>` +
      `</tr></table></td><td style="padding:1px 6px;font-family:monospace">${c}</td></tr>`
    );
  });
  const note = all.length > shown.length ? `<p style="color:#777;margin:4px 0">The ${shown.length} most frequent of ${all.length} intervals.</p>` : '';
  return (
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;font-size:12px">` +
    `<tr><th align="right" style="padding:1px 6px;color:#555">interval</th><th align="left" style="color:#555">connections that waited this long (red: the pattern)</th><th align="left" style="padding:1px 6px;color:#555">count</th></tr>` +
    rows.join('') +
    `</table>${note}`
  );
}

function section(row: AlertRow, context: AlertContext): string {
  const f = alertFacts(row, context);
  const color = f.state === 'alert' ? '#c0392b' : f.state === 'suppressed' ? '#7f8c8d' : '#d68910';
  const facts = bodyLines(f)
    .map(
      ([k, v]) =>
        `<tr><th align="left" valign="top" style="padding:3px 10px 3px 0;white-space:nowrap;color:#555">${escapeHtml(k)}</th><td style="padding:3px 0">${escapeHtml(v)}</td></tr>`,
    )
    .join('');
  return (
    `<div style="border-left:4px solid ${color};padding:4px 0 4px 12px;margin:0 0 20px">` +
    `<h2 style="font-size:16px;margin:0 0 8px">${escapeHtml(compose(f, SUBJECT_MAX, false))}</h2>` +
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;font-size:14px">${facts}</table>` +
    `<h3 style="font-size:14px;margin:12px 0 4px">Intervals between connections</h3>` +
    histogramTable(row, f) +
    `<h3 style="font-size:14px;margin:12px 0 4px">Row</h3>` +
    `<pre style="font-size:11px;background:#f4f4f4;padding:8px;white-space:pre-wrap;word-break:break-all;margin:0">${escapeHtml(rowJson(row))}</pre>` +
    `</div>`
  );
}

/** Rows drawn in full in one e-mail; the rest are listed by their subject line. */
const MAX_SECTIONS = 20;

/** A whole HTML document for an e-mail about one or more alert rows. */
export function alertHtml(rows: AlertRow[], subject: string, context: AlertContext = {}): string {
  const full = rows.slice(0, MAX_SECTIONS).map((r) => section(r, context));
  const rest = rows.slice(MAX_SECTIONS).map((r) => `<li>${escapeHtml(compose(alertFacts(r, context), SUBJECT_MAX, false))}</li>`);
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>` +
    `<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;color:#222;background:#ffffff">` +
    `<h1 style="font-size:18px;margin:0 0 16px">${escapeHtml(subject)}</h1>` +
    full.join('') +
    (rest.length ? `<p>And ${rest.length} more:</p><ul>${rest.join('')}</ul>` : '') +
    `<p style="color:#777;font-size:12px">Sent by the beacon detection flow (node-red-beaconing). Times are event times, UTC.</p>` +
    `</body></html>`
  );
}
