import { StringDecoder } from 'node:string_decoder';
import { fnv1a32 } from '../core/partition/partition';
import { DEFAULT_PARSER_OPTIONS } from '../core/parse/parser';
import { trimLineEnd } from '../core/parse/syslog';

/**
 * Zeek conn.log key fields whose record value is the column's text as it
 * stands (the parser reads them as text, '-' and '(empty)' as absent), so
 * the partition of a line can be hashed from the column without parsing it.
 */
const TEXT_KEY_COLUMNS: Readonly<Record<string, string>> = {
  LocalIP: 'id.orig_h',
  RemoteIP: 'id.resp_h',
  SessionID: 'uid',
  ApplicationProtocol: 'service',
  SessionState: 'conn_state',
};

/** Key fields the raw-line ingest can partition by. */
export const LINE_KEY_FIELDS = Object.keys(TEXT_KEY_COLUMNS);

/** A line the ingest could not place, and why (the parser's own words where it would say the same). */
export interface RejectedLine {
  line: string;
  reason: string;
}

/** Lines of one Zeek header: the header lines the workers' parser needs, and each partition's rows in order. */
export interface LineBatch {
  header: string[];
  groups: Map<number, string[]>;
}

const keyText = (v: string | undefined) => (v === undefined || v === '-' || v === '(empty)' ? '' : v);

/**
 * Splits a Zeek TSV stream (chunks of text or bytes, lines cut anywhere)
 * into rows per partition without parsing them: the ingest's share of the
 * work is finding the key columns, the workers parse. Every row of one key
 * lands on one partition, the same one `beacon-partition` computes from the
 * parsed record (FNV-1a of the key values joined by a tab); the worker checks
 * that on each record it parses. The header lines in force are kept so each
 * message can carry them: a message reads alone, whichever worker reads it.
 */
export class ZeekLinePartitioner {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';
  private separator = '\t';
  private separatorLine: string | null = null;
  private setSeparatorLine: string | null = null;
  /** the #fields line and the #separator line in force when it was read */
  private fieldsLines: string[] = [];
  private fieldCount = 0;
  private keyColumns: number[] | null = null;
  private header: string[] = [];

  constructor(
    readonly keyFields: readonly string[],
    readonly partitions: number,
  ) {
    const unknown = keyFields.filter((f) => !(f in TEXT_KEY_COLUMNS));
    if (keyFields.length === 0 || unknown.length > 0)
      throw new Error(`Zeek lines can be partitioned by ${LINE_KEY_FIELDS.join(', ')}, not ${unknown.join(', ') || 'no field'}`);
  }

  reset(): void {
    this.decoder.end();
    this.rest = '';
    this.separator = '\t';
    this.separatorLine = this.setSeparatorLine = null;
    this.fieldsLines = [];
    this.fieldCount = 0;
    this.keyColumns = null;
    this.header = [];
  }

  /** The rows of a chunk (and, at the end, of the unfinished last line), by header and partition. */
  push(chunk: string | Buffer, end = false): { batches: LineBatch[]; rejected: RejectedLine[] } {
    let text = this.rest + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    if (end) text += this.decoder.end();
    const lines = text.split('\n');
    this.rest = end ? '' : (lines.pop() as string);
    const batches: LineBatch[] = [];
    const rejected: RejectedLine[] = [];
    let batch: LineBatch | null = null;
    for (const raw of lines) {
      const line = trimLineEnd(raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw);
      if (line.length > DEFAULT_PARSER_OPTIONS.maxLineLength) {
        rejected.push({ line: raw, reason: `line longer than ${DEFAULT_PARSER_OPTIONS.maxLineLength} characters` });
        continue;
      }
      if (line.trim() === '') continue;
      if (line.charCodeAt(0) === 35 /* # */) {
        const header = this.readHeader(line);
        if (typeof header === 'string') rejected.push({ line: raw, reason: header });
        else if (header) batch = null;
        continue;
      }
      const p = this.partitionOf(line, rejected);
      if (p < 0) continue;
      if (!batch) batches.push((batch = { header: this.header, groups: new Map() }));
      const group = batch.groups.get(p);
      if (group) group.push(raw);
      else batch.groups.set(p, [raw]);
    }
    return { batches, rejected };
  }

  /** Takes in a header line as the parser does: true when it changes what the rows after it mean, or why it is refused. */
  private readHeader(line: string): boolean | string {
    if (line.startsWith('#separator')) {
      const sep = line.slice('#separator'.length).trim();
      this.separator = sep === '\\t' ? '\t' : sep.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) || '\t';
      this.separatorLine = line;
    } else if (line.startsWith('#set_separator')) {
      this.setSeparatorLine = line;
    } else if (line.startsWith('#fields')) {
      const names = line.split(this.separator).slice(1);
      const max = DEFAULT_PARSER_OPTIONS.maxFields;
      if (names.length > max) return `Zeek #fields names ${names.length} fields, more than the limit of ${max}`;
      this.fieldsLines = this.separatorLine ? [this.separatorLine, line] : [line];
      this.fieldCount = names.length;
      // the last column of a name, as the parser keeps it
      const column = new Map(names.map((name, i) => [name, i]));
      this.keyColumns = this.keyFields.map((f) => column.get(TEXT_KEY_COLUMNS[f]) ?? -1);
    } else {
      return false;
    }
    // replayed in this order, the header leaves a parser as this one's was: fields split by the separator they were written with
    this.header = [...this.fieldsLines];
    if (this.separatorLine && this.fieldsLines[0] !== this.separatorLine) this.header.push(this.separatorLine);
    if (this.setSeparatorLine) this.header.push(this.setSeparatorLine);
    return true;
  }

  private partitionOf(line: string, rejected: RejectedLine[]): number {
    const columns = this.keyColumns;
    if (!columns) {
      rejected.push({ line, reason: 'Zeek TSV row before any #fields header' });
      return -1;
    }
    // the fields as split() would cut them, counted without making them: only the key columns are taken out
    const sep = this.separator;
    const keys: Array<string | undefined> = new Array(columns.length);
    let fields = 0;
    for (let start = 0; ; fields++) {
      const end = line.indexOf(sep, start);
      for (let k = 0; k < columns.length; k++) if (columns[k] === fields) keys[k] = line.slice(start, end < 0 ? line.length : end);
      if (end < 0) break;
      start = end + sep.length;
    }
    fields++;
    if (fields !== this.fieldCount) {
      rejected.push({ line, reason: `Zeek row has ${fields} fields, the #fields header ${this.fieldCount}` });
      return -1;
    }
    let text = keyText(keys[0]);
    for (let i = 1; i < columns.length; i++) text += '\t' + keyText(keys[i]);
    return fnv1a32(text) % this.partitions;
  }
}
