/**
 * The UDP parse thread (a worker_threads entry): takes the raw chunks the
 * reader thread fills (bytes moved, not copied), splits them into lines as
 * the reader would have, parses them with one parser per sender and port,
 * and sends the records to the flow's thread as columns. Parsing here, not
 * in the reader, keeps the reader free to drain the socket: a chunk of
 * 1,000 lines takes milliseconds to parse, while the kernel's receive
 * buffer fills.
 */
import { MessagePort, parentPort, workerData } from 'worker_threads';
import type { ParserOptions } from '../core/parse/parser';
import { ChunkParser } from './chunk-parse';
import { RawChunk, rawChunkLines } from './raw-chunks';
import { transferables } from './record-columns';
import { raisePriority } from './thread-priority';
import type { ThreadMessage } from './udp-reader-thread';

export interface ParseThreadData {
  parser: ParserOptions;
  /** where the reader thread's raw chunks arrive (the other end is the reader's) */
  source: MessagePort;
  /** nice value to ask for this thread (Linux only; 0 = leave it) */
  priority: number;
}

/** Parses one raw chunk into the message the flow's thread takes (its lines stay here). */
export function parseRawChunk(parser: ChunkParser, raw: RawChunk): Extract<ThreadMessage, { kind: 'chunk' }> {
  const parsed = parser.parse({ lines: rawChunkLines(raw), runs: raw.runs });
  return { kind: 'chunk', lines: [], runs: raw.runs, counts: raw.counts, bytes: raw.lineBytes, parsed, lineCount: raw.lineCount };
}

function run(port: NonNullable<typeof parentPort>, data: ParseThreadData): void {
  // as the reader's: on a busy machine a starved parse thread fills the queue between the threads as surely as a starved reader fills the socket's
  raisePriority(data.priority);
  const parser = new ChunkParser(data.parser);
  data.source.on('message', (raw: RawChunk) => {
    const chunk = parseRawChunk(parser, raw);
    port.postMessage(chunk, transferables(chunk.parsed!.records));
  });
  port.on('message', (m: { kind?: string }) => {
    if (m?.kind === 'reset') parser.reset();
    if (m?.kind === 'close') process.exit(0);
  });
}

if (parentPort) run(parentPort, workerData as ParseThreadData);
