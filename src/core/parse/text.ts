/**
 * Reading numbers and month names at fixed positions of a line, without
 * regular expressions or substrings: the fast paths of the parsers use
 * these for the layouts they see almost always, and leave anything else to
 * the general (regular expression) reading.
 */

/** English month abbreviations, as syslog and CEF write them. */
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The value of text[start, end) when it is 1 to 15 ASCII digits and nothing else (then exactly what Number() gives), or -1. */
export function plainDigits(text: string, start = 0, end = text.length): number {
  if (end <= start || end - start > 15) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Whether a character code is printable ASCII other than a space: nothing trim() removes. */
export function printable(code: number): boolean {
  return code > 32 && code < 127;
}

/** text.trim(), without trim's call for a text that starts and ends printable (the usual field). */
export function trimmed(text: string): string {
  return printable(text.charCodeAt(0)) && printable(text.charCodeAt(text.length - 1)) ? text : text.trim();
}

/**
 * text.toLowerCase() when text holds an ASCII capital, else text as it is
 * (other capitals, such as É, left alone). Asks toLowerCase first: one
 * native call that gives back an equal text for the usual lower-case name,
 * where a loop over its characters cost several times more.
 */
export function lowerIfAsciiCapital(text: string): string {
  const lower = text.toLowerCase();
  if (lower === text) return text;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) return lower;
  }
  return text;
}

/** The month (0-11) whose abbreviation stands at text[start, start + 3), or -1. */
export function monthAt(text: string, start: number): number {
  const c0 = text.charCodeAt(start);
  const c1 = text.charCodeAt(start + 1);
  const c2 = text.charCodeAt(start + 2);
  for (let m = 0; m < 12; m++) {
    const name = MONTHS[m];
    if (name.charCodeAt(0) === c0 && name.charCodeAt(1) === c1 && name.charCodeAt(2) === c2) return m;
  }
  return -1;
}

/** Whether text[start, end) is printable ASCII without spaces (what `\S+` matches there, and more narrowly). */
export function isToken(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c >= 127) return false;
  }
  return true;
}

/**
 * Whether text has `prefix` at `at` (startsWith's answer), compared code by
 * code: V8's startsWith with a position cost more than the loop on the
 * short prefixes of the hot paths.
 */
export function startsAt(text: string, prefix: string, at: number): boolean {
  const n = prefix.length;
  if (at < 0 || at + n > text.length) return false;
  for (let i = 0; i < n; i++) if (text.charCodeAt(at + i) !== prefix.charCodeAt(i)) return false;
  return true;
}

/** Whether text has the character code `code` at positions a, b and c (b and c default to a; no rest array in hot paths). */
export function hasAt(text: string, code: number, a: number, b = a, c = a): boolean {
  return text.charCodeAt(a) === code && text.charCodeAt(b) === code && text.charCodeAt(c) === code;
}
