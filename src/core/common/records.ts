/** A log record: one row of WireData, CommonSecurityLog, Zeek conn … */
export type LogRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is LogRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A record that cannot be used, with the field and value that made it so. */
export class RecordError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`${field} ${reason}: ${describeValue(value)}`);
    this.name = 'RecordError';
  }
}

/** A short, safe rendering of an untrusted value for logs and errors. */
export function describeValue(value: unknown, max = 80): string {
  let text: string;
  if (value === undefined) return 'missing';
  if (typeof value === 'string') text = JSON.stringify(value.length > max ? value.slice(0, max) + '…' : value);
  else if (typeof value === 'number' || typeof value === 'boolean' || value === null) text = String(value);
  else if (value instanceof Date) text = `Date(${value.getTime()})`;
  else {
    try {
      text = JSON.stringify(value) ?? typeof value;
    } catch {
      text = typeof value;
    }
  }
  return text.length > max + 2 ? text.slice(0, max) + '…' : text;
}

/**
 * The identity of a record under a list of fields (delta key, histogram
 * group). Missing and null values form one group of their own. Ordinary
 * strings are their own key part (no new string per record for a one-field
 * key); anything that could be confused with another part (numbers, other
 * types, strings starting with \u0001 or holding the \u0000 separator) is
 * written with a \u0001 type prefix.
 */
export function keyOf(record: LogRecord, fields: readonly string[]): string {
  if (fields.length === 1) return keyPart(record[fields[0]]);
  let key = keyPart(record[fields[0]]);
  for (let i = 1; i < fields.length; i++) key += '\u0000' + keyPart(record[fields[i]]);
  return key;
}

/** One value's part of a key (the identity keyOf gives it). */
export function keyPart(value: unknown): string {
  if (typeof value === 'string') {
    return (value.length === 0 || value.charCodeAt(0) > 1) && value.indexOf('\u0000') < 0 ? value : '\u0001s' + JSON.stringify(value);
  }
  if (value === undefined || value === null) return '\u0001';
  if (typeof value === 'number') return '\u0001n' + value;
  return '\u0001j' + describeValue(value, 200);
}

/**
 * Order of tie-breaking values (KQL `sort … asc`, nulls first): missing or
 * null first, then numbers by value, then strings by code unit (ordinal)
 * order; anything else after them, by its text.
 */
export function compareTieValue(a: unknown, b: unknown): number {
  const ra = tieRank(a),
    rb = tieRank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1) return (a as number) - (b as number);
  const sa = ra === 2 ? (a as string) : describeValue(a, 200);
  const sb = rb === 2 ? (b as string) : describeValue(b, 200);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function tieRank(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return Number.isNaN(v) ? 0 : 1;
  if (typeof v === 'string') return 2;
  return 3;
}

/** Numbers and numeric strings as numbers; anything else counts as missing (KQL null). */
export function numericValue(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** Splits a field list typed by a user: "LocalIP, RemoteIP". */
export function fieldList(text: unknown): string[] {
  if (Array.isArray(text))
    return text
      .map(String)
      .map((s) => s.trim())
      .filter(Boolean);
  return String(text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
