import type { KV } from '@nats-io/kv';
import { decodeControl, type ControlFlags } from '../core/partition/partition';
import { CheckpointStore } from './checkpoint-store';
import { ensureStream, openAlertBucket, openLeaseBucket, type StreamClients, type StreamLimits } from './connection';
import { type ChainSpec, type ChainState, DetectionChain, type ChainOutput, newChainOutput } from './detection-chain';
import { type Lease, LeaseManager } from './leases';
import { PartitionReader } from './partition-reader';
import { decodeRecords } from './record-codec';
import { type DecodedLines, decodeLines, isLinesMessage, UnreadableMessageError } from './line-messages';

export interface WorkerOptions {
  stream: string;
  partitions: number;
  workerId: string;
  /** folder of the partition checkpoints, shared by the workers that may take each other's partitions */
  checkpointDir: string;
  /** the detection each partition runs */
  chain: ChainSpec;
  /** what the chain's state depends on (its settings as text): a checkpoint made under another is not restored */
  chainId: string;
  /** lease TTL in seconds (default 10): a dead worker's partitions are taken over after it */
  leaseSeconds?: number;
  /** checkpoint a partition after this many messages (default 2000) … */
  checkpointMessages?: number;
  /** … or this many seconds after its last one, whichever first (default 60; wall clock paces saves, never detection) */
  checkpointSeconds?: number;
  limits?: StreamLimits;
  /** seconds between the worker's status messages on `<stream>_status.<worker>` (default 2; 0 = none) */
  statusSeconds?: number;
  /** hours an alert id is remembered as notified (default 168); 0 = no memory: re-read alerts are notified again */
  alertMemoryHours?: number;
}

/** What the worker hands its owner (the Node-RED node, a test, the benchmark). */
export interface WorkerSink {
  /** rows of one partition, after the message at `seq` */
  output(partition: number, out: ChainOutput, seq: number): void;
  /** a control message has passed every record before it in the partition */
  control(partition: number, flags: ControlFlags, seq: number): void;
  warn(message: string): void;
  error(err: Error, partition?: number): void;
  /** partitions gained or lost (for status) */
  changed?(): void;
}

/** An alert id's entry in the alert bucket: claimed by a worker, or known to have left. */
const PENDING = 'pending';
const SENT = 'sent';

interface Owned {
  lease: Lease;
  chain: DetectionChain;
  reader: PartitionReader | null;
  lastSeq: number;
  sinceCheckpoint: number;
  checkpointAt: number;
  /** set when the partition cannot be read (a trimmed stream): it is held, not read */
  failed: Error | null;
}

/**
 * A worker of the scale-out: leases its share of the partitions, restores
 * each from its checkpoint (state and position together), reads it from the
 * next sequence, and checkpoints it now and then, on a control message and
 * on release. A partition whose lease is lost stops before its next message,
 * and a checkpoint is written only while the lease is held.
 */
export class StreamWorker {
  private leases: LeaseManager | null = null;
  private kv: KV | null = null;
  private alerts: KV | null = null;
  private timer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private readonly owned = new Map<number, Owned>();
  private readonly store: CheckpointStore<ChainState>;
  private readonly settingsText: string;
  private closed = false;
  readonly counts = { messages: 0, records: 0, checkpoints: 0, restored: 0, refusedCheckpoints: 0, alertsNotified: 0, alertsRepeated: 0 };

  constructor(
    private readonly clients: StreamClients,
    readonly options: WorkerOptions,
    private readonly sink: WorkerSink,
  ) {
    this.store = new CheckpointStore(options.checkpointDir, options.stream);
    this.settingsText = options.chainId;
  }

  get workerId(): string {
    return this.leases?.workerId ?? this.options.workerId;
  }

  /** Partitions held, with each one's last absorbed sequence and messages still to read. */
  get lag(): Array<{ partition: number; lastSeq: number; pending: number; failed: boolean }> {
    return [...this.owned.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([partition, o]) => ({ partition, lastSeq: o.lastSeq, pending: o.reader?.pending ?? 0, failed: o.failed !== null }));
  }

  get workers(): string[] {
    return this.leases?.workers ?? [];
  }

  async start(): Promise<void> {
    const ttl = this.options.leaseSeconds ?? 10;
    await ensureStream(this.clients.jsm, { name: this.options.stream, partitions: this.options.partitions }, this.options.limits);
    this.kv = await openLeaseBucket(this.clients.nc, this.options.stream, ttl);
    const keep = this.options.alertMemoryHours ?? 168;
    if (keep > 0) this.alerts = await openAlertBucket(this.clients.nc, this.options.stream, keep);
    this.leases = new LeaseManager(
      this.kv,
      { workerId: this.options.workerId, partitions: this.options.partitions, ttlSeconds: ttl },
      {
        acquired: (lease) => this.acquire(lease),
        lost: (p, reason) => this.lose(p, reason),
        releasing: (p) => this.release(p),
        error: (err) => this.sink.error(err),
      },
    );
    await this.leases.tick();
    // a round every quarter TTL: renewals well inside the TTL even when one round is slow
    this.timer = setInterval(() => void this.leases?.tick(), (ttl * 1000) / 4);
    const every = this.options.statusSeconds ?? 2;
    if (every > 0) {
      // core NATS, not the stream: for `npm run cluster`'s lag line and `nats sub '<stream>_status.>'`
      this.statusTimer = setInterval(() => this.publishStatus(), every * 1000);
      this.statusTimer.unref?.();
    }
  }

  /** The subject a worker's status goes to. */
  static statusSubject(stream: string, workerId = '*'): string {
    return `${stream}_status.${workerId}`;
  }

  private publishStatus(): void {
    try {
      const status = { worker: this.workerId, workers: this.workers.length, partitions: this.lag, counts: this.counts };
      this.clients.nc.publish(StreamWorker.statusSubject(this.options.stream, this.workerId), JSON.stringify(status));
    } catch {
      // the connection is down; the client reconnects and the next status goes out
    }
  }

  /** Saves every partition's checkpoint now (e.g. before a planned stop). */
  checkpointAll(): void {
    for (const p of this.owned.keys()) this.checkpoint(p);
  }

  /** Checkpoints and releases every partition, so another worker takes them over at once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    // every reader stopped at once, then each partition checkpointed and released: renewals have
    // stopped, and one by one the last partitions could outlive their lease and lose the release checkpoint
    await Promise.all([...this.owned.values()].map((o) => o.reader?.stop()));
    await this.leases?.close();
  }

  /** Stops reading without a checkpoint or a release, as a crash would (for tests of takeover). */
  async abandon(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    for (const o of this.owned.values()) await o.reader?.stop();
    this.owned.clear();
  }

  private async acquire(lease: Lease): Promise<void> {
    const p = lease.partition;
    const chain = new DetectionChain(this.options.chain);
    let lastSeq = 0;
    const owned: Owned = { lease, chain, reader: null, lastSeq, sinceCheckpoint: 0, checkpointAt: Date.now(), failed: null };
    this.owned.set(p, owned);
    try {
      const saved = this.store.load(p);
      if (saved && saved.settings !== this.settingsText) {
        this.sink.warn(`partition ${p}: its checkpoint was made with other chain settings; starting it empty from the stream's first message`);
      } else if (saved) {
        chain.restore(saved.state);
        lastSeq = owned.lastSeq = saved.lastSeq;
        this.counts.restored++;
      }
    } catch (err) {
      // held but not read: starting it empty would count its keys' events again from the stream's start
      owned.failed = new Error(
        `partition ${p}: its checkpoint cannot be read (${(err as Error).message}); it is not read until the file is repaired or deleted`,
      );
      this.sink.error(owned.failed, p);
      this.sink.changed?.();
      return;
    }
    const reader = new PartitionReader(this.clients.js, this.clients.jsm, this.options.stream, p, lastSeq, (seq, data) => this.absorb(owned, seq, data));
    owned.reader = reader;
    try {
      const { missingBefore } = await reader.start();
      if (missingBefore > 0)
        this.sink.warn(`partition ${p} has no checkpoint and the stream no longer holds its first ${missingBefore} message(s): starting at the first one kept`);
    } catch (err) {
      owned.failed = err as Error;
      this.sink.error(err as Error, p);
    }
    this.sink.changed?.();
  }

  private absorb(owned: Owned, seq: number, data: Uint8Array): void | Promise<void> {
    const p = owned.lease.partition;
    // fencing: nothing is written for a partition whose lease may have passed to another worker
    if (this.owned.get(p) !== owned || !this.leases?.holds(p, owned.lease.epoch)) {
      void owned.reader?.stop();
      return;
    }
    if (isLinesMessage(data)) return this.absorbLines(owned, seq, data);
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(data).toString('utf8'));
    } catch {
      this.sink.error(new Error(`partition ${p}: message ${seq} is not JSON; skipped`), p);
      owned.lastSeq = seq;
      return;
    }
    const flags = decodeControl(payload);
    this.counts.messages++;
    if (flags) {
      if (flags.reset) owned.chain.reset();
      const out = owned.chain.push([], flags.flush === true);
      owned.lastSeq = seq;
      const finish = (claimed: string[]) => {
        if (!this.leases?.holds(p, owned.lease.epoch)) return;
        this.sink.output(p, out, seq);
        this.sent(claimed);
        this.checkpoint(p);
        this.sink.control(p, flags, seq);
      };
      if (out.alerts.length > 0) return this.markAlerts(out).then(finish);
      return finish([]);
    }
    let records: unknown[];
    try {
      // a plain JSON record or array is read too (messages published by hand, or by an earlier version)
      records = decodeRecords(payload) ?? (Array.isArray(payload) ? payload : [payload]);
    } catch (err) {
      this.sink.error(new Error(`partition ${p}: message ${seq}: ${(err as Error).message}; skipped`), p);
      owned.lastSeq = seq;
      return;
    }
    return this.detect(owned, seq, records);
  }

  /** Raw log lines (line-messages.ts): parsed here, each record checked to belong to this partition. */
  private absorbLines(owned: Owned, seq: number, data: Uint8Array): void | Promise<void> {
    const p = owned.lease.partition;
    this.counts.messages++;
    let lines: DecodedLines;
    try {
      // a view of the message's bytes, not a copy
      lines = decodeLines(Buffer.from(data).toString('utf8'), p, this.options.partitions);
    } catch (err) {
      if (!(err instanceof UnreadableMessageError)) throw err;
      // skipping it would lose its records: the partition stops here, with the reason
      owned.failed = new Error(`partition ${p}: message ${seq}: ${err.message}; the partition is not read further`);
      void owned.reader?.stop();
      this.sink.error(owned.failed, p);
      this.sink.changed?.();
      return;
    }
    if (lines.unparsed > 0) this.sink.error(new Error(`partition ${p}: message ${seq}: ${lines.unparsed} line(s) not parsed; first: ${lines.firstError}`), p);
    if (lines.misplaced > 0)
      this.sink.error(
        new Error(
          `partition ${p}: message ${seq}: ${lines.misplaced} record(s) whose key belongs to another partition left out (the ingest's key extraction disagrees with the parser)`,
        ),
        p,
      );
    return this.detect(owned, seq, lines.records);
  }

  private detect(owned: Owned, seq: number, records: unknown[]): void | Promise<void> {
    this.counts.records += records.length;
    const out = owned.chain.push(records, false, newChainOutput());
    owned.lastSeq = seq;
    owned.sinceCheckpoint++;
    if (out.alerts.length > 0) return this.markAlerts(out).then((claimed) => this.emit(owned, out, seq, claimed));
    this.emit(owned, out, seq, []);
  }

  /**
   * Marks each alert with whether it is the first time its AlertId goes
   * out (msg.notify for the hand-offs), and returns the ids it claimed. An
   * id's entry in the alert bucket is created as "pending" and set to "sent"
   * once the alert has left (sent()): a re-read alert whose entry says
   * "sent" is not notified again, one whose earlier owner claimed it but
   * lost the partition before it left is. When the bucket cannot answer, the
   * alert is notified (twice is better than never).
   */
  private async markAlerts(out: ChainOutput): Promise<string[]> {
    const claimed: string[] = [];
    for (const row of out.alerts) {
      // the scorer named it after its rule and cell: the same whichever worker scores it, however often
      const id = String(row.AlertId);
      if (row.Notify === false) continue; // its cell was notified already (early, or before the checkpoint)
      let first = true;
      if (this.alerts) {
        try {
          await this.alerts.create(id, PENDING);
          claimed.push(id);
        } catch (err) {
          if (/wrong last sequence|key exists/i.test((err as Error).message)) {
            const entry = await this.alerts.get(id).catch(() => null);
            first = entry?.string() !== SENT;
            if (first) claimed.push(id);
          }
        }
      }
      row.Notify = first;
      if (first) this.counts.alertsNotified++;
      else this.counts.alertsRepeated++;
    }
    return claimed;
  }

  /** Records in the alert bucket that these alerts have left. */
  private sent(ids: readonly string[]): void {
    for (const id of ids) void this.alerts?.put(id, SENT).catch(() => undefined);
  }

  private emit(owned: Owned, out: ChainOutput, seq: number, claimed: string[]): void {
    const p = owned.lease.partition;
    // fencing again: the alert book was asked in between
    if (!this.leases?.holds(p, owned.lease.epoch)) return;
    this.sink.output(p, out, seq);
    this.sent(claimed);
    if (
      owned.sinceCheckpoint >= (this.options.checkpointMessages ?? 2000) ||
      Date.now() - owned.checkpointAt >= (this.options.checkpointSeconds ?? 60) * 1000
    ) {
      this.checkpoint(p);
    }
  }

  private checkpoint(p: number): void {
    const owned = this.owned.get(p);
    if (!owned || owned.failed) return;
    if (!this.leases?.holds(p, owned.lease.epoch)) return;
    try {
      const ok = this.store.save({
        partition: p,
        epoch: owned.lease.epoch,
        lastSeq: owned.lastSeq,
        settings: this.settingsText,
        state: owned.chain.snapshot(),
      });
      if (ok) this.counts.checkpoints++;
      else this.counts.refusedCheckpoints++;
    } catch (err) {
      this.sink.error(new Error(`partition ${p}: checkpoint not saved: ${(err as Error).message}`), p);
    }
    owned.sinceCheckpoint = 0;
    owned.checkpointAt = Date.now();
  }

  private lose(p: number, reason: string): void {
    const owned = this.owned.get(p);
    this.owned.delete(p);
    void owned?.reader?.stop();
    this.sink.warn(`partition ${p} stopped: ${reason}`);
    this.sink.changed?.();
  }

  private async release(p: number): Promise<void> {
    const owned = this.owned.get(p);
    if (!owned) return;
    await owned.reader?.stop();
    this.checkpoint(p);
    this.owned.delete(p);
    this.sink.changed?.();
  }
}
