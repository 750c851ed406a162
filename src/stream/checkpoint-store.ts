import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

/** One partition's saved position and state: the two travel together or not at all. */
export interface PartitionCheckpoint<S> {
  format: 'netbeacon-partition-checkpoint';
  version: 1;
  stream: string;
  partition: number;
  /** lease epoch of the writer: a checkpoint from a later owner is never overwritten by an earlier one */
  epoch: number;
  /** stream sequence of the last message absorbed into `state`; reading resumes after it */
  lastSeq: number;
  /** what the state depends on (the chain settings); a checkpoint made under others is refused */
  settings: string;
  state: S;
}

/**
 * Checkpoints as files, one per partition, in a folder the workers share
 * (one machine, or a shared mount). Written to a temporary file, flushed to
 * disk, then renamed over the old one: a crash at any instant leaves either
 * the old checkpoint or the new one whole, never half of each, so state and
 * position can never disagree.
 */
export class CheckpointStore<S> {
  constructor(
    readonly dir: string,
    readonly stream: string,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  file(partition: number): string {
    return path.join(this.dir, `${this.stream}-p${partition}.json`);
  }

  load(partition: number): PartitionCheckpoint<S> | null {
    let text: string;
    try {
      text = readFileSync(this.file(partition), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const saved = JSON.parse(text) as PartitionCheckpoint<S>;
    if (saved?.format !== 'netbeacon-partition-checkpoint' || saved.version !== 1)
      throw new Error(`${this.file(partition)} is not a partition checkpoint of this version`);
    if (saved.stream !== this.stream || saved.partition !== partition)
      throw new Error(`${this.file(partition)} belongs to ${saved.stream} partition ${saved.partition}`);
    return saved;
  }

  /**
   * The epoch of the checkpoint on disk, read from the file's first bytes
   * (it is written before the state), so a save does not parse megabytes of
   * state to learn one number; null when there is none.
   */
  private epochOnDisk(partition: number): number | null {
    let fd: number;
    try {
      fd = openSync(this.file(partition), 'r');
    } catch {
      return null;
    }
    try {
      const head = Buffer.alloc(512);
      const n = readSync(fd, head, 0, head.length, 0);
      const m = /"epoch":(\d+)/.exec(head.subarray(0, n).toString('utf8'));
      return m ? Number(m[1]) : null;
    } finally {
      closeSync(fd);
    }
  }

  /** Saves atomically; refuses (returns false) when the file holds a later owner's checkpoint. */
  save(checkpoint: Omit<PartitionCheckpoint<S>, 'format' | 'version' | 'stream'>): boolean {
    const target = this.file(checkpoint.partition);
    const onDisk = this.epochOnDisk(checkpoint.partition);
    if (onDisk !== null && onDisk > checkpoint.epoch) return false;
    // the small fields first, the state last: epochOnDisk reads the head only
    const full: PartitionCheckpoint<S> = {
      format: 'netbeacon-partition-checkpoint',
      version: 1,
      stream: this.stream,
      partition: checkpoint.partition,
      epoch: checkpoint.epoch,
      lastSeq: checkpoint.lastSeq,
      settings: checkpoint.settings,
      state: checkpoint.state,
    };
    const temp = `${target}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, JSON.stringify(full));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
    try {
      // the rename itself reaches the disk with the folder's entry
      const dirFd = openSync(this.dir, 'r');
      fsyncSync(dirFd);
      closeSync(dirFd);
    } catch {
      // some file systems cannot fsync a folder; the rename is still atomic
    }
    return true;
  }

  remove(partition: number): void {
    try {
      unlinkSync(this.file(partition));
    } catch {
      // absent already
    }
  }
}
