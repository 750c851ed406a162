import { CellDetail, CellStore } from './cell-store';
import { certaintyOptions, CertaintyOptions, WindowCompleteness } from './window-completeness';
import { isRecord, keyOf, LogRecord, numericValue, RecordError } from '../common/records';
import { finiteOrNull, makeSnapshot, openSnapshot, Snapshot } from '../common/snapshot';
import { binStart, EventTime, isoFromSeconds, readEventTime } from '../common/time';
import { stampDestinationSources } from './prevalence';
import { bucketDelta, HistogramOptions } from './options';
import { HistogramOutput, HistogramRow } from './output';

/** Hunt-profile detail of a cell: [value, count] pairs of the bytes field, sub-bin counts, first and last second. */
type SavedDetail = { b?: Array<[number, number]>; s?: number[]; f?: number; l?: number; c?: number; e?: 1 | 2 };
/** One saved (bin, group): bin start, group key, group values, [delta, count] pairs, total, sums, detail. */
type SavedCell = [number, string, unknown[], Array<[number, number]>, number, number[], SavedDetail?];

export interface HistogramState {
  closedBefore: number | null;
  watermark: number | null;
  cells: SavedCell[];
  counts: HistogramAggregator['counts'];
  /** early verdicts: the key they were tracked under, windows passed, keys with nothing pending */
  certain?: { key: string[]; passedBefore: number | null; complete: Array<[number, string[]]> };
}

/**
 * Streaming form of the rules' two `summarize` steps: per (bin, group),
 * the count of each delta value, the event total and byte sums. Bins close
 * when the watermark (largest next-event time seen) passes their end plus
 * the grace; a later delta for a closed bin is late. The open cells live
 * in columns (batch/cell-store.ts); a cell becomes a row object only when
 * it is emitted.
 */
export class HistogramAggregator {
  private readonly store: CellStore;
  /** bins ending at or before this (epoch seconds) are closed */
  private closedBefore = -Infinity;
  private watermarkSec = -Infinity;
  /** the oldest open bin's start (Infinity when none); may lag behind after early closes, never ahead */
  private earliestStart = Infinity;
  readonly counts = { seen: 0, counted: 0, filtered: 0, late: 0, errors: 0, rows: 0, closedEarly: 0, earlyRows: 0, afterCertain: 0 };
  /** early verdicts (null = off): windows ending at or before passedBefore have had their early rows */
  private readonly certain: (CertaintyOptions & { complete: WindowCompleteness }) | null;
  private passedBefore = -Infinity;
  /** the earliest end of a window not yet passed (Infinity when none) */
  private nextPassEnd = Infinity;
  /** the record being added: its next event's time (seconds), for early verdicts */
  private nextSec = -Infinity;
  /** a window known to be open (most records fall in the one before them): saves a Map lookup per record */
  private openStart = NaN;

  constructor(readonly options: HistogramOptions) {
    const { binSeconds, closeAfterSeconds, minDelta } = options;
    if (!(binSeconds >= 1) || !Number.isInteger(binSeconds)) {
      throw new Error(`bin size must be a whole number of seconds ≥ 1, not ${binSeconds}`);
    }
    if (!(closeAfterSeconds >= 0) || !Number.isFinite(closeAfterSeconds)) {
      throw new Error(`close-after must be a number of seconds ≥ 0, not ${closeAfterSeconds}`);
    }
    if (!Number.isFinite(minDelta)) throw new Error(`minimum delta must be a number, not ${minDelta}`);
    const cap = options.maxOpenCells;
    if (cap !== undefined && !(Number.isInteger(cap) && cap >= 0)) throw new Error(`maxOpenCells must be a whole number ≥ 0, not ${cap}`);
    const hop = options.hopSeconds || binSeconds;
    if (!(Number.isInteger(hop) && hop >= 1 && binSeconds % hop === 0)) {
      throw new Error(`hop must be a whole number of seconds dividing the bin size ${binSeconds}, not ${options.hopSeconds}`);
    }
    this.hop = hop;
    const certain = certaintyOptions(options.certainAfterSeconds, options.certainKeyFields, options.groupFields);
    this.certain = certain && { ...certain, complete: new WindowCompleteness(certain.keyFields) };
    // prevalence is counted over a whole window when it closes; an early row cannot know the sources still to come
    if (certain && options.prevalence) throw new Error('certain after cannot be combined with sources per destination (decided when the window closes)');
    const sub = options.subBins ?? 0;
    if (!(Number.isInteger(sub) && sub >= 0 && sub <= 1000)) throw new Error(`sub-bins must be a whole number from 0 to 1000, not ${sub}`);
    this.store = new CellStore(options.groupFields, options.sumFields.length);
    this.totalFields = options.sumFields.map((f) => 'Total' + f);
  }

  /** the rows' names of the sums (Total<field>), made once rather than per row */
  private readonly totalFields: string[];

  private readonly hop: number;
  /** scratch for parsed times: the hot path allocates none */
  private readonly time: EventTime = { sec: 0, ticks: 0 };
  private readonly nextTime: EventTime = { sec: 0, ticks: 0 };

  /** The largest next-event time seen (epoch seconds), or null before any. */
  get watermarkSeconds(): number | null {
    return Number.isFinite(this.watermarkSec) ? this.watermarkSec : null;
  }

  /** Open (bin, group) cells. */
  get openCells(): number {
    return this.store.size;
  }

  add(record: unknown, out: HistogramOutput): void {
    this.counts.seen++;
    const o = this.options;
    if (!isRecord(record)) return this.fail(out, new RecordError('record', record, 'is not an object'));
    const time = this.time;
    if (!readEventTime(record[o.timeField], time)) return this.fail(out, new RecordError(o.timeField, record[o.timeField], 'is not a timestamp'));
    const delta = record[o.deltaField];
    if (typeof delta !== 'number' || !Number.isFinite(delta)) {
      return this.fail(out, new RecordError(o.deltaField, delta, 'is not a number'));
    }
    const next = readEventTime(record[o.nextTimeField], this.nextTime) ? this.nextTime.sec : null;
    if (this.certain) this.noteCompleteness(record, time.sec, next);
    if (delta > o.minDelta && !(o.skipZeroField && record[o.skipZeroField] === 0)) {
      // every open window holding the record's time: one with tumbling bins, binSeconds / hop with hopping ones
      let counted = false;
      for (let start = binStart(time.sec, this.hop); start > time.sec - o.binSeconds; start -= this.hop) {
        if (start + o.binSeconds <= this.closedBefore) break; // this window and older ones are closed
        this.count(record, start, o.deltaBucket ? bucketDelta(delta, o.deltaBucket) : delta, time.sec, out);
        counted = true;
      }
      if (counted) {
        this.counts.counted++;
      } else {
        this.counts.late++;
        out.late.push(record);
      }
    } else {
      this.counts.filtered++;
      if (o.countConnections && !(o.skipZeroField && record[o.skipZeroField] === 0)) {
        for (let start = binStart(time.sec, this.hop); start > time.sec - o.binSeconds; start -= this.hop) {
          if (start + o.binSeconds <= this.closedBefore) break;
          this.store.connections[this.cellFor(record, start, time.sec)]++;
        }
      }
    }
    this.advance(next ?? time.sec, out);
    const cap = o.maxOpenCells ?? 0;
    while (cap > 0 && this.store.size > cap && this.store.bins.size > 0) {
      // too many open cells (a flood of groups): emit the oldest bin now rather than grow
      const oldest = Math.min(...this.store.bins.keys());
      this.counts.closedEarly += this.store.bins.get(oldest)?.length ?? 0;
      this.close(oldest, out);
    }
  }

  /**
   * The records of one message: add() on each in turn. The cells are columns
   * either way. Handing on the delta's parsed times (a hidden column on its
   * released array, trusted where a record still holds the parsed values)
   * was built and measured: +3–8 % in-process, but −10 % inside Node-RED,
   * where a column made per message cost more garbage collection than the
   * two time parses per record it saved; left out (BENCHMARKS.md, the batched chain).
   */
  addBatch(records: readonly unknown[], out: HistogramOutput): void {
    for (let i = 0; i < records.length; i++) this.add(records[i], out);
  }

  /** Closes every open bin. */
  flush(out: HistogramOutput): void {
    const starts = [...this.store.bins.keys()].sort((a, b) => a - b);
    for (const start of starts) this.close(start, out);
  }

  /** Zeroes the counters (the state is kept: see reset). */
  resetCounts(): void {
    for (const key of Object.keys(this.counts) as Array<keyof typeof this.counts>) this.counts[key] = 0;
  }

  reset(): void {
    this.store.clear();
    this.openStart = NaN;
    this.earliestStart = Infinity;
    this.closedBefore = -Infinity;
    this.watermarkSec = -Infinity;
    this.passedBefore = -Infinity;
    this.nextPassEnd = Infinity;
    this.certain?.complete.clear();
  }

  /** The settings saved state depends on: what bins, groups and sums mean. */
  private stateSettings(): unknown {
    const { binSeconds, groupFields, sumFields, bytesField, subBins, deltaBucket } = this.options;
    return {
      binSeconds,
      groupFields,
      sumFields,
      hop: this.hop,
      bytesField: bytesField || '',
      subBins: subBins || 0,
      bucket: deltaBucket ?? null,
      connections: Boolean(this.options.countConnections),
    };
  }

  /** Open bins and counters as plain JSON data (a deep copy). */
  snapshot(): Snapshot<HistogramState> {
    const s = this.store;
    const n = this.options.sumFields.length;
    const cells: SavedCell[] = [];
    for (const [start, open] of s.bins) {
      for (const c of open) {
        const values = s.groupValues(c);
        const detail: SavedDetail = { c: s.connections[c] };
        const d = s.detail.get(c);
        if (d?.bytes) detail.b = [...d.bytes];
        if (d?.sub) Object.assign(detail, { s: d.sub, f: d.first, l: d.last });
        if (s.early[c]) detail.e = s.early[c] as 1 | 2;
        cells.push([
          start,
          keyOf(this.groupRecord(values), this.options.groupFields),
          values,
          s.deltaPairs(c),
          s.total[c],
          Array.from(s.sums.subarray(c * n, c * n + n)),
          detail,
        ]);
      }
    }
    return makeSnapshot('histogram', this.stateSettings(), {
      closedBefore: finiteOrNull(this.closedBefore),
      watermark: finiteOrNull(this.watermarkSec),
      cells,
      counts: this.counts,
      ...(this.certain
        ? { certain: { key: this.certain.keyFields, passedBefore: finiteOrNull(this.passedBefore), complete: this.certain.complete.save() } }
        : {}),
    });
  }

  /** Replaces the state with a snapshot's; throws, leaving the state empty, when it cannot be used. */
  restore(saved: unknown): void {
    this.reset();
    const state = openSnapshot<HistogramState>(saved, 'histogram', this.stateSettings());
    if (state instanceof Error) throw state;
    try {
      const s = this.store;
      const n = this.options.sumFields.length;
      for (const [start, key, groupValues, counts, total, sums, detail] of state.cells) {
        if (!Number.isFinite(start) || !Array.isArray(groupValues) || !Array.isArray(counts) || !Array.isArray(sums)) throw new Error(`bad cell ${key}`);
        if (!s.bins.has(start) && start < this.earliestStart) this.earliestStart = start;
        const c = s.cellOf(this.groupRecord(groupValues), start);
        for (const [delta, count] of counts) s.setCount(c, delta, count);
        s.total[c] = total;
        for (let i = 0; i < n; i++) s.sums[c * n + i] = sums[i];
        s.connections[c] = detail?.c ?? total;
        if (detail?.b || detail?.s) s.detail.set(c, detail.s ? { sub: detail.s, first: detail.f, last: detail.l } : {});
        if (detail?.b) (s.detail.get(c) as CellDetail).bytes = new Map(detail.b);
        if (detail?.e) s.early[c] = detail.e;
      }
      this.closedBefore = state.closedBefore ?? -Infinity;
      this.watermarkSec = state.watermark ?? -Infinity;
      Object.assign(this.counts, state.counts);
      // early-verdict state saved under the same delta key (a flow saved without it starts its windows afresh)
      if (this.certain && state.certain && JSON.stringify(state.certain.key) === JSON.stringify(this.certain.keyFields)) {
        this.passedBefore = state.certain.passedBefore ?? -Infinity;
        this.certain.complete.load(state.certain.complete);
      }
      this.nextPassEnd = this.earliestEndAfter(this.passedBefore);
    } catch (err) {
      this.reset();
      throw new Error(`saved state is damaged: ${(err as Error).message}`);
    }
  }

  /** Group values as a record of the group fields. */
  private groupRecord(values: readonly unknown[]): LogRecord {
    const probe: LogRecord = {};
    this.options.groupFields.forEach((f, i) => (probe[f] = values[i]));
    return probe;
  }

  private fail(out: HistogramOutput, error: RecordError): void {
    this.counts.errors++;
    out.errors.push(error);
  }

  private count(record: LogRecord, start: number, delta: number, sec: number, out: HistogramOutput): void {
    const o = this.options;
    const c = this.cellFor(record, start, sec);
    const s = this.store;
    s.connections[c]++;
    s.countDelta(c, delta);
    s.total[c]++;
    const n = o.sumFields.length;
    for (let i = 0; i < n; i++) {
      const v = numericValue(record[o.sumFields[i]]);
      if (v !== null) s.sums[c * n + i] += v; // KQL sum() ignores nulls
    }
    if (s.detail.size > 0) {
      const d = s.detail.get(c);
      if (d) this.countDetail(d, record, start, sec);
    }
    if (this.certain && start + o.binSeconds <= this.passedBefore) this.deltaAfterPass(start, c, out);
  }

  /** The hunt profile's per-cell detail: bytes per connection, sub-bin counts, first and last second. */
  private countDetail(d: CellDetail, record: LogRecord, start: number, sec: number): void {
    if (d.bytes) {
      const b = numericValue(record[this.options.bytesField as string]);
      if (b !== null) d.bytes.set(b, (d.bytes.get(b) ?? 0) + 1);
    }
    if (d.sub) {
      const i = Math.min(d.sub.length - 1, Math.floor(((sec - start) * d.sub.length) / this.options.binSeconds));
      d.sub[i]++;
      if (sec < (d.first as number)) d.first = sec;
      if (sec > (d.last as number)) d.last = sec;
    }
  }

  /** The (window, group) cell of a record, opened when new. */
  private cellFor(record: LogRecord, start: number, sec: number): number {
    const o = this.options;
    const s = this.store;
    if (start !== this.openStart && !s.bins.has(start)) {
      if (start < this.earliestStart) this.earliestStart = start;
      const end = start + o.binSeconds;
      if (end > this.passedBefore && end < this.nextPassEnd) this.nextPassEnd = end;
    }
    const c = s.cellOf(record, start);
    this.openStart = start;
    if (s.opened && (o.bytesField || o.subBins)) {
      const d: CellDetail = {};
      if (o.bytesField) d.bytes = new Map();
      if (o.subBins) Object.assign(d, { sub: new Array(o.subBins).fill(0), first: sec, last: sec });
      s.detail.set(c, d);
    }
    return c;
  }

  private advance(sec: number, out: HistogramOutput): void {
    if (sec <= this.watermarkSec) return;
    this.watermarkSec = sec;
    const o = this.options;
    // the watermark moves on almost every record: look at the bins only when the oldest can close
    if (this.earliestStart + o.binSeconds <= sec - o.closeAfterSeconds) {
      const closable = [...this.store.bins.keys()].filter((start) => start + o.binSeconds <= sec - o.closeAfterSeconds).sort((a, b) => a - b);
      for (const start of closable) this.close(start, out);
      this.earliestStart = this.store.bins.size > 0 ? Math.min(...this.store.bins.keys()) : Infinity;
    }
    if (this.certain && sec - this.certain.afterSeconds >= this.nextPassEnd) this.passWindows(sec - this.certain.afterSeconds, out);
  }

  /** Marks the record's key complete in each window it lies in whose end its next event reaches. */
  private noteCompleteness(record: LogRecord, sec: number, next: number | null): void {
    this.nextSec = next ?? -Infinity;
    if (next === null) return;
    const bin = this.options.binSeconds;
    for (let start = binStart(sec, this.hop); start > sec - bin; start -= this.hop) {
      if (start + bin <= this.closedBefore) break;
      if (start + bin <= next) (this.certain as { complete: WindowCompleteness }).complete.note(start, record);
    }
  }

  /** Early rows for every cell of the windows that end at or before `threshold` and were not passed yet. */
  private passWindows(threshold: number, out: HistogramOutput): void {
    const certain = this.certain as { complete: WindowCompleteness };
    const bin = this.options.binSeconds;
    const s = this.store;
    const due = [...s.bins.keys()].filter((start) => start + bin > this.passedBefore && start + bin <= threshold).sort((a, b) => a - b);
    const asOf = isoFromSeconds(this.watermarkSec);
    for (const start of due) {
      const iso = isoFromSeconds(start);
      for (const c of s.bins.get(start) as number[]) {
        if (s.early[c]) continue;
        const complete = certain.complete.has(start, this.options.groupFields, s.groupValues(c));
        this.emitEarly(iso, c, complete, asOf, out);
      }
    }
    this.passedBefore = threshold;
    this.nextPassEnd = this.earliestEndAfter(threshold);
  }

  /**
   * A delta counted into a window already passed: the one that was pending
   * (its next event lies past the window's end) completes the cell, which is
   * emitted early again; any other means events arrived later than lateness
   * plus certain after, and is counted.
   */
  private deltaAfterPass(start: number, c: number, out: HistogramOutput): void {
    if (this.nextSec >= start + this.options.binSeconds && this.store.early[c] !== 2)
      this.emitEarly(isoFromSeconds(start), c, true, isoFromSeconds(this.watermarkSec), out);
    else this.counts.afterCertain++;
  }

  /** An early row of the window starting at `iso`; `asOf`: the watermark it is sent at (its latency in event time). */
  private emitEarly(iso: string, c: number, complete: boolean, asOf: string, out: HistogramOutput): void {
    this.store.early[c] = complete ? 2 : 1;
    const row = this.rowOf(iso, c);
    row.Final = false;
    row.PendingDeltas = complete ? 0 : 1;
    row.AsOf = asOf;
    out.rows.push(row);
    this.counts.earlyRows++;
  }

  private earliestEndAfter(threshold: number): number {
    let end = Infinity;
    for (const start of this.store.bins.keys()) {
      const e = start + this.options.binSeconds;
      if (e > threshold && e < end) end = e;
    }
    return end;
  }

  private close(start: number, out: HistogramOutput): void {
    const o = this.options;
    const cells = this.store.takeBin(start);
    this.openStart = NaN;
    this.closedBefore = Math.max(this.closedBefore, start + o.binSeconds);
    this.certain?.complete.forget(start);
    if (cells.length === 0) return;
    const firstRow = out.rows.length;
    const iso = isoFromSeconds(start);
    for (let i = 0; i < cells.length; i++) {
      const row = this.rowOf(iso, cells[i]);
      if (this.certain) row.Final = true;
      out.rows.push(row);
      this.counts.rows++;
    }
    this.store.release(cells);
    if (o.prevalence) stampDestinationSources(out.rows.slice(firstRow), o.prevalence);
  }

  /** A cell as a row: KQL's first summarize, keyed by delta, plus the window and what the hunt scores need. */
  private rowOf(iso: string, c: number): HistogramRow {
    const o = this.options;
    const s = this.store;
    const row: LogRecord = { TimeGenerated: iso };
    const groups = o.groupFields;
    for (let i = 0; i < groups.length; i++) row[groups[i]] = s.groupValue(c, i);
    row.TotalEvents = s.total[c];
    const totals = this.totalFields;
    for (let i = 0; i < totals.length; i++) row[totals[i]] = s.sums[c * totals.length + i];
    row.DeltaCounts = s.deltaCounts(c);
    const d = s.detail.size > 0 ? s.detail.get(c) : undefined;
    if (d?.bytes) row.ByteCounts = Object.fromEntries([...d.bytes].sort((a, b) => a[0] - b[0]).map(([v, n]) => [String(v), n]));
    if (d?.sub) Object.assign(row, { SubBinCounts: d.sub.slice(), FirstSeen: isoFromSeconds(d.first as number), LastSeen: isoFromSeconds(d.last as number) });
    row.BinSeconds = o.binSeconds;
    if (this.hop !== o.binSeconds) row.HopSeconds = this.hop;
    if (o.countConnections) row.Connections = s.connections[c];
    row.GroupFields = groups.slice();
    return row as HistogramRow;
  }
}
