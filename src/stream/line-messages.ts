import { partitionOf } from '../core/partition/partition';
import { DEFAULT_PARSER_OPTIONS, LogParser } from '../core/parse/parser';
import type { LogRecord } from '../core/common/records';

/**
 * A stream message of raw log lines, parsed by the worker that reads it:
 *
 *   #netbeacon-lines 1 {"format":"zeek-tsv","key":["LocalIP"]}
 *   <the Zeek header lines in force: #separator, #fields, #set_separator>
 *   <the partition's rows, as the log has them>
 *
 * The first line names the message format and its version; a record
 * message is JSON and never starts with '#'. Each message carries its
 * header, so it reads alone whichever worker reads it, from any position.
 */
const MAGIC = '#netbeacon-lines ';
export const LINES_VERSION = 1;

export function encodeLines(keyFields: readonly string[], header: readonly string[], lines: readonly string[]): string {
  return `${MAGIC}${LINES_VERSION} ${JSON.stringify({ format: 'zeek-tsv', key: keyFields })}\n${header.join('\n')}\n${lines.join('\n')}`;
}

/** Whether a message body is a lines message (of any version). */
export function isLinesMessage(data: Uint8Array): boolean {
  if (data.length < MAGIC.length) return false;
  for (let i = 0; i < MAGIC.length; i++) if (data[i] !== MAGIC.charCodeAt(i)) return false;
  return true;
}

/** A message this worker cannot read (a later format version): its partition stops rather than skip it. */
export class UnreadableMessageError extends Error {}

export interface DecodedLines {
  records: LogRecord[];
  /** lines the parser refused, and the first one's reason */
  unparsed: number;
  firstError: string;
  /** records whose key hashes to another partition (the ingest's extraction and the parser disagreed): left out, reported */
  misplaced: number;
}

/** Parses a lines message as one parser reading its lines in order; every record is checked to belong to `partition`. */
export function decodeLines(text: string, partition: number, partitions: number): DecodedLines {
  const eol = text.indexOf('\n');
  const first = eol < 0 ? text : text.slice(0, eol);
  const space = first.indexOf(' ', MAGIC.length);
  const version = first.slice(MAGIC.length, space < 0 ? undefined : space);
  if (version !== String(LINES_VERSION))
    throw new UnreadableMessageError(`lines message of format version ${version.slice(0, 20)}; this worker reads version ${LINES_VERSION}: upgrade the worker`);
  let meta: { format?: unknown; key?: unknown };
  try {
    meta = JSON.parse(first.slice(space + 1)) as typeof meta;
  } catch {
    throw new UnreadableMessageError('lines message whose first line is not the format and key as JSON');
  }
  const key = meta.key;
  if (meta.format !== 'zeek-tsv' || !Array.isArray(key) || key.length === 0 || !key.every((k) => typeof k === 'string'))
    throw new UnreadableMessageError(
      `lines message of format ${JSON.stringify(meta.format)} with key ${JSON.stringify(key)}: this worker reads zeek-tsv by named fields`,
    );
  const parser = new LogParser({ ...DEFAULT_PARSER_OPTIONS, format: 'zeek-tsv' });
  const out: DecodedLines = { records: [], unparsed: 0, firstError: '', misplaced: 0 };
  if (eol < 0) return out;
  for (const line of text.slice(eol + 1).split('\n')) {
    const result = parser.parseLine(line);
    if (result.kind === 'record') {
      if (partitionOf(result.record, key as string[], partitions) === partition) out.records.push(result.record);
      else out.misplaced++;
    } else if (result.kind === 'error') {
      out.unparsed++;
      if (!out.firstError) out.firstError = `${result.reason}: ${line.slice(0, 120)}`;
    }
  }
  return out;
}
