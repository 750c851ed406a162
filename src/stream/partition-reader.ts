import { DeliverPolicy, type JetStreamClient, type JetStreamManager, type ConsumerMessages } from '@nats-io/jetstream';
import { partitionSubject } from './connection';

/** A checkpoint whose next message is no longer in the stream: resuming would silently skip records. */
export class TrimmedStreamError extends Error {
  constructor(
    readonly stream: string,
    readonly partition: number,
    readonly lastSeq: number,
    readonly firstSeq: number,
  ) {
    super(
      `partition ${partition} cannot resume: its checkpoint absorbed ${stream} up to sequence ${lastSeq}, ` +
        `but the stream now starts at ${firstSeq} (messages ${lastSeq + 1}–${firstSeq - 1} were trimmed by its limits). ` +
        `Records of this partition may be missing; it is not read. Raise the stream's max age or size, or delete the checkpoint to start over from the stream's first message.`,
    );
    this.name = 'TrimmedStreamError';
  }
}

/** One message of a partition: its stream sequence, body and how many of the partition's messages are still behind it. */
export type MessageHandler = (seq: number, data: Uint8Array, pending: number) => void | Promise<void>;

/**
 * Reads one partition from a stream sequence on, in order, with an ordered
 * consumer: ephemeral, flow-controlled, recreated by the client from the last
 * delivered sequence after a gap or a broker restart. It needs no
 * acknowledgements because the position that matters is the one in the
 * worker's checkpoint, not one held by the broker.
 */
export class PartitionReader {
  private messages: ConsumerMessages | null = null;
  private stopped = false;
  /** resolves when the read loop has ended (stopped, or failed) */
  done: Promise<void> = Promise.resolve();
  lastSeq: number;
  /** the partition's messages not yet delivered, as the server last said */
  pending = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly stream: string,
    readonly partition: number,
    /** sequence of the last message already absorbed (0 = none) */
    fromSeq: number,
    private readonly handle: MessageHandler,
  ) {
    this.lastSeq = fromSeq;
  }

  /**
   * Checks that the stream still holds the next message, then reads in the
   * background. Throws TrimmedStreamError when it does not. With no
   * checkpoint (lastSeq 0) it starts at the first message kept and returns
   * how many earlier ones the stream no longer has.
   */
  async start(): Promise<{ missingBefore: number }> {
    const info = await this.jsm.streams.info(this.stream);
    const firstSeq = info.state.first_seq;
    let missingBefore = 0;
    if (this.lastSeq > 0 && this.lastSeq + 1 < firstSeq && info.state.messages > 0) {
      throw new TrimmedStreamError(this.stream, this.partition, this.lastSeq, firstSeq);
    }
    if (this.lastSeq > 0 && info.state.messages === 0 && info.state.last_seq > this.lastSeq) {
      throw new TrimmedStreamError(this.stream, this.partition, this.lastSeq, info.state.last_seq + 1);
    }
    if (this.lastSeq === 0 && firstSeq > 1) missingBefore = firstSeq - 1;
    const consumer = await this.js.consumers.get(this.stream, {
      filter_subjects: partitionSubject(this.stream, this.partition),
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.lastSeq + 1,
    });
    if (this.stopped) return { missingBefore };
    this.messages = await consumer.consume({ max_messages: 256 });
    if (this.stopped) this.messages.stop();
    const messages = this.messages;
    this.done = (async () => {
      for await (const m of messages) {
        if (this.stopped) break;
        this.pending = m.info.pending;
        const handled = this.handle(m.seq, m.data, m.info.pending);
        if (handled) await handled; // one message at a time: a partition's rows leave in stream order
        this.lastSeq = m.seq;
        // messages the client holds already come by microtasks alone: without a turn of the event loop between them,
        // a long backlog would hold up the lease renewals (their timers), and the lease would lapse while its holder works
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    return { missingBefore };
  }

  /** Stops at once: no message is handled after this returns. */
  stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    return this.done.catch(() => undefined);
  }
}
