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
  /**
   * Records dated more than this many seconds ahead of the watermark are held
   * apart until other records confirm the jump (0 or absent = no guard); see
   * DeltaTracker's comment.
   */
  futureToleranceSeconds?: number;
}

/** Distinct keys whose records, within the tolerance of each other, confirm a jump of the watermark. */
export const FUTURE_QUORUM = 3;
/** Consecutive arrivals, all ahead and in time order, that confirm a jump (a quiet or sparse stream moving on). */
export const FUTURE_RUN = 5;
/** At most this many records are held apart; past it the longest held is given up (late output). */
export const MAX_HELD = 1000;
/** The field a record given up as dated too far ahead carries on the late output. */
export const LATE_REASON_FIELD = 'LateReason';

/** Caps that keep a tracker near 1 GB of heap at worst (measured ~350 B per key, records included). */
export const DEFAULT_MAX_KEYS = 500_000;
export const DEFAULT_MAX_BUFFERED = 1_000_000;
/** The beacon-delta node's future tolerance: 15 minutes of event time, well beyond the clock skew of live senders. */
export const DEFAULT_FUTURE_TOLERANCE = 900;

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
  /**
   * events that arrived after a later event of their key had been released,
   * and records held apart as too far ahead that nothing confirmed (those
   * carry LateReason: 'ahead')
   */
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
  /** records held apart as too far ahead (absent in state saved before the guard) */
  held?: SavedEvent[];
  aheadRun?: number;
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
 *
 * The watermark is driven by the records, and a record's time is whatever
 * its sender wrote: one line dated 2099 would release everything buffered
 * and make every later event late. So a record dated more than the future
 * tolerance ahead of the watermark is held apart (counted) and moves nothing
 * until the jump is confirmed by a quorum: records of FUTURE_QUORUM distinct
 * keys within the tolerance of each other (a busy stream moving on), or
 * FUTURE_RUN consecutive arrivals all ahead and in time order (a quiet or
 * sparse stream, even of one key, moving on: a forged line amid live traffic
 * is followed by records of the old time, which break the run; the newest of
 * a run waits for the next, so one line cannot end a run and be let in). Confirmed
 * records, and held ones the watermark has come within the tolerance of, go
 * in as if they had just arrived, before anything is released, so a
 * confirmed jump gives the same output as without the guard (only later).
 * Until a watermark exists (after a start or a reset) records wait the same
 * way until two lie within the tolerance of each other (or a run), so the
 * first line alone cannot set it (a first event waits for its successor
 * anyway: nothing is released later for it); at a flush with still no
 * watermark the earliest of them sets it.
 * A quorum rather than per-sender watermarks: the release order must stay
 * one global event-time order for the histogram downstream, and records do
 * not say who really sent them. What nothing confirms leaves on the late
 * output at a flush (or when more than MAX_HELD wait), marked LateReason
 * 'ahead': held apart, never merged, never silently lost. The limit: a
 * sender that can forge records of FUTURE_QUORUM keys at once can still
 * move the watermark; the count and a warning show it.
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
  /** records dated too far ahead, waiting for confirmation, in arrival order */
  private held: BufferedEvent[] = [];
  /** the earliest held time (skips the look at held records while the watermark is far from them) */
  private heldMin: EventTime | null = null;
  /** the watermark (whole seconds) when each held record arrived */
  private readonly heldAt = new WeakMap<BufferedEvent, number>();
  /** consecutive arrivals that were held */
  private aheadRun = 0;
  private readonly futureSec: number;
  private readonly futureTicks: number;
  /** ahead: records held apart so far; aheadGivenUp: of those, sent to the late output unconfirmed */
  readonly counts = { seen: 0, released: 0, late: 0, errors: 0, evictedKeys: 0, forcedReleases: 0, ahead: 0, aheadGivenUp: 0 };

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
    const future = options.futureToleranceSeconds ?? 0;
    if (!(future >= 0) || !Number.isFinite(future)) throw new Error(`future tolerance must be a number of seconds ≥ 0, not ${future}`);
    // 0 = no guard (NaN never compares ahead)
    this.futureSec = future > 0 ? Math.floor(future) : NaN;
    this.futureTicks = future > 0 ? Math.round((future - Math.floor(future)) * 1e7) : 0;
  }

  /** Records held apart as dated too far ahead, waiting for confirmation. */
  get heldCount(): number {
    return this.held.length;
  }

  /**
   * Held records still unconfirmed after the watermark moved on by more than
   * the tolerance since they came: a real jump would have been confirmed by
   * then, so these are worth a warning (a jump waiting for its quorum is not).
   */
  get staleHeldCount(): number {
    const w = this.watermark;
    if (!w) return 0;
    let n = 0;
    for (const e of this.held) if (w.sec - (this.heldAt.get(e) ?? w.sec) > this.futureSec) n++;
    return n;
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
    if (this.isAhead(event) || (!this.watermark && !Number.isNaN(this.futureSec))) {
      this.hold(event, out);
      if (!this.watermark) return;
    } else {
      this.aheadRun = 0;
      this.admit(event);
      if (this.held.length > 0) this.admitHeld(out);
    }
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
    let fast =
      records.length > 1 && (this.watermark || Number.isNaN(this.futureSec)) && !(maxBuffered > 0 && this.buffer.size + records.length > maxBuffered)
        ? sortedRunOf(records, {
            keyFields: this.options.keyFields,
            timeField: this.options.timeField,
            latenessSec: this.latenessSec,
            latenessTicks: this.latenessTicks,
            order: this.order,
            watermark: this.watermark,
            seq: this.seq,
            futureSec: this.futureSec,
            futureTicks: this.futureTicks,
          })
        : null;
    // a held record the batch would bring within the tolerance goes in between its records: one by one then
    // (one held forever, a forged line, leaves the fast path on)
    if (fast && this.heldMin && !this.isAhead(this.heldMin, fast.watermark)) fast = null;
    if (!fast) {
      for (let i = 0; i < records.length; i++) this.add(records[i], out);
      return;
    }
    this.counts.seen += records.length;
    this.seq += records.length;
    this.buffer.pushRun(fast.run);
    this.watermark = fast.watermark;
    this.aheadRun = 0;
    this.releaseBefore(this.horizon(), out);
  }

  /**
   * Releases every buffered event (end of a replay); keys keep their last
   * event. Records still held apart as too far ahead were never confirmed:
   * they go to the late output, marked, and are not merged.
   */
  flush(out: DeltaOutput): void {
    // with no watermark yet, the earliest waiting record (a forged one is dated ahead) sets it, and what it confirms goes in
    if (!this.watermark && this.held.length > 0) {
      let first = 0;
      for (let i = 1; i < this.held.length; i++) if (compareTime(this.held[i], this.held[first]) < 0) first = i;
      this.admitChecked(this.held.splice(first, 1)[0], out);
      this.heldMin = this.earliestHeld();
      this.admitHeld(out);
    }
    this.releaseBefore(null, out);
    while (this.held.length > 0) this.giveUp(this.held.shift() as BufferedEvent, out);
    this.heldMin = null;
    this.aheadRun = 0;
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
    this.held = [];
    this.heldMin = null;
    this.aheadRun = 0;
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
      held: this.held.map(save),
      aheadRun: this.aheadRun,
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
      for (const e of state.probation) {
        const ev = load(e);
        this.probation.set(ev.key, ev.record);
      }
      for (const e of state.established) {
        const ev = load(e);
        this.established.set(ev.key, ev.record);
      }
      this.held = (state.held ?? []).map(load);
      this.heldMin = this.earliestHeld();
      this.aheadRun = state.aheadRun ?? 0;
      this.watermark = state.watermark ? { sec: state.watermark[0], ticks: state.watermark[1] } : null;
      this.seq = state.seq;
      Object.assign(this.counts, jsonCopy(state.counts));
    } catch (err) {
      this.reset();
      throw new Error(`saved state is damaged: ${(err as Error).message}`);
    }
  }

  /** Whether an event is dated more than the future tolerance ahead of the watermark (never without a watermark or guard). */
  private isAhead(e: EventTime, w: EventTime | null = this.watermark): boolean {
    if (!w || Number.isNaN(this.futureSec)) return false;
    // exact while the gap is small; far gaps may round, but never across zero
    return (e.sec - w.sec - this.futureSec) * 1e7 + (e.ticks - w.ticks - this.futureTicks) > 0;
  }

  /** Whether two times lie within the future tolerance of each other. */
  private near(a: EventTime, b: EventTime): boolean {
    const d = Math.abs((a.sec - b.sec) * 1e7 + (a.ticks - b.ticks));
    return d <= this.futureSec * 1e7 + this.futureTicks;
  }

  /** Into the reorder buffer; the watermark follows. */
  private admit(event: BufferedEvent): void {
    this.buffer.push(event);
    if (!this.watermark || compareTime(event, this.watermark) > 0) this.watermark = { sec: event.sec, ticks: event.ticks };
  }

  /** A held record going in at last: late if its key has meanwhile released a later event. */
  private admitChecked(event: BufferedEvent, out: DeltaOutput): void {
    const last = this.established.get(event.key) ?? this.probation.get(event.key);
    if (last && this.isBeforeWaiting(event, last)) {
      this.counts.late++;
      out.late.push(event.record);
      return;
    }
    this.admit(event);
  }

  /** Holds a record dated too far ahead; admits it and its peers when they confirm the jump. */
  private hold(event: BufferedEvent, out: DeltaOutput): void {
    if (this.watermark) this.counts.ahead++;
    this.aheadRun++;
    this.held.push(event);
    if (this.watermark) this.heldAt.set(event, this.watermark.sec);
    if (this.held.length > MAX_HELD) this.giveUp(this.held.shift() as BufferedEvent, out);
    const confirmed = this.confirmed(event);
    if (confirmed) {
      this.held = this.held.filter((e) => !confirmed.includes(e));
      for (const e of confirmed) this.admitChecked(e, out);
      this.aheadRun = this.held.length > 0 && this.held[this.held.length - 1] === event ? 1 : 0;
      this.admitHeld(out);
    }
    this.heldMin = this.earliestHeld();
  }

  /**
   * The held records that confirm a jump with the new one, in arrival order:
   * those near its time when they come from a quorum of keys, or the run of
   * the last consecutive arrivals when they are in time order; else null.
   */
  private confirmed(event: BufferedEvent): BufferedEvent[] | null {
    // before any watermark (a start, a reset) two records near each other set it: the first line alone cannot
    const boot = !this.watermark;
    const keys = new Set<string>();
    let near = 0;
    for (const e of this.held) {
      if (!this.near(e, event)) continue;
      keys.add(e.key);
      near++;
      if (boot ? near >= 2 : keys.size >= FUTURE_QUORUM) return this.held.filter((h) => this.near(h, event));
    }
    if (this.aheadRun < FUTURE_RUN || this.held.length < FUTURE_RUN) return null;
    const run = this.held.slice(this.held.length - FUTURE_RUN);
    for (let i = 1; i < run.length; i++) if (compareTime(run[i - 1], run[i]) > 0) return null;
    // the newest has nothing after it yet to vouch for it (one forged line ending a sparse run): it starts the next run
    return run.slice(0, -1);
  }

  /** Admits, in arrival order, the held records the watermark has come within the tolerance of. */
  private admitHeld(out: DeltaOutput): void {
    while (this.held.length > 0 && this.heldMin && !this.isAhead(this.heldMin)) {
      const ready = this.held.filter((e) => !this.isAhead(e));
      this.held = this.held.filter((e) => this.isAhead(e));
      for (const e of ready) this.admitChecked(e, out);
      this.heldMin = this.earliestHeld();
    }
  }

  private earliestHeld(): EventTime | null {
    let min: EventTime | null = null;
    for (const e of this.held) if (!min || compareTime(e, min) < 0) min = e;
    return min ? { sec: min.sec, ticks: min.ticks } : null;
  }

  /** An unconfirmed record leaves on the late output, marked. */
  private giveUp(event: BufferedEvent, out: DeltaOutput): void {
    event.record[LATE_REASON_FIELD] = 'ahead';
    this.counts.aheadGivenUp++;
    out.late.push(event.record);
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
