/**
 * The UDP reader thread's chunks when a parse thread parses them: the
 * datagrams' bytes copied one after another into one buffer that is moved
 * (transferred, not copied) to the parse thread, with where each datagram
 * ends, the runs of lines per peer and the per-sender counts. The reader
 * thread then only drains the socket and copies bytes: no string per
 * datagram, no parse. The lines are counted here (newline bytes), so the
 * bounds between the threads hold in lines and in bytes as with text
 * chunks. Pure: no socket, no thread, so it is tested directly.
 */
import { ChunkLimits, datagramLines, SenderBook, SenderChunkCounts } from './udp-chunks';

export interface RawChunk {
  /** the datagrams' bytes (the lines taken from each), `used` of them filled */
  bytes: ArrayBuffer;
  used: number;
  /** per datagram taken, the offset in `bytes` where it ends */
  ends: number[];
  /** runs of consecutive lines from one peer: [address, port, count, …] */
  runs: Array<string | number>;
  /** per sender address: [lines received, bytes, oversized datagrams, lines dropped (queue full), bytes of those lines] */
  counts: Record<string, SenderChunkCounts>;
  /** lines taken (what `runs` count) */
  lineCount: number;
  /** bytes of those lines, for the byte bound of the queue */
  lineBytes: number;
}

/** a buffer less full than this fraction is copied out small, and the large one kept for the next chunk */
const SHRINK_BELOW = 0.5;

export class RawChunker {
  private buffer: Buffer;
  private used = 0;
  private ends: number[] = [];
  private lineCount = 0;
  private lineBytes = 0;
  private readonly book = new SenderBook();
  /** per line of the datagram in hand: [start, end) offsets */
  private readonly cuts: number[] = [];

  /** `capacity`: bytes per chunk at least; a datagram that does not fit in what is left waits for the next chunk (see `fits`) */
  constructor(
    private readonly limits: ChunkLimits,
    capacity: number,
  ) {
    this.buffer = Buffer.allocUnsafeSlow(Math.max(capacity, limits.maxFrameBytes));
  }

  get pendingLines(): number {
    return this.lineCount;
  }

  get pendingBytes(): number {
    return this.used;
  }

  get pending(): boolean {
    return this.book.pending;
  }

  /** whether a datagram of this size fits in the chunk being filled (if not, take() first); one over the frame cap is only counted */
  fits(size: number): boolean {
    return size > this.limits.maxFrameBytes || this.used + size <= this.buffer.length;
  }

  add(data: Buffer, address: string, port: number): void {
    const c = this.book.received(address, data.length);
    if (data.length > this.limits.maxFrameBytes) {
      c[2]++;
      return;
    }
    const cuts = lineCuts(data, this.cuts);
    const lines = cuts.length / 2;
    if (lines === 0) return;
    c[0] += lines;
    const roomLines = this.limits.room() - this.lineCount;
    let roomBytes = this.limits.roomBytes() - this.lineBytes;
    let take = 0;
    // past either bound the rest of the datagram is dropped: what waits never grows beyond them
    for (; take < lines && take < roomLines; take++) {
      const size = cuts[2 * take + 1] - cuts[2 * take];
      if (size > roomBytes) break;
      roomBytes -= size;
      this.lineBytes += size;
    }
    for (let i = take; i < lines; i++) {
      c[3]++;
      c[4] += cuts[2 * i + 1] - cuts[2 * i];
    }
    if (take === 0) return;
    // the bytes up to the end of the last line taken: the parse thread splits them as the datagram was
    this.used += data.copy(this.buffer, this.used, 0, cuts[2 * take - 1]);
    this.ends.push(this.used);
    this.lineCount += take;
    this.book.taken(address, port, take);
  }

  take(): RawChunk {
    let bytes: ArrayBuffer;
    if (this.used < this.buffer.length * SHRINK_BELOW) {
      bytes = new ArrayBuffer(this.used);
      this.buffer.copy(new Uint8Array(bytes), 0, 0, this.used);
    } else {
      bytes = this.buffer.buffer as ArrayBuffer; // moved to the parse thread: a new one for the next chunk
      this.buffer = Buffer.allocUnsafeSlow(this.buffer.length);
    }
    const chunk: RawChunk = {
      bytes,
      used: this.used,
      ends: this.ends,
      ...this.book.take(),
      lineCount: this.lineCount,
      lineBytes: this.lineBytes,
    };
    this.used = 0;
    this.ends = [];
    this.lineCount = 0;
    this.lineBytes = 0;
    return chunk;
  }
}

/**
 * Where the lines of a datagram are, as datagramLines reads them (split at
 * newlines; empty lines and bare CRs skipped): [start, end) pairs into `out`.
 */
export function lineCuts(data: Buffer, out: number[]): number[] {
  out.length = 0;
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf(10, start);
    if (end < 0) end = data.length;
    const size = end - start;
    if (size > 0 && !(size === 1 && data[start] === 13)) out.push(start, end);
    start = end + 1;
  }
  return out;
}

/** The lines of a raw chunk, in order: what the text chunker would have gathered from the same datagrams. */
export function rawChunkLines(chunk: Pick<RawChunk, 'bytes' | 'used' | 'ends'>): string[] {
  const buf = Buffer.from(chunk.bytes, 0, chunk.used);
  const lines: string[] = [];
  const one = [''];
  let start = 0;
  for (const end of chunk.ends) {
    const got = datagramLines(buf.subarray(start, end), one);
    for (let i = 0; i < got.length; i++) lines.push(got[i]);
    start = end;
  }
  return lines;
}
