/**
 * Event time as KQL sees it: a datetime in 100-ns ticks, always UTC.
 * Held as whole epoch seconds plus ticks within that second, because
 * epoch ticks (~1.7e16) do not fit exactly in a double.
 */
export interface EventTime {
  /** floor(epoch seconds); negative before 1970 */
  sec: number;
  /** 100-ns ticks within the second, 0 … 9,999,999 */
  ticks: number;
}

const TICKS_PER_SECOND = 10_000_000;
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
/** ±100,000,000 days, the range of a JavaScript Date. */
export const MAX_ABS_SECONDS = 8.64e12;

/**
 * Reads an event time: an ISO 8601 string (up to 7 fractional digits are
 * significant; a missing zone means UTC, as in KQL), epoch milliseconds
 * (number), or a Date. Returns null for anything else.
 */
export function parseEventTime(value: unknown): EventTime | null {
  const time = { sec: 0, ticks: 0 };
  return readEventTime(value, time) ? time : null;
}

/**
 * parseEventTime without an allocation: writes the time into `into` and
 * returns true, or returns false (leaving `into` undefined) when the value
 * is not a time. The hot paths parse every record's time with it.
 */
export function readEventTime(value: unknown, into: EventTime): boolean {
  if (typeof value === 'string') {
    if (value.length >= 20 && value.length <= 30) {
      const fast = readIsoUtcFast(value, into);
      if (fast !== undefined) return fast;
    }
    return copyInto(value.length > 40 ? null : parseIsoFull(value), into);
  }
  if (typeof value === 'number') return copyInto(fromEpochMillis(value), into);
  if (value instanceof Date) return copyInto(fromEpochMillis(value.getTime()), into);
  return false;
}

function copyInto(time: EventTime | null, into: EventTime): boolean {
  if (!time) return false;
  into.sec = time.sec;
  into.ticks = time.ticks;
  return true;
}

export function fromEpochMillis(ms: number): EventTime | null {
  if (!Number.isFinite(ms) || Math.abs(ms / 1000) > MAX_ABS_SECONDS) return null;
  const sec = Math.floor(ms / 1000);
  // ms may carry sub-millisecond digits; round to whole ticks
  let ticks = Math.round((ms - sec * 1000) * 10_000);
  if (ticks >= TICKS_PER_SECOND) return { sec: sec + 1, ticks: ticks - TICKS_PER_SECOND };
  if (ticks < 0) ticks = 0;
  return { sec, ticks };
}

/** Zeek writes epoch seconds with microseconds. */
export function fromEpochSeconds(s: number): EventTime | null {
  if (!Number.isFinite(s) || Math.abs(s) > MAX_ABS_SECONDS) return null;
  const sec = Math.floor(s);
  const ticks = Math.min(TICKS_PER_SECOND - 1, Math.round((s - sec) * TICKS_PER_SECOND));
  return { sec, ticks };
}

/** Epoch seconds of recent UTC dates ("YYYY-MM-DD"), so the common form skips Date and the regex. */
const dayCache = new Map<string, number>();
/** The day of the last time read: records come in runs of one day, so most skip even the cache. */
let lastDay = '';
let lastDayStart = 0;

/**
 * Fast path for the form logs use most, "YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z":
 * digits read by char code, the day's epoch from the last day or a small
 * cache. Anything else (offsets, spaces, no zone, odd values) returns
 * undefined and falls through to the full parser.
 */
function readIsoUtcFast(text: string, into: EventTime): boolean | undefined {
  const n = text.length;
  if (text.charCodeAt(n - 1) !== 90 /* Z */ || text.charCodeAt(10) !== 84 /* T */) return undefined;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const hour = digit(text, 11) * 10 + digit(text, 12);
  const minute = digit(text, 14) * 10 + digit(text, 15);
  const second = digit(text, 17) * 10 + digit(text, 18);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  let ticks = 0;
  if (n > 20) {
    if (text.charCodeAt(19) !== 46 /* . */ || n < 22) return undefined;
    let scale = 1_000_000;
    for (let i = 20; i < n - 1; i++) {
      const d = digit(text, i);
      if (d < 0) return undefined;
      if (scale >= 1) ticks += d * scale;
      scale /= 10;
    }
  } else if (text.charCodeAt(19) !== 90) {
    return undefined;
  }
  let dayStart: number | undefined;
  if (text.startsWith(lastDay) && lastDay !== '') {
    dayStart = lastDayStart;
  } else {
    const day = text.slice(0, 10);
    dayStart = dayCache.get(day);
    if (dayStart === undefined) {
      const full = parseIsoFull(`${day}T00:00:00Z`);
      if (!full) return false;
      if (dayCache.size > 4096) dayCache.clear();
      dayCache.set(day, (dayStart = full.sec));
    }
    lastDay = day;
    lastDayStart = dayStart;
  }
  into.sec = dayStart + hour * 3600 + minute * 60 + second;
  into.ticks = Math.floor(ticks);
  return true;
}

function digit(text: string, i: number): number {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -100;
}

function parseIsoFull(text: string): EventTime | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = +y,
    month = +mo,
    day = +d,
    hour = +h,
    minute = +mi,
    second = s ? +s : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetSeconds = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = +digits.slice(0, 2);
    const om = digits.length > 2 ? +digits.slice(2, 4) : 0;
    if (oh > 23 || om > 59) return null;
    offsetSeconds = sign * (oh * 3600 + om * 60);
  }
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const sec = date.getTime() / 1000 - offsetSeconds;
  const ticks = frac ? Number((frac + '000000').slice(0, 7)) : 0;
  return { sec, ticks };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Total order of event times at full precision. */
export function compareTime(a: EventTime, b: EventTime): number {
  return a.sec !== b.sec ? a.sec - b.sec : a.ticks - b.ticks;
}

/**
 * KQL `datetime_diff('second', later, earlier)`: counts second boundaries,
 * floor(later) − floor(earlier), so 00.900 → 10.100 is 10, not 9.2 or 9.
 */
export function datetimeDiffSeconds(later: EventTime, earlier: EventTime): number {
  return later.sec - earlier.sec;
}

/** KQL `bin(t, size)`: floor to a multiple of `size` seconds since the epoch (UTC). */
export function binStart(sec: number, binSeconds: number): number {
  return Math.floor(sec / binSeconds) * binSeconds;
}

/** ISO 8601 UTC text of whole epoch seconds, e.g. 2024-05-08T10:00:00Z. */
export function isoFromSeconds(sec: number): string {
  return new Date(sec * 1000).toISOString().replace('.000Z', 'Z');
}
