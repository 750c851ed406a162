import { randomBytes } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import { type ControlFlags, encodeControl, splitByPartition } from '../core/partition/partition';
import type { LogRecord } from '../core/common/records';
import { isStreamFull, partitionSubject, type StreamLayout } from './connection';
import { encodeRecords } from './record-codec';
import { encodeLines } from './line-messages';
import type { LineBatch } from './zeek-lines';

export interface PublisherOptions {
  /** delta key fields the partition is hashed from (as beacon-partition) */
  keyFields: string[];
  /** how long to keep retrying a batch the full stream refuses or an unreachable server does not acknowledge, in seconds, before giving it up as an error */
  fullRetrySeconds?: number;
  /** wall-clock wait between retries of a refused batch, in milliseconds */
  retryMillis?: number;
  /** at most this many records in one stream message when records waiting for a partition are joined (default 4000, ~350 KB of Zeek records) */
  maxMessageRecords?: number;
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
  /** messages waiting to be sent, for an acknowledgement or a retry */
  pending: number;
}

/** One stream message to come: records or raw lines (more may join it until it is sent) or a control message, and who waits for it. */
interface Outgoing {
  records: LogRecord[] | null;
  /** raw lines and the header they are read with (one header per message) */
  lines: string[] | null;
  header: readonly string[] | null;
  control: string | null;
  waiters: Array<{ resolve: () => void; reject: (err: Error) => void }>;
}

/**
 * The ingest side: each batch is split by partition and each partition's
 * records go as ONE message (record-codec.ts) to `<stream>.<partition>`,
 * acknowledged by the server before the promise resolves. A partition has
 * one message in flight at a time, so its records enter the stream in
 * arrival order; records that arrive for it meanwhile wait and are joined
 * into its next message (the busier the ingest, the larger and fewer the
 * messages: fewer acknowledgements, writes and reads). A control message
 * (flush, reset, checkpoint) goes to every partition after everything
 * published before it, never joined.
 */
export class StreamPublisher {
  readonly counts: PublisherCounts = { messages: 0, records: 0, fullRefusals: 0, retries: 0, duplicates: 0, dropped: 0, pending: 0 };
  /** message ids: this publisher's random prefix and a counter, so a retried message is stored once */
  private readonly idPrefix = randomBytes(8).toString('hex');
  private sequence = 0;
  private readonly queues = new Map<number, Outgoing[]>();
  private readonly idle = new Set<() => void>();
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
    for (const [p, group] of groups) sent.push(this.enqueue(p, { records: group }));
    await Promise.all(sent);
    return { invalid };
  }

  /** Publishes raw lines already split by partition (zeek-lines.ts), parsed by the workers; resolves once the server has every one. */
  async publishLines(batches: readonly LineBatch[]): Promise<void> {
    const sent: Promise<void>[] = [];
    for (const { header, groups } of batches) for (const [p, lines] of groups) sent.push(this.enqueue(p, { lines, header }));
    await Promise.all(sent);
  }

  /** Publishes a control message to every partition, each after that partition's earlier messages. */
  async publishControl(flags: ControlFlags): Promise<void> {
    const body = JSON.stringify(encodeControl(flags));
    const sent: Promise<void>[] = [];
    for (let p = 0; p < this.layout.partitions; p++) sent.push(this.enqueue(p, { control: body }));
    await Promise.all(sent);
  }

  /** Waits for every publish made so far. */
  async drain(): Promise<void> {
    while (this.queues.size > 0) await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  close(): void {
    this.closed = true;
  }

  private enqueue(partition: number, what: { records?: LogRecord[]; lines?: string[]; header?: readonly string[]; control?: string }): Promise<void> {
    const { records = null, lines = null, header = null, control = null } = what;
    return new Promise<void>((resolve, reject) => {
      let queue = this.queues.get(partition);
      const last = queue?.[queue.length - 1];
      // the first entry is in flight: only a later one can still take records
      const max = this.options.maxMessageRecords ?? 4000;
      if (queue && last && queue.length > 1) {
        const joined =
          records && last.records && last.records.length + records.length <= max
            ? (last.records.push(...records), true)
            : lines && last.lines && last.header === header && last.lines.length + lines.length <= max
              ? (last.lines.push(...lines), true)
              : false;
        if (joined) {
          last.waiters.push({ resolve, reject });
          return;
        }
      }
      // the groups are the publisher's own arrays: later records may be pushed onto them
      const entry: Outgoing = { records, lines, header, control, waiters: [{ resolve, reject }] };
      this.counts.pending++;
      if (queue) {
        queue.push(entry);
        return;
      }
      queue = [entry];
      this.queues.set(partition, queue);
      void this.pump(partition, queue);
    });
  }

  /** Sends a partition's messages one after the other until none waits. */
  private async pump(partition: number, queue: Outgoing[]): Promise<void> {
    while (queue.length > 0) {
      const entry = queue[0];
      try {
        const body = entry.records
          ? encodeRecords(entry.records)
          : entry.lines
            ? encodeLines(this.options.keyFields, entry.header ?? [], entry.lines)
            : (entry.control as string);
        await this.send(partition, body, entry.records?.length ?? entry.lines?.length ?? 0);
        for (const w of entry.waiters) w.resolve();
      } catch (err) {
        // a message given up does not stop the partition's later ones; its error is its senders'
        for (const w of entry.waiters) w.reject(err as Error);
      }
      queue.shift();
      this.counts.pending--;
    }
    this.queues.delete(partition);
    if (this.queues.size === 0) {
      for (const resolve of this.idle) resolve();
      this.idle.clear();
    }
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
