/**
 * Counters of a syslog listener, per sender address and in total: what came
 * in, what could not be used, and why. Bounded: past `maxSenders` distinct
 * addresses, the rest are counted together under OTHER_SENDERS.
 */

export interface SenderCounts {
  lines: number;
  bytes: number;
  parseErrors: number;
  /** frames or datagrams over the size cap, skipped */
  oversized: number;
  /** unfinished frames of connections that were lost or timed out */
  incomplete: number;
  /** lines dropped because a queue was full (its lines or its bytes; TCP is paused first) */
  queueDropped: number;
  /** the bytes of those lines */
  queueDroppedBytes: number;
  /** header lines read (Zeek #fields and the like): used, but not records */
  headers: number;
  /** connections refused: over the cap in all or over the cap per sender */
  refused: number;
  /** TLS connections closed before their handshake completed (failed, abandoned or timed out) */
  handshakeFailed: number;
  /** connections closed because no frame completed within the progress timeout */
  stalled: number;
}

export const OTHER_SENDERS = '(other senders)';

const zero = (): SenderCounts => ({
  lines: 0,
  bytes: 0,
  parseErrors: 0,
  oversized: 0,
  incomplete: 0,
  queueDropped: 0,
  queueDroppedBytes: 0,
  headers: 0,
  refused: 0,
  handshakeFailed: 0,
  stalled: 0,
});

export class IngestCounters {
  readonly total: SenderCounts = zero();
  private readonly senders = new Map<string, SenderCounts>();
  connectionsRejected = 0;
  connectionsTimedOut = 0;

  constructor(private readonly maxSenders = 10000) {}

  /** The counts of one sender (created on first sight). */
  of(sender: string): SenderCounts {
    let c = this.senders.get(sender);
    if (!c) {
      const key = this.senders.size < this.maxSenders ? sender : OTHER_SENDERS;
      c = this.senders.get(key);
      if (!c) this.senders.set(key, (c = zero()));
    }
    return c;
  }

  add(sender: SenderCounts, field: keyof SenderCounts, n = 1): void {
    sender[field] += n;
    this.total[field] += n;
  }

  get senderCount(): number {
    return this.senders.size;
  }

  /** Lines lost that the node itself saw (oversized frames count as one line each). */
  get seenLosses(): number {
    return this.total.oversized + this.total.incomplete + this.total.queueDropped;
  }

  snapshot(): { total: SenderCounts; senders: Record<string, SenderCounts>; connectionsRejected: number; connectionsTimedOut: number } {
    const senders: Record<string, SenderCounts> = {};
    for (const [k, v] of this.senders) senders[k] = { ...v };
    return { total: { ...this.total }, senders, connectionsRejected: this.connectionsRejected, connectionsTimedOut: this.connectionsTimedOut };
  }

  reset(): void {
    Object.assign(this.total, zero());
    this.senders.clear();
    this.connectionsRejected = 0;
    this.connectionsTimedOut = 0;
  }
}
