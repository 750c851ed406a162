/**
 * Parsing in the UDP reader thread: a chunk's lines become records, sent to
 * the flow's thread as columns (record-columns), so the flow's thread
 * neither parses nor deserialises a line per record. What the parser
 * refuses goes along as text with its reason and sender, and the headers
 * and errors are counted per sender, as the flow's thread counts them when
 * it parses.
 */
import type { LogRecord } from '../core/common/records';
import type { ParserOptions } from '../core/parse/parser';
import { ParserPool } from './parser-pool';
import { encodeRecords, RecordColumns } from './record-columns';
import type { UdpChunk } from './udp-chunks';

export interface ParsedChunk {
  records: RecordColumns;
  /** lines not parsed: [line, reason, sender], in order */
  unparsed: Array<[string, string, string]>;
  /** per sender address: [headers, parse errors] */
  counts: Record<string, [number, number]>;
}

export class ChunkParser {
  private readonly pool: ParserPool;

  constructor(options: ParserOptions) {
    this.pool = new ParserPool(options);
  }

  /** Forgets every stream's state (the flow's reset). */
  reset(): void {
    this.pool.clear();
  }

  parse(chunk: Pick<UdpChunk, 'lines' | 'runs'>): ParsedChunk {
    const records: LogRecord[] = [];
    const unparsed: Array<[string, string, string]> = [];
    const counts: Record<string, [number, number]> = {};
    const { lines, runs } = chunk;
    let at = 0;
    for (let r = 0; r < runs.length; r += 3) {
      const sender = runs[r] as string;
      const parser = this.pool.of(`${sender}:${runs[r + 1]}`);
      for (const end = at + (runs[r + 2] as number); at < end; at++) {
        const result = parser.parseLine(lines[at]);
        if (result.kind === 'record') records.push(result.record);
        else if (result.kind === 'header') (counts[sender] ??= [0, 0])[0]++;
        else if (result.kind === 'error') {
          (counts[sender] ??= [0, 0])[1]++;
          unparsed.push([lines[at], result.reason, sender]);
        }
      }
    }
    return { records: encodeRecords(records), unparsed, counts };
  }
}
