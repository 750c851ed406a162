import type { NodeMessage } from 'node-red';
import { DEFAULT_PARSER_OPTIONS, LogFormat, LogParser, ParserOptions, TimeSource } from '../core/parse/parser';
import { ByteDirection } from '../core/parse/mappings';
import { zoneMinutes } from '../core/parse/timestamps';
import { LogRecord } from '../core/common/records';

/** The parse settings `beacon-parse` and `beacon-syslog-in` share (same names, same defaults). */
export interface ParseSettings {
  format?: LogFormat;
  timeSource?: TimeSource;
  byteDirection?: ByteDirection;
  deviceOffset?: string;
}

const ZONE = /^(Z|UTC|GMT|[+-]\d{2}:?\d{2})$/;

/** The device time zone as written, or null when it is not one. */
export function deviceZone(settings: ParseSettings): string | null {
  const offset = (settings.deviceOffset || '').trim();
  return !offset || ZONE.test(offset.toUpperCase()) ? offset : null;
}

/** Parser options from the settings; null when the device time zone is unreadable (the caller says so). */
export function parserOptions(settings: ParseSettings): ParserOptions | null {
  const offset = deviceZone(settings);
  if (offset === null) return null;
  return {
    ...DEFAULT_PARSER_OPTIONS,
    format: settings.format || 'auto',
    timeSource: settings.timeSource || 'event',
    byteDirection: settings.byteDirection === 'client' ? 'client' : 'microsoft',
    deviceOffsetMinutes: offset ? zoneMinutes(offset.toUpperCase()) : 0,
  };
}

/** What one line gave: a record, nothing (header, blank), or the reason it was not parsed. */
export function parseOne(parser: LogParser, line: string, records: LogRecord[]): string | null {
  const result = parser.parseLine(line);
  if (result.kind === 'record') records.push(result.record);
  return result.kind === 'error' ? result.reason : null;
}

/** The message for an unparsed line (the second output of both nodes): the line, cut at 1000 characters, and why. */
export function unparsedMessage(line: string, reason: string, extra?: Record<string, unknown>): NodeMessage {
  const shown = line.length > 1000 ? line.slice(0, 1000) + '…' : line;
  return { ...extra, payload: shown, error: { message: reason } } as NodeMessage;
}
