import type { NodeMessage } from 'node-red';
import { DEFAULT_PARSER_OPTIONS, LogFormat, LogParser, ParserOptions, TimeSource } from '../core/parse/parser';
import { ByteDirection } from '../core/parse/mappings';
import { zoneMinutes } from '../core/parse/timestamps';
import { LogRecord } from '../core/common/records';
import { NodeSettings } from './settings/read';

/** Parser options from the parse settings (format, timeSource, byteDirection, deviceOffset), already checked by their table. */
export function parserOptions(s: NodeSettings): ParserOptions {
  const offset = s.text('deviceOffset');
  return {
    ...DEFAULT_PARSER_OPTIONS,
    format: s.text('format') as LogFormat,
    timeSource: s.text('timeSource') as TimeSource,
    byteDirection: s.text('byteDirection') as ByteDirection,
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
