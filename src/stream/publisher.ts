import { randomBytes } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import { type ControlFlags, encodeControl, splitByPartition } from '../core/partition/partition';
import type { LogRecord } from '../core/common/records';
import { isStreamFull, partitionSubject, type StreamLayout } from './connection';
import { encodeRecords } from './record-codec';

export interface PublisherOptions {
  /** delta key fields the partition is hashed from (as beacon-partition) */
  keyFields: string[];
  /** how long to keep retrying a batch the full stream refuses or an unreachable server does not acknowledge, in seconds, before giving it up as an error */
  fullRetrySeconds?: number;
  /** wall-clock wait between retries of a refused batch, in milliseconds */
  retryMillis?: number;
}

export interface PublisherCounts {
  /** messages the server acknowledged */
  messages: number;
  records: number;
  /** publishes the stream refused because it was full (each retry counts) */
  fullRefusals: number;
  /** publishes tried again because the server did not answer (restart, network) */
  retries: number;
  /** messages the server recognised as already stored (a retry after a lost acknowledgement) */
  duplicates: number;
  /** records given up after retrying for fullRetrySeconds (also reported as an error) */
  dropped: number;
  /** batches waiting for an acknowledgement or a retry */
  pending: number;
}

/**
 * The ingest side: each batch is split by partition and each partition's
 * records go as ONE message (record-codec.ts) to `<stream>.<partition>`, acknowledged by the
 * server before the promise resolves. Publishes of one partition are chained
 * so its records enter the stream in arrival order, and a control message
 * (flush, reset, checkpoint) goes to every partition after everything
 * published before it.
 */
export class StreamPublisher {
  readonly counts: PublisherCounts = { messages: 0, records: 0, fullRefusals: 0, retries: 0, duplicates: 0, dropped: 0, pending: 0 };
  /** message ids: this publisher's random prefix and a counter, so a retried message is stored once */
  private readonly idPrefix = randomBytes(8).toString('hex');
  private sequence = 0;
  private readonly tails = new Map<number, Promise<void>>();
  private closed = false;

  constructor(
    private readonly js: JetStreamClient,
    readonly layout: StreamLayout,
    private readonly options: PublisherOptions,
  ) {}

  /** Publishes records (each to its partition); resolves once the server has every one; non-records are returned. */
  async publishRecords(records: readonly unknown[]): Promise<{ invalid: unknown[] }> {
    const { groups, invalid } = splitByPartition(records, this.options.keyFields, this.layout.partitions);
    const sent: Promise<void>[] = [];
    for (const [p, group] of groups) sent.push(this.enqueue(p, encodeRecords(group as LogRecord[]), group.length));
    await Promise.all(sent);
    return { invalid };
  }

  /** Publishes a control message to every partition, each after that partition's earlier messages. */
  async publishControl(flags: ControlFlags): Promise<void> {
    const body = JSON.stringify(encodeControl(flags));
    const sent: Promise<void>[] = [];
    for (let p = 0; p < this.layout.partitions; p++) sent.push(this.enqueue(p, body, 0));
    await Promise.all(sent);
  }

  /** Waits for every publish made so far. */
  async drain(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }

  close(): void {
    this.closed = true;
  }

  private enqueue(partition: number, body: string, records: number): Promise<void> {
    const previous = this.tails.get(partition) ?? Promise.resolve();
    this.counts.pending++;
    // a batch given up does not stop the partition's later ones; its error is the caller's
    const mine = previous.catch(() => undefined).then(() => this.send(partition, body, records));
    const tail = mine.finally(() => {
      this.counts.pending--;
      if (this.tails.get(partition) === tail) this.tails.delete(partition);
    });
    this.tails.set(
      partition,
      tail.catch(() => undefined),
    );
    return tail;
  }

  private async send(partition: number, body: string, records: number): Promise<void> {
    const subject = partitionSubject(this.layout.name, partition);
    const deadline = Date.now() + (this.options.fullRetrySeconds ?? 60) * 1000;
    // one id for every attempt: when an acknowledgement is lost the server has the message, and the retry is dropped as a duplicate
    const msgID = `${this.idPrefix}-${++this.sequence}`;
    for (;;) {
      if (this.closed) throw new Error(`publisher closed: ${records} record(s) for ${subject} not sent`);
      try {
        const ack = await this.js.publish(subject, body, { msgID, expect: { streamName: this.layout.name } });
        if (ack.duplicate) this.counts.duplicates++;
        this.counts.messages++;
        this.counts.records += records;
        return;
      } catch (err) {
        const full = isStreamFull(err);
        // a refusal for another reason (no such stream, permissions) will not change by waiting
        if (!full && (err as Error).name === 'JetStreamApiError') throw err;
        if (full) this.counts.fullRefusals++;
        else this.counts.retries++;
        if (Date.now() >= deadline) {
          this.counts.dropped += records;
          const why = full ? `stream ${this.layout.name} is full` : 'the server did not acknowledge';
          throw new Error(`${why} (${(err as Error).message}): ${records} record(s) for ${subject} given up after retrying`);
        }
        // wall-clock pacing of retries only, while the limits trim or the server comes back
        await new Promise((resolve) => setTimeout(resolve, this.options.retryMillis ?? 500));
      }
    }
  }
}
