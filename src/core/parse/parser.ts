import { parse as parseCsv } from 'csv-parse/sync';
import { isRecord, LogRecord } from '../common/records';
import { cefRecord, DEFAULT_MAX_FIELDS } from './cef-record';
import { ByteDirection, panosCsvToCommonSecurityLog, ZeekField, zeekFieldsToWireData } from './mappings';
import { CsvFieldReader, CsvFields } from './csv-line';
import { isThreatLayout, panosThreatCsvToCommonSecurityLog } from './panos-threat';
import { SQUID_LINE, squidRecord } from './squid';
import { bsdTimeToEpochMs, parseSyslogFrame, SyslogHeader, trimLineEnd } from './syslog';
import { hasAt, plainDigits, printable, startsAt } from './text';
import { addZeekNames, ZeekLogKind, zeekJsonKind, zeekLogKind } from './zeek-names';
import {
  cefTimeToMs,
  EpochTime,
  epochMsOfSecondsText,
  epochTimeOfSeconds,
  isoFromEpochSecondsText,
  isoFromMs,
  panosTimeToMs,
  rfc5424TimeToMs,
} from './timestamps';

export type LogFormat = 'auto' | 'cef' | 'panos-csv' | 'zeek-tsv' | 'zeek-json' | 'json' | 'squid';
/** event: the device's event time; receipt: the device's receive time; syslog: the syslog header's time */
export type TimeSource = 'event' | 'receipt' | 'syslog';

export interface ParserOptions {
  format: LogFormat;
  timeSource: TimeSource;
  byteDirection: ByteDirection;
  /** minutes east of UTC for device times written without a zone (PAN-OS CSV, some CEF) */
  deviceOffsetMinutes: number;
  /** longer lines are rejected unparsed */
  maxLineLength: number;
  /** more fields in one record (CEF extensions, CSV or Zeek columns, JSON values) are rejected unparsed */
  maxFields: number;
  /** JSON nested deeper than this is rejected unparsed (deep values break whatever clones or prints them later) */
  maxJsonDepth: number;
}

export const DEFAULT_PARSER_OPTIONS: ParserOptions = {
  format: 'auto',
  timeSource: 'event',
  byteDirection: 'microsoft',
  deviceOffsetMinutes: 0,
  maxLineLength: 256 * 1024,
  maxFields: DEFAULT_MAX_FIELDS,
  maxJsonDepth: 32,
};

export type ParseResult =
  | { kind: 'record'; record: LogRecord; format: Exclude<LogFormat, 'auto'> }
  | { kind: 'header' }
  | { kind: 'skip' }
  | { kind: 'error'; reason: string };

/** the header lines Zeek writes; any other line starting with # is not a header */
const ZEEK_HEADER = /^#(?:separator|set_separator|empty_field|unset_field|path|open|close|fields|types)(?:[ \t]|$)/;

/**
 * Turns log lines into records with the column names the rules use:
 * CommonSecurityLog for CEF and PAN-OS CSV, WireData for Zeek conn.log.
 * Stateful only for what a stream carries: the Zeek `#fields` header. No
 * time carries from one line to the next: a time without a year (a BSD
 * header, a CEF `rt` such as "Dec 31 23:59:59") takes its year from another
 * time of the same line, so one forged line cannot date the lines after it.
 */
export class LogParser {
  private zeekFields: string[] | null = null;
  private zeekSeparator = '\t';
  private zeekColumn = new Map<string, number>();
  private zeekKind: ZeekLogKind = 'conn';
  private zeekSetSeparator = ',';
  /** the time of the last Zeek JSON line */
  private readonly jsonTime: EpochTime = { iso: '', ms: 0 };
  /** the fields of the last CSV line, read in place */
  private readonly csvFields = new CsvFieldReader();

  constructor(readonly options: ParserOptions) {}

  reset(): void {
    this.zeekFields = null;
    this.zeekSeparator = '\t';
    this.zeekColumn = new Map();
    this.zeekKind = 'conn';
    this.zeekSetSeparator = ',';
  }

  parseLine(rawLine: string): ParseResult {
    if (rawLine.length > this.options.maxLineLength) {
      return { kind: 'error', reason: `line longer than ${this.options.maxLineLength} characters` };
    }
    // a BOM, line ends, and an RFC 6587 octet count left in front of a frame
    let line = trimLineEnd(rawLine.charCodeAt(0) === 0xfeff ? rawLine.slice(1) : rawLine);
    const first = line.charCodeAt(0);
    if (first >= 48 && first <= 57) line = line.replace(/^\d{1,7} (?=<\d)/, '');
    if (blank(line)) return { kind: 'skip' };
    const { header, message } = parseSyslogFrame(line);
    const format = this.options.format === 'auto' ? this.detect(message) : this.options.format;
    if (!format) return { kind: 'error', reason: 'not a recognised log format (CEF, PAN-OS CSV, Zeek TSV/JSON, JSON)' };
    try {
      switch (format) {
        case 'cef':
          return this.fromCef(message, header);
        case 'panos-csv':
          return this.fromPanosCsv(message, header);
        case 'zeek-tsv':
          return this.fromZeekTsv(message, header);
        case 'zeek-json':
        case 'json':
          return this.fromJson(message, header, format);
        case 'squid':
          return this.fromSquid(message, header);
      }
    } catch (err) {
      return { kind: 'error', reason: (err as Error).message };
    }
  }

  private detect(message: string): Exclude<LogFormat, 'auto'> | null {
    const m = printable(message.charCodeAt(0)) ? message : message.trimStart();
    const first = m.charCodeAt(0);
    if (first === 35 /* # */) return ZEEK_HEADER.test(m) ? 'zeek-tsv' : null;
    // a JSON line is Zeek's when it names id.orig_h: fromJson asks the parsed object first, the text only when the object lacks the key
    if (first === 123 /* { */) return 'json';
    if (first === 67 /* C */ && startsAt(m, 'CEF:', 0)) return 'cef';
    if (panosCsvStart(m)) return 'panos-csv';
    if (SQUID_LINE.test(m)) return 'squid';
    if (this.zeekFields && m.includes(this.zeekSeparator)) return 'zeek-tsv';
    return null;
  }

  private fromCef(message: string, header: SyslogHeader | null): ParseResult {
    const cef = cefRecord(message, this.options.byteDirection, this.options.maxFields);
    if (typeof cef === 'string') return { kind: 'error', reason: cef };
    const o = this.options.deviceOffsetMinutes;
    // a yearless CEF time takes the year of an RFC 5424 header on the same line (never an earlier line's)
    const ref = header?.format === 'rfc5424' ? rfc5424TimeToMs(header.time) : null;
    const receipt = cef.rt ? cefTimeToMs(cef.rt, o, ref) : null;
    // an rt that does not read is an error, not a fallback to the header's time: that would let a
    // sender's garbage pass as some other time
    if (cef.rt && receipt === null) return { kind: 'error', reason: `CEF rt is not a time: ${JSON.stringify(cef.rt.slice(0, 40))}` };
    const start = cef.start ? cefTimeToMs(cef.start, o, ref) : null;
    // PAN-OS templates ship an unreadable start ("$cefformatted-time_generated"): rt stands in for it; without rt it is an error
    if (cef.start && start === null && receipt === null) {
      return { kind: 'error', reason: `CEF start is not a time: ${JSON.stringify(cef.start.slice(0, 40))}` };
    }
    const deviceTime = this.options.timeSource === 'receipt' ? receipt : (start ?? receipt);
    return this.finish(cef.record, 'cef', deviceTime, header);
  }

  private fromPanosCsv(message: string, header: SyslogHeader | null): ParseResult {
    const reader = this.csvFields;
    const read = reader.read(message);
    const fields: CsvFields | undefined = read
      ? reader
      : (parseCsv(message, { relax_quotes: true, relax_column_count: true, skip_empty_lines: true }) as string[][])[0];
    if (!(read && reader.lengthWithin(34, this.options.maxFields))) {
      if (!fields || fields.length < 34) return { kind: 'error', reason: `PAN-OS CSV has ${fields ? fields.length : 0} fields, TRAFFIC needs at least 34` };
      if (fields.length > this.options.maxFields)
        return { kind: 'error', reason: `PAN-OS CSV has ${fields.length} fields, more than the limit of ${this.options.maxFields}` };
    }
    const record = isThreatLayout(fields)
      ? panosThreatCsvToCommonSecurityLog(fields, header?.host ?? null)
      : panosCsvToCommonSecurityLog(fields, header?.host ?? null);
    const o = this.options.deviceOffsetMinutes;
    const deviceTime = panosTimeToMs((this.options.timeSource === 'receipt' ? fields.at(1) : fields.at(6)) as string, o);
    return this.finish(record, 'panos-csv', deviceTime, header);
  }

  private fromZeekTsv(message: string, header: SyslogHeader | null): ParseResult {
    if (message.startsWith('#')) {
      if (message.startsWith('#separator')) {
        const sep = message.slice('#separator'.length).trim();
        // some tools write the tab as \t rather than Zeek's \x09
        this.zeekSeparator = sep === '\\t' ? '\t' : sep.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) || '\t';
      } else if (message.startsWith('#fields')) {
        const names = message.split(this.zeekSeparator).slice(1);
        if (names.length > this.options.maxFields)
          return { kind: 'error', reason: `Zeek #fields names ${names.length} fields, more than the limit of ${this.options.maxFields}` };
        this.zeekFields = names;
        // where each field is (the last column of that name, as building an object from the row would keep)
        this.zeekColumn = new Map(this.zeekFields.map((name, i) => [name, i]));
        this.zeekKind = zeekLogKind((name) => this.zeekColumn.has(name));
      } else if (message.startsWith('#set_separator')) {
        this.zeekSetSeparator = message.slice('#set_separator'.length).trim() || ',';
      }
      return { kind: 'header' };
    }
    if (!this.zeekFields) return { kind: 'error', reason: 'Zeek TSV row before any #fields header' };
    const values = message.split(this.zeekSeparator);
    if (values.length !== this.zeekFields.length) {
      return { kind: 'error', reason: `Zeek row has ${values.length} fields, the #fields header ${this.zeekFields.length}` };
    }
    const column = this.zeekColumn;
    return this.fromZeek(
      (name) => {
        const i = column.get(name);
        return i === undefined ? undefined : values[i];
      },
      header,
      'zeek-tsv',
      this.zeekKind,
    );
  }

  private fromJson(message: string, header: SyslogHeader | null, format: 'json' | 'zeek-json'): ParseResult {
    const shape = jsonShapeBounded(message, this.options.maxJsonDepth, this.options.maxFields)
      ? null
      : jsonShape(message, this.options.maxJsonDepth, this.options.maxFields);
    if (shape === 'deep') return { kind: 'error', reason: `JSON nested deeper than the limit of ${this.options.maxJsonDepth} levels` };
    if (shape === 'wide') return { kind: 'error', reason: `JSON has more values than the limit of ${this.options.maxFields} fields` };
    let value: unknown;
    try {
      value = JSON.parse(message);
    } catch (err) {
      return { kind: 'error', reason: `invalid JSON: ${(err as Error).message.slice(0, 80)}` };
    }
    if (!isRecord(value)) return { kind: 'error', reason: 'JSON line is not an object' };
    const object = value;
    // auto-detected lines whose text names "id.orig_h" (in a nested object, say) are Zeek's too, as detection by text made them
    if (format === 'zeek-json' || 'id.orig_h' in object || (this.options.format === 'auto' && message.includes('"id.orig_h"')))
      return this.fromZeek(object, header, 'zeek-json', zeekJsonKind(object));
    const record: LogRecord = { ...object };
    return this.finish(record, 'json', null, header, true);
  }

  private fromSquid(message: string, header: SyslogHeader | null): ParseResult {
    const squid = squidRecord(message);
    if (typeof squid === 'string') return { kind: 'error', reason: squid };
    return this.finish(squid.record, 'squid', squid.ms, header);
  }

  private fromZeek(field: ZeekField, header: SyslogHeader | null, format: 'zeek-tsv' | 'zeek-json', kind: ZeekLogKind): ParseResult {
    const record = zeekFieldsToWireData(field);
    if (kind !== 'conn') addZeekNames(record, field, kind, this.zeekSetSeparator);
    const ts = typeof field === 'function' ? field('ts') : field.ts;
    let iso: string | null = null;
    let seconds: string | null = null;
    if (typeof ts === 'number') {
      const time = this.jsonTime;
      if (epochTimeOfSeconds(ts, time)) return this.finish(record, format, time.ms, header, false, time.iso);
      seconds = String(ts);
    } else if (typeof ts === 'string') seconds = /^\d/.test(ts) && !ts.includes('-') ? ts : null;
    if (seconds !== null) iso = isoFromEpochSecondsText(seconds);
    else if (typeof ts === 'string') iso = ts;
    if (!iso) return { kind: 'error', reason: `Zeek ts is not a time: ${JSON.stringify(String(ts)).slice(0, 40)}` };
    const fast = seconds !== null ? epochMsOfSecondsText(seconds) : NaN;
    const ms = Number.isNaN(fast) ? Date.parse(iso) : fast;
    if (Number.isNaN(ms)) return { kind: 'error', reason: `Zeek ts is not a time: ${JSON.stringify(iso).slice(0, 40)}` };
    // keep Zeek's exact digits: the event time as written
    return this.finish(record, format, ms, header, false, iso);
  }

  /** Sets TimeGenerated from the chosen source and keeps the syslog header's host and time. */
  private finish(
    record: LogRecord,
    format: Exclude<LogFormat, 'auto'>,
    deviceMs: number | null,
    header: SyslogHeader | null,
    keepOwnTime = false,
    /** the device time as written, kept as TimeGenerated when it is the one used (event time) */
    deviceText: string | null = null,
  ): ParseResult {
    let syslogMs: number | null = null;
    if (header) {
      syslogMs = header.format === 'rfc5424' ? rfc5424TimeToMs(header.time) : bsdTimeToEpochMs(header.time, deviceMs ?? NaN, this.options.deviceOffsetMinutes);
      if (syslogMs !== null && Number.isNaN(syslogMs)) syslogMs = null;
      if (header.host !== null) record.Computer = header.host;
      if (syslogMs !== null) record.SyslogTime = isoFromMs(syslogMs);
    }
    let timeMs = this.options.timeSource === 'syslog' ? syslogMs : (deviceMs ?? syslogMs);
    if (keepOwnTime && this.options.timeSource !== 'syslog' && record.TimeGenerated !== undefined) timeMs = null;
    if (timeMs !== null) {
      record.TimeGenerated = deviceText !== null && this.options.timeSource === 'event' ? deviceText : isoFromMs(timeMs);
    } else if (!(keepOwnTime && record.TimeGenerated !== undefined)) {
      return { kind: 'error', reason: `no usable ${this.options.timeSource} time in the line` };
    }
    return { kind: 'record', record, format };
  }
}

/** Whether a line is empty or white space only (as trim() sees white space; trim's call spared for a printable first character). */
function blank(line: string): boolean {
  return !printable(line.charCodeAt(0)) && line.trim() === '';
}

/**
 * Whether a message starts as PAN-OS CSV does, what
 * /^\d+,\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2},/ matches, checked at fixed
 * positions after the run of digits (which cannot give a digit back to the
 * comma): a regular expression's call cost more than the check.
 */
function panosCsvStart(m: string): boolean {
  let i = 0;
  while (digitAt(m, i)) i++;
  if (i === 0 || m.charCodeAt(i) !== 44 /* , */) return false;
  const at = i + 1;
  return (
    plainDigits(m, at, at + 4) >= 0 &&
    plainDigits(m, at + 5, at + 7) >= 0 &&
    plainDigits(m, at + 8, at + 10) >= 0 &&
    plainDigits(m, at + 11, at + 13) >= 0 &&
    plainDigits(m, at + 14, at + 16) >= 0 &&
    plainDigits(m, at + 17, at + 19) >= 0 &&
    hasAt(m, 47 /* / */, at + 4, at + 7) &&
    hasAt(m, 32, at + 10) &&
    hasAt(m, 58 /* : */, at + 13, at + 16) &&
    hasAt(m, 44, at + 19)
  );
}

const digitAt = (text: string, at: number) => {
  const c = text.charCodeAt(at);
  return c >= 48 && c <= 57;
};

/**
 * Whether a JSON text is within the limits by counting alone, without the
 * scan: a text no longer than maxValues cannot hold more values (each is
 * counted at a character of its own), nor nest deeper than it has opening
 * brackets. Native indexOf finds the few brackets of a log line; the
 * character-by-character scan was a sixth of a Zeek JSON line's parse.
 */
export function jsonShapeBounded(text: string, maxDepth: number, maxValues: number): boolean {
  if (text.length > maxValues) return false;
  let opens = 0;
  for (let i = text.indexOf('{'); i >= 0 && opens <= maxDepth; i = text.indexOf('{', i + 1)) opens++;
  for (let i = text.indexOf('['); i >= 0 && opens <= maxDepth; i = text.indexOf('[', i + 1)) opens++;
  return opens <= maxDepth;
}

/**
 * One pass over a JSON text before it is parsed: 'deep' when brackets nest
 * deeper than maxDepth, 'wide' when it holds more than maxValues values
 * (commas and opening brackets outside strings), else null. Malformed text
 * is left for JSON.parse to refuse.
 */
export function jsonShape(text: string, maxDepth: number, maxValues: number): 'deep' | 'wide' | null {
  let depth = 0;
  let values = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // to the closing quote, skipping escaped characters
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > maxDepth) return 'deep';
      if (++values > maxValues) return 'wide';
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
    } else if (c === 44 /* , */) {
      if (++values > maxValues) return 'wide';
    }
  }
  return null;
}
