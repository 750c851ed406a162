import { isRecord, LogRecord } from '../common/records';

/**
 * Partitioning records by their delta key, so that every event of one key
 * reaches the same worker. The hash is written down so that any
 * tool can compute a record's partition:
 *
 *   key text  = the key fields' values as text (a string as it is, a number in
 *               its shortest JavaScript form, true/false, missing or null →
 *               empty), joined with one tab character when there are several
 *   hash      = FNV-1a, 32 bits, over the UTF-8 bytes of the key text
 *               (offset basis 2166136261, prime 16777619)
 *   partition = hash mod partition count
 *
 * Records with equal delta keys have equal key texts, hence one partition.
 */

export const FNV_OFFSET_BASIS = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** FNV-1a 32-bit of a string's UTF-8 bytes (encoded inline: no buffer per record). */
export function fnv1a32(text: string): number {
  let h = FNV_OFFSET_BASIS;
  const byte = (b: number) => {
    h ^= b;
    h = Math.imul(h, FNV_PRIME);
  };
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) byte(c);
    else if (c < 0x800) {
      byte(0xc0 | (c >> 6));
      byte(0x80 | (c & 0x3f));
    } else {
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
        const low = text.charCodeAt(i + 1);
        if (low >= 0xdc00 && low < 0xe000) {
          c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
          i++;
        }
      }
      if (c >= 0xd800 && c < 0xe000) c = 0xfffd; // a lone surrogate encodes as U+FFFD, as Buffer.from does
      if (c < 0x10000) {
        byte(0xe0 | (c >> 12));
      } else {
        byte(0xf0 | (c >> 18));
        byte(0x80 | ((c >> 12) & 0x3f));
      }
      byte(0x80 | ((c >> 6) & 0x3f));
      byte(0x80 | (c & 0x3f));
    }
  }
  return h >>> 0;
}

function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** The text a record's partition is hashed from (see the file comment). */
export function partitionKeyText(record: LogRecord, keyFields: readonly string[]): string {
  let text = valueText(record[keyFields[0]]);
  for (let i = 1; i < keyFields.length; i++) text += '\t' + valueText(record[keyFields[i]]);
  return text;
}

export function partitionOf(record: LogRecord, keyFields: readonly string[], count: number): number {
  return fnv1a32(partitionKeyText(record, keyFields)) % count;
}

/** Records grouped by partition, each group in arrival order; non-records are returned apart. */
export function splitByPartition(
  records: readonly unknown[],
  keyFields: readonly string[],
  count: number,
): { groups: Map<number, LogRecord[]>; invalid: unknown[] } {
  const groups = new Map<number, LogRecord[]>();
  const invalid: unknown[] = [];
  for (const record of records) {
    if (!isRecord(record)) {
      invalid.push(record);
      continue;
    }
    const p = partitionOf(record, keyFields, count);
    const group = groups.get(p);
    if (group) group.push(record);
    else groups.set(p, [record]);
  }
  return { groups, invalid };
}

/** Largest partition count accepted: far above any deployment, small enough for a topic per partition. */
export const MAX_PARTITIONS = 65536;

export function parsePartitionCount(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(String(value ?? '').trim());
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARTITIONS) {
    throw new Error(`partition count must be a whole number from 1 to ${MAX_PARTITIONS}, not "${String(value).slice(0, 40)}"`);
  }
  return n;
}

/**
 * A worker's partitions: "0-3", "5", "0-1, 6, 8-9" (ranges inclusive).
 * Returns them sorted, without repeats.
 */
export function parsePartitionList(text: unknown): number[] {
  const result = new Set<number>();
  const parts = String(text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new Error('no partitions given (e.g. "0-3")');
  for (const part of parts) {
    const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(part);
    const from = m ? Number(m[1]) : NaN;
    const to = m ? Number(m[2] ?? m[1]) : NaN;
    if (!m || to < from || to >= MAX_PARTITIONS) throw new Error(`"${part.slice(0, 40)}" is not a partition or a range like 0-3`);
    for (let p = from; p <= to; p++) result.add(p);
  }
  return [...result].sort((a, b) => a - b);
}

/** The topic of a partition: `<prefix>/<partition>`. */
export const partitionTopic = (prefix: string, partition: number): string => `${prefix}/${partition}`;

/** The partition a topic names, or null when it is not `<prefix>/<number>`. */
export function topicPartition(topic: unknown, prefix: string): number | null {
  if (typeof topic !== 'string' || !topic.startsWith(prefix + '/')) return null;
  const rest = topic.slice(prefix.length + 1);
  return /^\d{1,5}$/.test(rest) ? Number(rest) : null;
}

/**
 * Control messages over a broker. MQTT carries only a payload, so a control
 * message travels as `{"netbeaconControl": {"flush": true}}` (an object no log
 * record has) and becomes `msg.flush` again on the worker.
 */
export interface ControlFlags {
  flush?: boolean;
  reset?: boolean;
  checkpoint?: boolean;
}

export const CONTROL_KEY = 'netbeaconControl';

export function encodeControl(flags: ControlFlags): Record<string, ControlFlags> {
  const out: ControlFlags = {};
  if (flags.flush) out.flush = true;
  if (flags.reset) out.reset = true;
  if (flags.checkpoint) out.checkpoint = true;
  return { [CONTROL_KEY]: out };
}

/** The flags of an encoded control payload, or null when the payload is not one. */
export function decodeControl(payload: unknown): ControlFlags | null {
  if (!isRecord(payload) || !isRecord(payload[CONTROL_KEY])) return null;
  const flags = payload[CONTROL_KEY] as Record<string, unknown>;
  return { flush: flags.flush === true, reset: flags.reset === true, checkpoint: flags.checkpoint === true };
}

/**
 * The ingest sends each control message to every partition, so a worker
 * that takes k partitions receives k copies. It passes the first copy on (over
 * one broker connection it arrives after every record published before it)
 * and drops the others until each of its partitions has delivered one. A copy
 * from a partition already seen starts a new round: a repeated flush or
 * checkpoint is harmless, a lost one is not.
 */
export class ControlRounds {
  private readonly seen = new Map<string, Set<number>>();

  constructor(private readonly partitions: number) {}

  /** Whether this copy of a control message is to be passed on. */
  accept(kind: string, partition: number): boolean {
    let round = this.seen.get(kind);
    let pass = false;
    if (!round || round.has(partition)) {
      round = new Set();
      this.seen.set(kind, round);
      pass = true;
    }
    round.add(partition);
    if (round.size >= this.partitions) this.seen.delete(kind);
    return pass;
  }

  clear(): void {
    this.seen.clear();
  }
}
