/**
 * Device timestamps in the formats firewalls and Zeek write, to epoch ms
 * (or exact ISO text), with no reading of the wall clock.
 *
 * Each reader tries the one layout it sees almost always at fixed positions
 * (no regular expression, no substrings) and otherwise reads the text with
 * the general pattern; both give the same result wherever the fast one
 * answers (test/parse/fast_path_spec.js holds them against each other).
 */
import { hasAt, MONTHS, monthAt, plainDigits } from './text';

export { MONTHS };

const COLON = 58;
const SPACE = 32;

/** "00" … "59" */
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
/** the last day formatted, "YYYY-MM-DDT": records of a stream mostly share their day */
let isoDay = NaN;
let isoDayPrefix = '';

/** "YYYY-MM-DDTHH:MM:SS" of whole epoch seconds, as Date#toISOString writes it. */
function isoSeconds(whole: number): string {
  // years 1970 to 9999 by arithmetic on the cached day; the rest (and NaN, which throws) through Date
  if (!(whole >= 0 && whole < 253402300800)) return new Date(whole * 1000).toISOString().slice(0, 19);
  const day = Math.floor(whole / 86400);
  if (day !== isoDay) {
    isoDay = day;
    isoDayPrefix = new Date(day * 86400000).toISOString().slice(0, 11);
  }
  const s = whole - day * 86400;
  return `${isoDayPrefix}${TWO_DIGITS[(s / 3600) | 0]}:${TWO_DIGITS[((s % 3600) / 60) | 0]}:${TWO_DIGITS[s % 60]}`;
}

/** the last two times isoFromMs wrote (a line's syslog and device times, which repeat from line to line) */
const isoMemo = { ms: [NaN, NaN], iso: ['', ''], next: 0 };

/** ISO 8601 UTC with 7 fractional digits from epoch ms. */
export function isoFromMs(ms: number): string {
  const memo = isoMemo;
  if (ms === memo.ms[0]) return memo.iso[0];
  if (ms === memo.ms[1]) return memo.iso[1];
  const whole = Math.floor(ms / 1000);
  const frac = Math.round((ms - whole * 1000) * 10000);
  const iso = `${isoSeconds(whole)}.${frac === 0 ? '0000000' : String(frac).padStart(7, '0')}Z`;
  memo.ms[memo.next] = ms;
  memo.iso[memo.next] = iso;
  memo.next ^= 1;
  return iso;
}

/** Zeek's epoch seconds ("1517336047.123456") to ISO with 7 digits, exactly (no float rounding). */
export function isoFromEpochSecondsText(text: string): string | null {
  // fast: up to 11 digits, a point, 1 to 9 digits (years up to 5138: Date's range)
  const point = text.indexOf('.');
  if (point > 0 && point <= 11 && text.length - point - 1 >= 1 && text.length - point - 1 <= 9) {
    const secs = plainDigits(text, 0, point);
    if (secs >= 0 && plainDigits(text, point + 1) >= 0) return `${isoSeconds(secs)}.${(text.slice(point + 1) + '0000000').slice(0, 7)}Z`;
  } else if (point < 0 && text.length <= 12) {
    // whole seconds, as JSON numbers such as 1715126400.000000 come back from String()
    const secs = plainDigits(text);
    if (secs >= 0) return `${isoSeconds(secs)}.0000000Z`;
  }
  const m = /^(-?\d{1,12})(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!m) return null;
  const secs = Number(m[1]);
  const date = new Date(secs * 1000);
  if (Number.isNaN(date.getTime())) return null;
  return `${date.toISOString().slice(0, 19)}.${((m[2] ?? '') + '0000000').slice(0, 7)}Z`;
}

/** the last whole second written, "YYYY-MM-DDTHH:MM:SS.": a Zeek log has many lines a second */
let prefixSeconds = NaN;
let prefixText = '';

/** isoSeconds(whole) and the point after it. */
function secondsPrefix(whole: number): string {
  if (whole !== prefixSeconds) {
    prefixText = `${isoSeconds(whole)}.`;
    prefixSeconds = whole;
  }
  return prefixText;
}

/** "000" … "999", and the same followed by the seventh digit and the zone: an ISO fraction from two lookups */
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const THREE_DIGITS_END = THREE_DIGITS.map((d) => `${d}0Z`);

/** 2^32: below it a double's spacing is at most 2^-21, under half of a microsecond */
const MICROSECOND_EXACT = 4294967296;

/** An event time as text and as epoch ms. */
export interface EpochTime {
  iso: string;
  ms: number;
}

/**
 * The time of a number of epoch seconds (a Zeek JSON line's ts): into `out`,
 * the ISO text and ms that isoFromEpochSecondsText and epochMsOfSecondsText
 * give for String(value), without writing the double as text (a tenth to a
 * fifth of a Zeek JSON line's parse) nor reading that text again. It answers
 * when the value is below 2^32 and a decimal with at most 6 fractional digits
 * reads as it: decimals that far apart (10^-6) cannot both lie within half
 * the double's spacing (at most 2^-22) of it, so that decimal is the
 * shortest that reads as the value, which is what String writes (without
 * trailing zeros, which change neither reading). False otherwise (sub-
 * microsecond digits, values below 1 or too large): the caller reads
 * String(value) instead.
 */
export function epochTimeOfSeconds(value: number, out: EpochTime): boolean {
  if (!(value >= 1 && value < MICROSECOND_EXACT)) return false;
  const secs = Math.floor(value);
  // exact: value and its whole part are within a factor of two
  const micro = Math.round((value - secs) * 1e6);
  // both exact integers below 2^53: the division rounds once, as Number() of the decimal does
  if (micro >= 1e6 || (secs * 1e6 + micro) / 1e6 !== value) return false;
  const ms = Math.floor(micro / 1000);
  out.iso = secondsPrefix(secs) + THREE_DIGITS[ms] + THREE_DIGITS_END[micro - ms * 1000];
  out.ms = secs * 1000 + ms;
  return true;
}

/**
 * Epoch ms of Zeek's epoch seconds text, as Date.parse reads the ISO text
 * isoFromEpochSecondsText makes of it (fraction truncated to ms); NaN where
 * that text is not the plain "digits[.digits]" layout, for Date.parse to read.
 */
export function epochMsOfSecondsText(text: string): number {
  const point = text.indexOf('.');
  const end = point < 0 ? text.length : point;
  if (end < 1 || end > 11) return NaN;
  const secs = plainDigits(text, 0, end);
  if (secs < 0) return NaN;
  if (point < 0) return secs * 1000;
  const fraction = text.length - point - 1;
  if (fraction < 1 || fraction > 9 || plainDigits(text, point + 1) < 0) return NaN;
  const ms = plainDigits(text, point + 1, point + 1 + Math.min(3, fraction));
  return secs * 1000 + (fraction === 1 ? ms * 100 : fraction === 2 ? ms * 10 : ms);
}

/** Date.UTC of "YYYY?MM?DD?HH:MM:SS" at text[at, at + 19) (separators checked by the caller), or NaN. */
function utcAt(text: string, at: number): number {
  const y = plainDigits(text, at, at + 4);
  const mo = plainDigits(text, at + 5, at + 7);
  const d = plainDigits(text, at + 8, at + 10);
  const h = plainDigits(text, at + 11, at + 13);
  const mi = plainDigits(text, at + 14, at + 16);
  const s = plainDigits(text, at + 17, at + 19);
  if ((y | mo | d | h | mi | s) < 0) return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/**
 * CEF time values (`rt`, `start`, `end`): epoch milliseconds, or
 * "MMM dd[ yyyy] HH:mm:ss[.SSS][ zone]" where zone is GMT, UTC, Z or ±hh[:]mm.
 * A value without a zone is read at `offsetMinutes`; without a year, the year
 * nearest `referenceMs` (when given).
 */
export function cefTimeToMs(text: string, offsetMinutes: number, referenceMs: number | null): number | null {
  // rt and start usually carry the same text: read it once
  if (text === cefMemo.text && offsetMinutes === cefMemo.offset && (!cefMemo.usedReference || referenceMs === cefMemo.reference)) return cefMemo.result;
  const fast = cefTimeFast(text, offsetMinutes);
  let result: number | null = fast;
  let usedReference = false;
  if (Number.isNaN(fast)) {
    result = null;
    const t = text.trim();
    if (/^\d{10,14}$/.test(t)) {
      result = Number(t);
    } else {
      const m = /^([A-Z][a-z]{2}) (\d{1,2})(?: (\d{4}))? (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?: (GMT|UTC|Z|[+-]\d{2}:?\d{2}))?$/.exec(t);
      const month = m ? MONTHS.indexOf(m[1]) : -1;
      if (m && month >= 0) {
        const offset = m[8] === undefined ? offsetMinutes : zoneMinutes(m[8]);
        const [day, h, mi, sec, ms] = [m[2], m[4], m[5], m[6], (m[7] ?? '0').padEnd(3, '0')].map(Number);
        // without a year, the one nearest the reference (none without a reference)
        usedReference = !m[3];
        if (m[3]) result = Date.UTC(Number(m[3]), month, day, h, mi, sec, ms) - offset * 60000;
        else if (referenceMs !== null) result = nearestYear(referenceMs, month, day, h, mi, sec, ms, offset);
      }
    }
  }
  cefMemo = { text, offset: offsetMinutes, reference: referenceMs, usedReference, result };
  return result;
}
let cefMemo: { text: string | null; offset: number; reference: number | null; usedReference: boolean; result: number | null } = {
  text: null,
  offset: 0,
  reference: null,
  usedReference: false,
  result: null,
};

/** "MMM dd yyyy HH:mm:ss" with no zone or " GMT", " UTC", " Z" (what PAN-OS writes); NaN for anything else. */
function cefTimeFast(text: string, offsetMinutes: number): number {
  const n = text.length;
  let offset: number;
  if (n === 20) offset = offsetMinutes;
  else if ((n === 24 && (text.endsWith(' GMT') || text.endsWith(' UTC'))) || (n === 22 && text.endsWith(' Z'))) offset = 0;
  else return NaN;
  const month = monthAt(text, 0);
  if (month < 0 || !hasAt(text, SPACE, 3, 6, 11) || !hasAt(text, COLON, 14, 17)) return NaN;
  const d = plainDigits(text, 4, 6);
  const y = plainDigits(text, 7, 11);
  const h = plainDigits(text, 12, 14);
  const mi = plainDigits(text, 15, 17);
  const s = plainDigits(text, 18, 20);
  if ((d | y | h | mi | s) < 0) return NaN;
  return Date.UTC(y, month, d, h, mi, s) - offset * 60000;
}

const HALF_YEAR_MS = 180 * 86400000;
/** the year last asked for and the epoch ms it spans: the records of a stream mostly share their year */
let cachedYear = NaN;
let cachedYearStart = 0;
let cachedYearEnd = 0;

/** new Date(ms).getUTCFullYear(), without a Date for times in the year last asked for (years 1970 to 9999). */
function utcYear(ms: number): number {
  if (ms >= cachedYearStart && ms < cachedYearEnd) return cachedYear;
  const y = new Date(ms).getUTCFullYear();
  if (y >= 1970 && y <= 9999) {
    cachedYear = y;
    cachedYearStart = Date.UTC(y, 0, 1);
    cachedYearEnd = Date.UTC(y + 1, 0, 1);
  }
  return y;
}

/** the last time utcInYear read, by its day and its clock time: the lines of a stream share their header's second */
const inYear = { day: NaN, clock: NaN, offset: NaN, t: NaN };

/** Date.UTC(y, month, day, h, mi, s, ms) - offsetMinutes * 60000, from the last call's answer when it asked the same. */
function utcInYear(y: number, month: number, day: number, h: number, mi: number, s: number, ms: number, offsetMinutes: number): number {
  // unique keys for the integers the readers give (day, h, mi and s below 100, month below 12, ms below 1000)
  const dayKey = (y * 12 + month) * 100 + day;
  const clockKey = ((h * 100 + mi) * 100 + s) * 1000 + ms;
  const m = inYear;
  if (dayKey === m.day && clockKey === m.clock && offsetMinutes === m.offset) return m.t;
  Object.assign(m, { day: dayKey, clock: clockKey, offset: offsetMinutes, t: Date.UTC(y, month, day, h, mi, s, ms) - offsetMinutes * 60000 });
  return m.t;
}

/**
 * The time of that month, day and clock time in the year of the reference or
 * a year either side, whichever is nearest the reference (the earlier on a
 * tie; NaN for a reference outside Date's range).
 */
export function nearestYear(referenceMs: number, month: number, day: number, h: number, mi: number, s: number, ms: number, offsetMinutes: number): number {
  const y = utcYear(referenceMs);
  // within half a year of the reference in its own year: the years either side are over half a year away (365 days apart)
  const same = utcInYear(y, month, day, h, mi, s, ms, offsetMinutes);
  if (Math.abs(same - referenceMs) < HALF_YEAR_MS) return same;
  let best = NaN;
  for (let year = y - 1; year <= y + 1; year++) {
    const t = Date.UTC(year, month, day, h, mi, s, ms) - offsetMinutes * 60000;
    if (year === y - 1 || Math.abs(t - referenceMs) < Math.abs(best - referenceMs)) best = t;
  }
  return best;
}

/** the last PAN-OS time read: the lines of a second share it */
let panosMemo = { text: '', offset: NaN, ms: null as number | null };

/** PAN-OS CSV times "2018/11/30 16:09:07" (firewall-local time, read at `offsetMinutes`). */
export function panosTimeToMs(text: string, offsetMinutes: number): number | null {
  if (text === panosMemo.text && offsetMinutes === panosMemo.offset) return panosMemo.ms;
  const ms = panosTimeRead(text, offsetMinutes);
  panosMemo = { text, offset: offsetMinutes, ms };
  return ms;
}

function panosTimeRead(text: string, offsetMinutes: number): number | null {
  if (text.length === 19 && hasAt(text, 47, 4, 7) && hasAt(text, SPACE, 10) && hasAt(text, COLON, 13, 16)) {
    const ms = utcAt(text, 0);
    if (!Number.isNaN(ms)) return ms - offsetMinutes * 60000;
  }
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) - offsetMinutes * 60000;
  return Number.isNaN(ms) ? null : ms;
}

/** RFC 5424 timestamps (ISO 8601 with zone) to epoch ms. */
export function rfc5424TimeToMs(text: string): number | null {
  // fast: "YYYY-MM-DDTHH:MM:SSZ"
  if (text.length === 20 && text.charCodeAt(19) === 90 && hasAt(text, 45, 4, 7) && hasAt(text, 84, 10) && hasAt(text, COLON, 13, 16)) {
    const ms = utcAt(text, 0);
    if (!Number.isNaN(ms)) return ms;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) + Number('0.' + (m[7] ?? '0')) * 1000;
  return ms - zoneMinutes(m[8]) * 60000;
}

/** "+02:00", "-0430", "Z", "GMT" → minutes east of UTC. */
export function zoneMinutes(zone: string): number {
  if (zone === 'Z' || zone === 'GMT' || zone === 'UTC') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}
