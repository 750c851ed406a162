/**
 * What the UDP reader thread sends to the main thread: the lines of many
 * datagrams in arrival order, which sender/port each run of lines came from,
 * and the per-sender counts of everything it received (including what it
 * could not use). Pure: no socket, no thread, so it is tested directly.
 */

export interface UdpChunk {
  lines: string[];
  /** runs of consecutive lines from one peer: [address, port, count, address, port, count, …] */
  runs: Array<string | number>;
  /** per sender address: [lines received, bytes, oversized datagrams, lines dropped (queue full), bytes of those lines] */
  counts: Record<string, SenderChunkCounts>;
  /** bytes of `lines` (characters: one per byte for ASCII text), for the byte bound of the queue */
  bytes: number;
}

export type SenderChunkCounts = [number, number, number, number, number];

export interface ChunkLimits {
  /** datagrams longer than this are skipped and counted */
  maxFrameBytes: number;
  /**
   * Room left for lines between this thread and the flow (the cap minus what
   * waits already); lines beyond it are dropped and counted.
   */
  room(): number;
  /** the same in bytes: a queue of few but large lines is bounded too */
  roomBytes(): number;
}

/** What both chunkers keep per chunk: the per-sender counts and the runs of lines per peer. */
export class SenderBook {
  private runs: Array<string | number> = [];
  private counts = new Map<string, SenderChunkCounts>();
  private lastAddress = '';
  private lastPort = -1;

  get pending(): boolean {
    return this.counts.size > 0;
  }

  /** A datagram of `size` bytes from `address`: its sender's counts, the bytes counted. */
  received(address: string, size: number): SenderChunkCounts {
    let c = this.counts.get(address);
    if (!c) this.counts.set(address, (c = [0, 0, 0, 0, 0]));
    c[1] += size;
    return c;
  }

  /** `n` lines from the peer taken, after those taken before */
  taken(address: string, port: number, n: number): void {
    if (address === this.lastAddress && port === this.lastPort) {
      (this.runs[this.runs.length - 1] as number) += n;
    } else {
      this.runs.push(address, port, n);
      this.lastAddress = address;
      this.lastPort = port;
    }
  }

  /** Hands the runs and counts over and starts afresh. */
  take(): Pick<UdpChunk, 'runs' | 'counts'> {
    const out = { runs: this.runs, counts: Object.fromEntries(this.counts) };
    this.runs = [];
    this.counts = new Map();
    this.lastAddress = '';
    this.lastPort = -1;
    return out;
  }
}

/** Gathers datagrams into a chunk; `take()` hands it over and starts the next. */
export class UdpChunker {
  private lines: string[] = [];
  private bytes = 0;
  private readonly book = new SenderBook();
  /** the usual datagram holds one line: read into this array, not a new one per datagram */
  private readonly one: string[] = [''];

  constructor(private readonly limits: ChunkLimits) {}

  /** lines gathered and not yet taken */
  get pendingLines(): number {
    return this.lines.length;
  }

  /** bytes of those lines */
  get pendingBytes(): number {
    return this.bytes;
  }

  /** anything to send (lines, or only counts of datagrams that gave none) */
  get pending(): boolean {
    return this.book.pending;
  }

  add(data: Buffer, address: string, port: number): void {
    const c = this.book.received(address, data.length);
    if (data.length > this.limits.maxFrameBytes) {
      c[2]++;
      return;
    }
    const lines = datagramLines(data, this.one);
    if (lines.length === 0) return;
    c[0] += lines.length;
    const roomLines = this.limits.room() - this.lines.length;
    let roomBytes = this.limits.roomBytes() - this.bytes;
    let take = 0;
    // past either bound the rest of the datagram is dropped: what waits never grows beyond them
    for (; take < lines.length && take < roomLines && lines[take].length <= roomBytes; take++) {
      this.lines.push(lines[take]);
      this.bytes += lines[take].length;
      roomBytes -= lines[take].length;
    }
    for (let i = take; i < lines.length; i++) {
      c[3]++;
      c[4] += lines[i].length;
    }
    if (take > 0) this.book.taken(address, port, take);
  }

  take(): UdpChunk {
    const chunk: UdpChunk = { lines: this.lines, ...this.book.take(), bytes: this.bytes };
    this.lines = [];
    this.bytes = 0;
    return chunk;
  }
}

const NONE: string[] = [];

/**
 * The lines of one datagram: normally one message; a sender may pack
 * several, one per line. A single line comes back in `one` (reused by the
 * caller, who takes the line out before the next datagram).
 */
export function datagramLines(data: Buffer, one: string[] = ['']): string[] {
  const text = data.toString('utf8');
  const nl = text.indexOf('\n');
  if (nl < 0 || nl === text.length - 1) {
    const line = nl < 0 ? text : text.slice(0, nl);
    if (line.length === 0 || line === '\r') return NONE;
    one[0] = line;
    return one;
  }
  return text.split('\n').filter((l) => l.length > 0 && l !== '\r');
}
