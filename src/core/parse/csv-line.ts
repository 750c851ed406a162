/**
 * The fields of one CSV line, read the way csv-parse reads it with
 * relax_quotes (a quote inside an unquoted field is kept as written). A line
 * without a quote is a plain split on commas; a quoted field is read up to
 * its closing quote, "" inside it standing for one quote. Lines this reader
 * does not vouch for (an empty line, a line break, an unclosed quote, text after a closing
 * quote) get null, and the caller hands them to csv-parse, which decides.
 */

import { printable, trimmed } from './text';

const QUOTE = 34;
const COMMA = 44;

/**
 * The end of the quoted field opening at `open`: its closing quote (the
 * first one not doubled), which must end the field; -1 when there is none or
 * text follows it before the next comma.
 */
function quotedEnd(line: string, open: number): number {
  let close = line.indexOf('"', open + 1);
  while (close >= 0 && line.charCodeAt(close + 1) === QUOTE) close = line.indexOf('"', close + 2);
  return close >= 0 && close + 1 < line.length && line.charCodeAt(close + 1) !== COMMA ? -1 : close;
}

export function csvLine(line: string): string[] | null {
  if (line === '' || line.includes('\n') || line.includes('\r')) return null;
  let quote = line.indexOf('"');
  if (quote < 0) return line.split(',');
  const fields: string[] = [];
  let start = 0;
  for (;;) {
    if (line.charCodeAt(start) === QUOTE) {
      const close = quotedEnd(line, start);
      if (close < 0) return null;
      const after = close + 1;
      const text = line.slice(start + 1, close);
      // a quote inside is one of a doubled pair
      fields.push(text.includes('"') ? text.replaceAll('""', '"') : text);
      if (after >= line.length) return fields;
      start = after + 1;
      quote = line.indexOf('"', start);
    } else {
      const comma = line.indexOf(',', start);
      if (comma < 0) {
        fields.push(line.slice(start));
        return fields;
      }
      fields.push(line.slice(start, comma));
      start = comma + 1;
      // no quote left: the rest is a plain split
      if (quote >= 0 && quote < start) quote = line.indexOf('"', start);
      if (quote < 0) {
        for (const field of line.slice(start).split(',')) fields.push(field);
        return fields;
      }
    }
  }
}

/** The fields of a CSV line by position, as an array or the reader below gives them. */
export interface CsvFields {
  readonly length: number;
  at(index: number): string | undefined;
}

/** Field `index` without surrounding white space, '' when absent: (f.at(index) ?? '').trim(). */
export function trimmedField(f: CsvFields, index: number): string {
  if (f instanceof CsvFieldReader) return f.trimmedAt(index);
  const v = f.at(index);
  return v === undefined ? '' : trimmed(v);
}

/** Fields read one by one before the rest of a line without quotes is left unread: more than any PAN-OS reading uses. */
const READ_AHEAD = 64;

/**
 * The fields of one CSV line exactly as csvLine splits it, read where they
 * lie: one pass notes where each field starts and ends, and a field becomes
 * a string only when asked for. A PAN-OS THREAT line has a hundred fields of
 * which a record takes about twenty; making all of them (and the array) was
 * a third of its parse. Past the first READ_AHEAD fields, a rest without a
 * quote is plain fields whatever it holds, and is only counted if the count
 * is asked for. Reused line after line: `read` replaces the last line.
 */
export class CsvFieldReader implements CsvFields {
  private line = '';
  /** fields noted so far */
  private count = 0;
  /** where the unread rest starts (plain fields, no quote), or -1 when the whole line is read */
  private rest = -1;
  private starts = new Int32Array(128);
  /** where each field ends, negated for a quoted field holding doubled quotes */
  private ends = new Int32Array(128);

  /** Reads a line; false where csvLine gives null (the caller hands the line to csv-parse). */
  read(line: string): boolean {
    this.count = 0;
    this.rest = -1;
    this.line = line;
    if (line === '' || line.includes('\n') || line.includes('\r')) return false;
    const n = line.length;
    let starts = this.starts;
    let ends = this.ends;
    let count = 0;
    let start = 0;
    // the next quote at or after start (a quote inside an unquoted field is text, as in csvLine)
    let quote = line.indexOf('"');
    for (;;) {
      if (count === starts.length) {
        this.grow();
        starts = this.starts;
        ends = this.ends;
      }
      if (start === quote) {
        const close = quotedEnd(line, start);
        if (close < 0) return false;
        const after = close + 1;
        starts[count] = start + 1;
        // a quote inside (the first after the opening one is not the closing one) is one of a doubled pair
        ends[count++] = line.indexOf('"', start + 1) === close ? close : -close;
        if (after >= n) break;
        start = after + 1;
        quote = line.indexOf('"', start);
      } else {
        if (quote < 0 && count >= READ_AHEAD) {
          this.rest = start;
          break;
        }
        // an empty field is common and spares indexOf's call
        const comma = line.charCodeAt(start) === COMMA ? start : line.indexOf(',', start);
        const end = comma < 0 ? n : comma;
        starts[count] = start;
        ends[count++] = end;
        if (comma < 0) break;
        start = end + 1;
        if (quote >= 0 && quote < start) quote = line.indexOf('"', start);
      }
    }
    this.count = count;
    return true;
  }

  /** The number of fields (counting the unread rest, when there is one). */
  get length(): number {
    if (this.rest < 0) return this.count;
    let fields = this.count + 1;
    for (let comma = this.line.indexOf(',', this.rest); comma >= 0; comma = this.line.indexOf(',', comma + 1)) fields++;
    return fields;
  }

  /** Whether there are at least `min` and at most `max` fields, without counting an unread rest that cannot go beyond `max`. */
  lengthWithin(min: number, max: number): boolean {
    if (this.rest >= 0 && this.count >= min && this.count + 1 + this.line.length - this.rest <= max) return true;
    const length = this.length;
    return length >= min && length <= max;
  }

  at(index: number): string | undefined {
    if (!(index >= 0 && index < this.count)) return this.rest >= 0 && index >= this.count ? this.restField(index) : undefined;
    const end = this.ends[index];
    return end >= 0 ? this.line.slice(this.starts[index], end) : this.line.slice(this.starts[index], -end).replaceAll('""', '"');
  }

  /** trimmedField(this, index): an empty field or one that starts and ends printable is told from the line, before any slice. */
  trimmedAt(index: number): string {
    if (index >= 0 && index < this.count) {
      const start = this.starts[index];
      const end = this.ends[index];
      if (end === start) return '';
      const line = this.line;
      if (end > start && printable(line.charCodeAt(start)) && printable(line.charCodeAt(end - 1))) return line.slice(start, end);
    }
    const v = this.at(index);
    return v === undefined ? '' : trimmed(v);
  }

  /** A field of the unread rest (found by counting commas). */
  private restField(index: number): string | undefined {
    let start = this.rest;
    for (let i = this.count; i < index; i++) {
      const comma = this.line.indexOf(',', start);
      if (comma < 0) return undefined;
      start = comma + 1;
    }
    const comma = this.line.indexOf(',', start);
    return this.line.slice(start, comma < 0 ? this.line.length : comma);
  }

  private grow(): void {
    const starts = new Int32Array(this.starts.length * 2);
    const ends = new Int32Array(this.ends.length * 2);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }
}
