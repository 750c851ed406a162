import { sortedRunOf } from './delta-batch';
import { BufferedEvent, EventOrder, ReorderBuffer } from './reorder-buffer';
import { isRecord, keyOf, LogRecord, RecordError } from '../common/records';
import { jsonCopy, makeSnapshot, openSnapshot, Snapshot } from '../common/snapshot';
import { compareTime, EventTime, parseEventTime, readEventTime } from '../common/time';

export interface DeltaOptions {
  /** Events are paired with the next event of the same key (KQL: `where LocalIP == nextLocalIP`). */
  keyFields: string[];
  timeField: string;
  /** Secondary sort fields for events tied on time (KQL: the rest of `sort by`). */
  tieFields: string[];
  /** How far (seconds) an event may arrive behind the newest event seen and still be ordered correctly. */
  latenessSeconds: number;
  deltaField: string;
  nextTimeField: string;
  /** at most this many keys are tracked; keys seen once are forgotten first (0 = no cap) */
  maxKeys?: number;
  /** at most this many events wait in the reorder buffer; the oldest is released early (0 = no cap) */
  maxBuffered?: number;
}

/** Caps that keep a tracker near 1 GB of heap at worst (measured ~350 B per key, records included). */
export const DEFAULT_MAX_KEYS = 500_000;
export const DEFAULT_MAX_BUFFERED = 1_000_000;

export const WIREDATA_DELTA: DeltaOptions = {
  keyFields: ['LocalIP'],
  timeField: 'TimeGenerated',
  tieFields: ['RemoteIP', 'RemotePortNumber'],
  latenessSeconds: 0,
  deltaField: 'TimeDeltainSeconds',
  nextTimeField: 'nextTimeGenerated',
};

/** Where the records of one call went. */
export interface DeltaOutput {
  /** earlier events, now carrying their delta and the next event's time */
  released: LogRecord[];
  /** events that arrived after a later event of their key had been released */
  late: LogRecord[];
  errors: RecordError[];
}

export function newDeltaOutput(): DeltaOutput {
  return { released: [], late: [], errors: [] };
}

/** One saved event: arrival number and record. */
type SavedEvent = [number, LogRecord];

export interface DeltaState {
  watermark: [number, number] | null;
  seq: number;
  buffered: SavedEvent[];
  probation: SavedEvent[];
  established: SavedEvent[];
  counts: DeltaTracker['counts'];
}

/**
 * Streaming form of KQL's `sort by key, time, ties | serialize
 * next(time) … where key == nextKey`: each event gets the time to the next
 * event of its key, attached to the earlier event.
 *
 * Events wait in a reorder buffer until they are older than the watermark
 * (newest event time seen) minus the lateness; only then is their order
 * final. The last released event of each key waits for its successor.
 */
export class DeltaTracker {
  private readonly order: EventOrder;
  /** single records one heap push each, batches as sorted runs (core/batch) */
  private readonly buffer: ReorderBuffer;
  /** scratch for parsed times: the hot path allocates none */
  private readonly time: EventTime = { sec: 0, ticks: 0 };
  private readonly waitingTime: EventTime = { sec: 0, ticks: 0 };
  private readonly release = (record: LogRecord, key: string, sec: number, out: DeltaOutput) => this.releaseOne(record, key, sec, out);
  /**
   * Per key, the last released event, waiting for the next one. Keys seen
   * once wait on probation; a key's second event promotes it. The waiting
   * state is the record alone (its time is read again when needed), which
   * keeps a tracked key near 150 heap bytes. Under a cap,
   * probation is forgotten first, so a flood of one-shot (spoofed) sources
   * cannot push out the repeating keys a beacon is made of. Each Map keeps
   * its keys in least-recently-seen order.
   */
  private readonly probation = new Map<string, LogRecord>();
  private readonly established = new Map<string, LogRecord>();
  /**
   * Live iterators at the oldest entry of each Map. Taking `keys().next()`
   * afresh would rescan the holes deleted entries leave at a Map's front
   * (until V8 rehashes it): quadratic under a flood. A kept iterator skips
   * each hole once.
   */
  private readonly oldest = new Map<Map<string, LogRecord>, Iterator<string>>();
  private watermark: EventTime | null = null;
  private seq = 0;
  private readonly latenessSec: number;
  private readonly latenessTicks: number;
  readonly counts = { seen: 0, released: 0, late: 0, errors: 0, evictedKeys: 0, forcedReleases: 0 };

  constructor(readonly options: DeltaOptions) {
    if (!(options.latenessSeconds >= 0) || !Number.isFinite(options.latenessSeconds)) {
      throw new Error(`lateness must be a number of seconds ≥ 0, not ${options.latenessSeconds}`);
    }
    if (options.keyFields.length === 0) throw new Error('at least one key field is needed');
    for (const cap of ['maxKeys', 'maxBuffered'] as const) {
      const v = options[cap];
      if (v !== undefined && !(Number.isInteger(v) && v >= 0)) throw new Error(`${cap} must be a whole number ≥ 0, not ${v}`);
    }
    this.buffer = new ReorderBuffer(options.tieFields);
    this.order = this.buffer.eventOrder;
    this.latenessSec = Math.floor(options.latenessSeconds);
    this.latenessTicks = Math.round((options.latenessSeconds - this.latenessSec) * 1e7);
  }

  /** Keys with an event waiting for its successor. */
  get keyCount(): number {
    return this.probation.size + this.established.size;
  }

  /** Events in the reorder buffer. */
  get bufferedCount(): number {
    return this.buffer.size;
  }

  get watermarkTime(): EventTime | null {
    return this.watermark;
  }

  add(record: unknown, out: DeltaOutput): void {
    this.counts.seen++;
    if (!isRecord(record)) {
      this.counts.errors++;
      out.errors.push(new RecordError('record', record, 'is not an object'));
      return;
    }
    const { timeField, keyFields } = this.options;
    const time = this.time;
    if (!readEventTime(record[timeField], time)) {
      this.counts.errors++;
      out.errors.push(new RecordError(timeField, record[timeField], 'is not a timestamp'));
      return;
    }
    const event: BufferedEvent = { record, key: keyOf(record, keyFields), sec: time.sec, ticks: time.ticks, seq: this.seq++ };

    const last = this.established.get(event.key) ?? this.probation.get(event.key);
    if (last && this.isBeforeWaiting(event, last)) {
      this.counts.late++;
      out.late.push(record);
      return;
    }
    this.buffer.push(event);
    if (!this.watermark || compareTime(event, this.watermark) > 0) this.watermark = { sec: event.sec, ticks: event.ticks };
    this.releaseBefore(this.horizon(), out);
    // a full buffer releases its oldest events before their time: they may make later ones late
    const maxBuffered = this.options.maxBuffered ?? 0;
    while (maxBuffered > 0 && this.buffer.size > maxBuffered) {
      this.buffer.releaseOldest(this.release, out);
      this.counts.forcedReleases++;
    }
  }

  /**
   * The records of one message: the same result as add() on each in turn,
   * faster where the batch allows (core/batch/delta-batch: times parsed into
   * columns, one sorted run instead of a heap push per event, one release
   * at the end); any batch the fast path does not cover goes record by record.
   */
  addBatch(records: readonly unknown[], out: DeltaOutput): void {
    const maxBuffered = this.options.maxBuffered ?? 0;
    const fast =
      records.length > 1 && !(maxBuffered > 0 && this.buffer.size + records.length > maxBuffered)
        ? sortedRunOf(records, {
            keyFields: this.options.keyFields,
            timeField: this.options.timeField,
            latenessSec: this.latenessSec,
            latenessTicks: this.latenessTicks,
            order: this.order,
            watermark: this.watermark,
            seq: this.seq,
          })
        : null;
    if (!fast) {
      for (let i = 0; i < records.length; i++) this.add(records[i], out);
      return;
    }
    this.counts.seen += records.length;
    this.seq += records.length;
    this.buffer.pushRun(fast.run);
    this.watermark = fast.watermark;
    this.releaseBefore(this.horizon(), out);
  }

  /** Releases every buffered event (end of a replay); keys keep their last event. */
  flush(out: DeltaOutput): void {
    this.releaseBefore(null, out);
  }

  /** Zeroes the counters (the state is kept: see reset). */
  resetCounts(): void {
    for (const key of Object.keys(this.counts) as Array<keyof typeof this.counts>) this.counts[key] = 0;
  }

  reset(): void {
    this.buffer.clear();
    this.probation.clear();
    this.established.clear();
    this.oldest.clear();
    this.watermark = null;
  }

  /** The settings saved state depends on: what keys, orders and fills the events. */
  private stateSettings(): unknown {
    const { keyFields, timeField, tieFields, deltaField, nextTimeField } = this.options;
    return { keyFields, timeField, tieFields, deltaField, nextTimeField };
  }

  /** Everything needed to carry on after a restart, as plain JSON data (a deep copy). */
  snapshot(): Snapshot<DeltaState> {
    const save = (e: BufferedEvent): SavedEvent => [e.seq, e.record];
    const waiting = (r: LogRecord): SavedEvent => [0, r];
    return makeSnapshot('delta', this.stateSettings(), {
      watermark: this.watermark ? [this.watermark.sec, this.watermark.ticks] : null,
      seq: this.seq,
      buffered: this.buffer.toArray().map(save),
      probation: [...this.probation.values()].map(waiting),
      established: [...this.established.values()].map(waiting),
      counts: this.counts,
    });
  }

  /** Replaces the state with a snapshot's; throws, leaving the state empty, when it cannot be used. */
  restore(saved: unknown): void {
    this.reset();
    const state = openSnapshot<DeltaState>(saved, 'delta', this.stateSettings());
    if (state instanceof Error) throw state;
    try {
      const load = ([seq, record]: SavedEvent): BufferedEvent => {
        const time = parseEventTime(record?.[this.options.timeField]);
        if (!time || !Number.isInteger(seq)) throw new Error(`saved event ${seq} has no usable time`);
        return { record, key: keyOf(record, this.options.keyFields), sec: time.sec, ticks: time.ticks, seq };
      };
      for (const e of state.buffered) this.buffer.push(load(e));
      for (const e of state.probation) { const ev = load(e); this.probation.set(ev.key, ev.record); }
      for (const e of state.established) { const ev = load(e); this.established.set(ev.key, ev.record); }
      this.watermark = state.watermark ? { sec: state.watermark[0], ticks: state.watermark[1] } : null;
      this.seq = state.seq;
      Object.assign(this.counts, jsonCopy(state.counts));
    } catch (err) {
      this.reset();
      throw new Error(`saved state is damaged: ${(err as Error).message}`);
    }
  }

  private horizon(): EventTime {
    const w = this.watermark as EventTime;
    let sec = w.sec - this.latenessSec;
    let ticks = w.ticks - this.latenessTicks;
    if (ticks < 0) {
      ticks += 1e7;
      sec -= 1;
    }
    return { sec, ticks };
  }

  /** Releases buffered events strictly before `horizon` (all when null), in order. */
  private releaseBefore(horizon: EventTime | null, out: DeltaOutput): void {
    this.buffer.releaseBefore(horizon, this.release, out);
  }

  /**
   * A segmented LRU under maxKeys: a quarter of the places for keys seen once
   * (probation), the rest for keys seen again (established). A flood of
   * one-shot sources only churns probation; established keys that go quiet
   * are demoted to probation as new keys are promoted, so they age out too.
   */
  private enforceKeyCap(): void {
    const maxKeys = this.options.maxKeys ?? 0;
    if (maxKeys <= 0) return;
    const probationCap = Math.max(1, Math.floor(maxKeys / 4));
    const establishedCap = Math.max(0, maxKeys - probationCap);
    while (this.established.size > establishedCap) {
      const key = this.oldestKey(this.established);
      const record = this.established.get(key) as LogRecord;
      this.established.delete(key);
      this.probation.set(key, record);
    }
    while (this.probation.size > probationCap || this.keyCount > maxKeys) {
      const from = this.probation.size > 0 ? this.probation : this.established;
      from.delete(this.oldestKey(from));
      this.counts.evictedKeys++;
    }
  }

  /** The least recently seen key of a non-empty Map (its first entry); the caller deletes it. */
  private oldestKey(map: Map<string, LogRecord>): string {
    let it = this.oldest.get(map);
    let next = it?.next();
    if (!it || !next || next.done) {
      it = map.keys();
      this.oldest.set(map, it);
      next = it.next();
    }
    return next.value as string;
  }

  /**
   * Whether a new event sorts before its key's waiting one (so arrives too
   * late). On a full tie the new one comes after: it arrived later.
   */
  private isBeforeWaiting(event: BufferedEvent, waiting: LogRecord): boolean {
    const t = this.waitingTime;
    if (!readEventTime(waiting[this.options.timeField], t)) return false;
    // on a full tie the waiting one came first: give it the smaller arrival number
    return this.order(event.record, event.sec, event.ticks, 1, waiting, t.sec, t.ticks, 0) < 0;
  }

  /** Pairs an event with its key's previous one, then holds it for its own successor. */
  private releaseOne(record: LogRecord, key: string, sec: number, out: DeltaOutput): void {
    const { deltaField, nextTimeField, timeField } = this.options;
    const previous = this.established.get(key) ?? this.probation.get(key);
    const previousTime = this.waitingTime;
    if (previous && readEventTime(previous[timeField], previousTime)) {
      // KQL datetime_diff('second'): floor(next) − floor(previous), see time.ts
      previous[deltaField] = sec - previousTime.sec;
      previous[nextTimeField] = record[timeField];
      out.released.push(previous);
      this.counts.released++;
      // re-inserted: a Map's order is its recency
      this.established.delete(key);
      this.probation.delete(key);
      this.established.set(key, record);
    } else {
      this.established.delete(key); // (a waiting record whose time was changed meanwhile is dropped)
      this.probation.set(key, record);
    }
    this.enforceKeyCap();
  }
}
