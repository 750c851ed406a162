/**
 * Gathers received lines into batches of at most `maxLines`, handed on once
 * full or once the oldest line has waited `maxWaitMs` (wall-clock time paces
 * delivery only; what is detected depends on event time alone).
 *
 * Flow control: full batches are handed on one per event-loop turn (so the
 * downstream work of a batch runs before the next is read in), and while
 * more than `highWater` lines wait, `pause()` is called (TCP stops reading;
 * the sender's TCP window fills), `resume()` once the queue is down to half.
 * UDP cannot be paused: past `maxQueued` lines the newest are dropped and
 * counted, so memory stays bounded whatever arrives. Both marks hold in
 * bytes too (`highWaterBytes`, `maxQueuedBytes`): a few large lines weigh
 * as much as many small ones.
 */

export interface LineBatcherOptions {
  maxLines: number;
  maxWaitMs: number;
  /** pause the sources above this many queued lines */
  highWater: number;
  /** hard cap on queued lines (pushes beyond it are refused) */
  maxQueued: number;
  /** pause the sources above this many queued bytes (characters of the lines) */
  highWaterBytes?: number;
  /** hard cap on queued bytes (pushes beyond it are refused) */
  maxQueuedBytes?: number;
}

/** taken lines at the front of the queue are dropped once there are this many and they are half of it */
const COMPACT_AT = 4096;

export interface FlowControl {
  pause(): void;
  resume(): void;
}

export class LineBatcher<S> {
  /** queued lines are lines[head..]: a batch is taken by moving head, not by splicing the front off a queue of up to maxQueued */
  private lines: string[] = [];
  private sources: S[] = [];
  private head = 0;
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private paused = false;
  private closed = false;

  constructor(
    private readonly options: LineBatcherOptions,
    private readonly deliver: (lines: string[], sources: S[]) => void,
    private readonly flow: FlowControl,
  ) {}

  get queued(): number {
    return this.lines.length - this.head;
  }

  /** bytes (characters) of the queued lines */
  get queuedBytes(): number {
    return this.bytes;
  }

  /** Queues lines from one source; returns how many were refused (queue full): always the last ones given. */
  push(source: S, lines: string[]): number {
    if (this.closed) return lines.length;
    const room = this.options.maxQueued - this.queued;
    let roomBytes = (this.options.maxQueuedBytes ?? Infinity) - this.bytes;
    let take = 0;
    for (; take < lines.length && take < room && lines[take].length <= roomBytes; take++) {
      this.lines.push(lines[take]);
      this.sources.push(source);
      roomBytes -= lines[take].length;
      this.bytes += lines[take].length;
    }
    this.schedule();
    return lines.length - take;
  }

  /** Hands on everything queued now (a flush), in batches of at most maxLines. */
  drainAll(): void {
    while (this.queued > 0) this.deliverOne();
    this.afterDelivery();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = null;
    this.lines = [];
    this.sources = [];
    this.head = 0;
    this.bytes = 0;
  }

  private schedule(): void {
    const n = this.queued;
    if (n === 0) return;
    if ((n >= this.options.highWater || this.bytes >= (this.options.highWaterBytes ?? Infinity)) && !this.paused) {
      this.paused = true;
      this.flow.pause();
    }
    if (n >= this.options.maxLines) {
      this.immediate ??= setImmediate(() => this.turn());
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.queued > 0) this.deliverOne();
        this.afterDelivery();
      }, this.options.maxWaitMs);
    }
  }

  /** One event-loop turn: full batches, up to about a thousand lines' worth (single-line messages come many per turn). */
  private turn(): void {
    this.immediate = null;
    let budget = Math.max(1, Math.floor(1000 / this.options.maxLines));
    while (budget-- > 0 && this.queued >= this.options.maxLines) this.deliverOne();
    this.afterDelivery();
  }

  private deliverOne(): void {
    const n = Math.min(this.options.maxLines, this.queued);
    let lines: string[];
    let sources: S[];
    if (this.head === 0 && n === this.lines.length) {
      lines = this.lines;
      sources = this.sources;
      this.lines = [];
      this.sources = [];
    } else {
      lines = new Array<string>(n);
      sources = new Array<S>(n);
      // the taken slots are cleared: what the queue keeps alive is what it counts
      for (let i = 0, j = this.head; i < n; i++, j++) {
        lines[i] = this.lines[j];
        sources[i] = this.sources[j];
        this.lines[j] = '';
        this.sources[j] = undefined as S;
      }
      this.head += n;
      if (this.head === this.lines.length) {
        this.lines = [];
        this.sources = [];
        this.head = 0;
      } else if (this.head >= COMPACT_AT && this.head * 2 >= this.lines.length) {
        // the taken front is at least half the array: drop it (amortised O(1) per line)
        this.lines = this.lines.slice(this.head);
        this.sources = this.sources.slice(this.head);
        this.head = 0;
      }
    }
    if (this.queued === 0) this.bytes = 0;
    else for (let i = 0; i < lines.length; i++) this.bytes -= lines[i].length;
    this.deliver(lines, sources);
  }

  private afterDelivery(): void {
    if (this.closed) return;
    if (this.paused && this.queued <= this.options.highWater / 2 && this.bytes <= (this.options.highWaterBytes ?? Infinity) / 2) {
      this.paused = false;
      this.flow.resume();
    }
    if (this.queued === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.schedule();
  }
}
