import type { KV } from '@nats-io/kv';

/** A partition this worker holds: the lease entry's revision now and when it was first taken (the fencing epoch). */
export interface Lease {
  partition: number;
  /** revision of the lease entry at the last successful renewal (the compare-and-set token) */
  revision: number;
  /** revision at which this worker created the entry: a later owner always has a higher one */
  epoch: number;
  /** wall-clock ms after which the entry may have expired on the server: past it, the partition stops */
  validUntil: number;
}

export interface LeaseOptions {
  workerId: string;
  partitions: number;
  /** lease time to live in seconds: the bucket's TTL (a dead worker's partitions are free after it) */
  ttlSeconds: number;
  /** part of the TTL kept as a safety margin against the server's clock and slow renewals (default 0.2) */
  margin?: number;
}

/** What the owner of the leases does when they change. */
export interface LeaseHandlers {
  /** a partition was taken: start reading it (the epoch fences its checkpoints) */
  acquired(lease: Lease): Promise<void> | void;
  /** a renewal failed or the lease ran out: stop the partition at once, write nothing more for it */
  lost(partition: number, reason: string): void;
  /** before a planned release: stop reading and save the partition's checkpoint */
  releasing(partition: number): Promise<void>;
  error?(err: Error): void;
}

const partitionKey = (p: number): string => `p.${p}`;
const workerKey = (id: string): string => `w.${id}`;

/** A worker id usable in a KV key: letters, digits, - and _ (others become _). */
export function safeWorkerId(id: string): string {
  const safe = String(id ?? '')
    .replace(/[^A-Za-z0-9_-]/g, '_')
    .slice(0, 64);
  if (!safe) throw new Error('worker id is empty');
  return safe;
}

/**
 * How many partitions a worker should hold: the count split evenly over the
 * live workers, the first (count mod workers) of them, in id order, taking
 * one more. Every worker computes the same split from the same list.
 */
export function fairShare(partitions: number, workers: readonly string[], me: string): number {
  const sorted = [...new Set([...workers, me])].sort();
  const rank = sorted.indexOf(me);
  return Math.floor(partitions / sorted.length) + (rank < partitions % sorted.length ? 1 : 0);
}

/**
 * Partition leases in a JetStream key-value bucket whose entries expire
 * after the TTL. Each worker announces itself (`w.<id>`) and holds the
 * partitions whose entry (`p.<n>`) it created. A claim is a create, which
 * fails when the entry exists; a renewal is an update conditioned on the
 * revision the worker last wrote, which fails once anyone else has written
 * the entry, or the entry has expired and been created again: then the
 * partition stops at once. A worker holding more than its fair share
 * releases the excess (checkpoint first, then a conditional delete), and
 * one holding fewer claims free entries: that is how a newcomer gets its
 * share from the most loaded and a dead worker's partitions are taken over
 * once its entries expire.
 */
export class LeaseManager {
  private readonly held = new Map<number, Lease>();
  private ticking: Promise<void> | null = null;
  private closed = false;
  readonly counts = { acquired: 0, released: 0, lost: 0, renewals: 0 };
  /** workers seen alive at the last tick, this one included */
  workers: string[] = [];

  readonly workerId: string;

  constructor(
    private readonly kv: KV,
    private readonly options: LeaseOptions,
    private readonly handlers: LeaseHandlers,
  ) {
    this.workerId = safeWorkerId(options.workerId);
  }

  /** Partitions held now, in order. */
  get partitions(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  lease(partition: number): Lease | undefined {
    return this.held.get(partition);
  }

  /** Whether the partition is still ours, checked on the local clock (no broker round trip): called before every write. */
  holds(partition: number, epoch?: number): boolean {
    const lease = this.held.get(partition);
    if (!lease || (epoch !== undefined && lease.epoch !== epoch)) return false;
    if (Date.now() >= lease.validUntil) {
      this.drop(partition, 'the lease ran out before it could be renewed (process paused or broker unreachable)');
      return false;
    }
    return true;
  }

  /** One round: renew, then give up or claim partitions towards the fair share. Rounds never overlap. */
  tick(): Promise<void> {
    if (!this.ticking) {
      this.ticking = this.round()
        .catch((err: Error) => this.handlers.error?.(err))
        .finally(() => {
          this.ticking = null;
        });
    }
    return this.ticking;
  }

  /** Releases every partition (each checkpointed first) and leaves. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.ticking) await this.ticking;
    for (const p of this.partitions) await this.release(p);
    await this.kv.delete(workerKey(this.workerId)).catch(() => undefined);
  }

  private validUntil(sentAt: number): number {
    const ttl = this.options.ttlSeconds * 1000;
    return sentAt + ttl * (1 - (this.options.margin ?? 0.2));
  }

  private drop(partition: number, reason: string): void {
    if (!this.held.delete(partition)) return;
    this.counts.lost++;
    this.handlers.lost(partition, reason);
  }

  private async round(): Promise<void> {
    if (this.closed) return;
    await this.kv.put(workerKey(this.workerId), JSON.stringify({ at: Date.now() }));
    for (const lease of [...this.held.values()]) {
      const sentAt = Date.now();
      if (sentAt >= lease.validUntil) {
        this.drop(lease.partition, 'the lease ran out before it could be renewed (process paused or broker unreachable)');
        continue;
      }
      try {
        lease.revision = await this.kv.update(partitionKey(lease.partition), this.value(lease.epoch), lease.revision);
        lease.validUntil = this.validUntil(sentAt);
        this.counts.renewals++;
      } catch (err) {
        this.drop(lease.partition, `renewal refused: ${(err as Error).message}`);
      }
    }
    if (this.closed) return;
    const workers: string[] = [];
    const taken = new Set<number>();
    for await (const key of await this.kv.keys()) {
      if (key.startsWith('w.')) workers.push(key.slice(2));
      else if (key.startsWith('p.')) taken.add(Number(key.slice(2)));
    }
    this.workers = [...new Set([...workers, this.workerId])].sort();
    const share = fairShare(this.options.partitions, this.workers, this.workerId);
    // over the share: give back the highest partitions, so the split is stable
    for (const p of this.partitions.slice(share).reverse()) await this.release(p);
    for (let p = 0; p < this.options.partitions && this.held.size < share && !this.closed; p++) {
      if (taken.has(p) || this.held.has(p)) continue;
      await this.claim(p);
    }
  }

  private value(epoch: number): string {
    return JSON.stringify({ worker: this.workerId, epoch });
  }

  private async claim(partition: number): Promise<void> {
    const sentAt = Date.now();
    let revision: number;
    try {
      revision = await this.kv.create(partitionKey(partition), this.value(0));
    } catch {
      return; // someone else was quicker
    }
    const lease: Lease = { partition, revision, epoch: revision, validUntil: this.validUntil(sentAt) };
    this.held.set(partition, lease);
    this.counts.acquired++;
    try {
      await this.handlers.acquired(lease);
    } catch (err) {
      this.handlers.error?.(err as Error);
    }
  }

  private async release(partition: number): Promise<void> {
    const lease = this.held.get(partition);
    if (!lease) return;
    try {
      await this.handlers.releasing(partition);
    } finally {
      // conditional: never deletes an entry a later owner has written
      if (this.held.get(partition) === lease) {
        this.held.delete(partition);
        await this.kv.delete(partitionKey(partition), { previousSeq: lease.revision }).catch(() => undefined);
        this.counts.released++;
      }
    }
  }
}
