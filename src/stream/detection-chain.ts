import { isRecord, type LogRecord, RecordError } from '../core/common/records';
import { DeltaTracker, type DeltaOptions, newDeltaOutput } from '../core/delta/delta';
import { ipFilterDropReason, type IpFilterOptions } from '../core/filter/ip-filter';
import { HistogramAggregator, type HistogramOptions, newHistogramOutput } from '../core/histogram';
import { AlertGate, type GateOptions, type PairMemory } from '../core/scorer/alert-gate';
import type { ScorerOptions } from '../core/scorer/scorer';
import { ScorerStage } from '../core/scorer/scorer-stage';
import { PairHuntStage, type PairHuntOptions } from '../core/pairs';

/** One scorer of a chain and the histogram whose rows it scores. */
export interface ScorerSpec {
  /** index of the histogram in ChainSpec.histograms (0 in a chain on the pair history: its rows) */
  histogram: number;
  options: ScorerOptions;
  /** allow-list, prevalence limit, re-arm time; null = none (the Sentinel rules) */
  gate: GateOptions | null;
  title: string;
  /** the scorer's identity in AlertIds: the same in every worker, so a re-read alert has the id it had */
  rule: string;
}

/**
 * What a chain runs, as the detection nodes' options: an optional
 * address filter, then one delta and its histograms (the hunt profile has
 * two, each with its scorer) or the pair history (the pairs profile), and
 * the scorers of their rows. Built from node settings by the worker node
 * (nodes/support/worker-profile.ts).
 */
export interface ChainSpec {
  filter: IpFilterOptions | null;
  /** null in a chain on the pair history */
  delta: DeltaOptions | null;
  histograms: HistogramOptions[];
  /** the pair history instead of delta and histograms */
  pairs?: PairHuntOptions | null;
  scorers: ScorerSpec[];
}

/** Pair memories of the re-arm clock are shared by the scorers that watch the same pair fields with the same re-arm time. */
export const pairMemoryKey = (gate: GateOptions): string => JSON.stringify([gate.srcField, gate.dstField, gate.portField, gate.rearmSeconds]);

export interface ChainOutput {
  /** alert rows (scorer output 1), each with its AlertId */
  alerts: LogRecord[];
  /** one-line summary of each alert, in order */
  summaries: string[];
  /** scored rows below the thresholds or held back by the alert gate (scorer output 2) */
  rows: LogRecord[];
  /** events and deltas that came later than the lateness allows */
  late: LogRecord[];
  /** records dropped by the address filter */
  filtered: number;
  errors: RecordError[];
}

export const newChainOutput = (): ChainOutput => ({ alerts: [], summaries: [], rows: [], late: [], filtered: 0, errors: [] });

export interface ChainState {
  delta: unknown;
  histograms: unknown[];
  pairs?: unknown;
  scorers: unknown[];
  counts: DetectionChain['counts'];
}

/**
 * The detection of one partition, in one object: address filter → delta →
 * histograms → scorers (the same core stages the nodes run), so its whole
 * state is one snapshot that can be saved together with the stream
 * position it has absorbed. A worker keeps one chain per partition it
 * holds; a partition that moves to another worker takes its chain's
 * snapshot along.
 */
export class DetectionChain {
  private readonly delta: DeltaTracker | null;
  private readonly pairs: PairHuntStage | null;
  private readonly histograms: HistogramAggregator[];
  private readonly scorers: ScorerStage[];
  readonly counts = { records: 0, filtered: 0, alerts: 0, rows: 0, late: 0 };

  constructor(readonly spec: ChainSpec) {
    const sources = spec.pairs ? 1 : spec.histograms.length;
    if (spec.pairs ? spec.delta !== null || spec.histograms.length > 0 : spec.delta === null)
      throw new Error('a detection chain has a delta and histograms, or the pair history, not both');
    if (sources === 0 || spec.scorers.length === 0) throw new Error('a detection chain needs at least one histogram and one scorer');
    this.delta = spec.delta ? new DeltaTracker(spec.delta) : null;
    this.pairs = spec.pairs ? new PairHuntStage(spec.pairs) : null;
    this.histograms = spec.histograms.map((h) => new HistogramAggregator(h));
    // the chain is one partition: its scorers share the pair memories a flow tab's scorers share
    const pairs = new Map<string, PairMemory>();
    this.scorers = spec.scorers.map((s) => {
      if (!(s.histogram >= 0 && s.histogram < sources)) throw new Error(`scorer "${s.title}" scores histogram ${s.histogram}, which the chain has not`);
      let gate: AlertGate | null = null;
      if (s.gate && s.gate.rearmSeconds > 0) {
        const key = pairMemoryKey(s.gate);
        if (!pairs.has(key)) pairs.set(key, new Map());
        gate = new AlertGate(s.gate, pairs.get(key));
      } else if (s.gate) gate = new AlertGate(s.gate);
      return new ScorerStage(s.options, gate, s.title, s.rule);
    });
  }

  /** Runs records (and a flush after them) through every stage. */
  push(records: readonly unknown[], flush: boolean, out: ChainOutput = newChainOutput()): ChainOutput {
    const kept: unknown[] = [];
    const filter = this.spec.filter;
    for (const record of records) {
      if (!isRecord(record)) {
        out.errors.push(new RecordError('record', record, 'is not an object'));
        continue;
      }
      this.counts.records++;
      if (filter && ipFilterDropReason(record, filter) !== null) {
        out.filtered++;
        this.counts.filtered++;
        continue;
      }
      kept.push(record);
    }
    if (this.pairs) {
      this.pairs.addBatch(kept, out.errors, flush);
      // rows leave in bounded batches, and records past a scoring boundary are added between them
      for (let rows = this.pairs.nextRows(); rows !== null; rows = this.pairs.nextRows()) this.score(0, rows, out);
      return out;
    }
    const delta = this.delta as DeltaTracker;
    const deltas = newDeltaOutput();
    delta.addBatch(kept, deltas);
    if (flush) delta.flush(deltas);
    out.late.push(...deltas.late);
    out.errors.push(...deltas.errors);
    this.counts.late += deltas.late.length;
    for (let h = 0; h < this.histograms.length; h++) {
      const cells = newHistogramOutput();
      this.histograms[h].addBatch(deltas.released, cells);
      if (flush) this.histograms[h].flush(cells);
      out.late.push(...cells.late);
      out.errors.push(...cells.errors);
      this.counts.late += cells.late.length;
      this.score(h, cells.rows, out);
    }
    return out;
  }

  /** Scores a histogram's (or the pair history's) rows with each scorer wired to it. */
  private score(source: number, cells: unknown[], out: ChainOutput): void {
    let first = true;
    for (let s = 0; s < this.scorers.length; s++) {
      if (this.spec.scorers[s].histogram !== source || cells.length === 0) continue;
      // a scorer stamps the rows it scores: a second scorer of the same histogram gets its own copies
      const rows = first ? cells : cells.map((r) => (isRecord(r) ? { ...r } : r));
      first = false;
      const scored = this.scorers[s].score(rows, true);
      out.alerts.push(...scored.hits);
      out.summaries.push(...scored.summaries);
      out.rows.push(...scored.misses);
      out.errors.push(...scored.errors);
      this.counts.alerts += scored.hits.length;
      this.counts.rows += scored.misses.length;
    }
  }

  /** Forgets the state, as a reset of the nodes does (the scorers keep which cells were notified). */
  reset(): void {
    this.delta?.reset();
    this.pairs?.reset();
    for (const h of this.histograms) h.reset();
    for (const s of this.scorers) s.reset();
    Object.assign(this.counts, { records: 0, filtered: 0, alerts: 0, rows: 0, late: 0 });
  }

  snapshot(): ChainState {
    return {
      delta: this.delta?.snapshot() ?? null,
      histograms: this.histograms.map((h) => h.snapshot()),
      ...(this.pairs ? { pairs: this.pairs.snapshot() } : {}),
      scorers: this.scorers.map((s) => s.snapshot()),
      counts: { ...this.counts },
    };
  }

  /** Replaces the state with a saved one; throws with the reason when it was made under other settings. */
  restore(saved: ChainState): void {
    if (!Array.isArray(saved.histograms) || saved.histograms.length !== this.histograms.length || saved.scorers?.length !== this.scorers.length)
      throw new Error('the saved chain has other stages');
    if ((saved.pairs === undefined) !== (this.pairs === null)) throw new Error('the saved chain has other stages');
    this.delta?.restore(saved.delta);
    this.pairs?.restore(saved.pairs);
    this.histograms.forEach((h, i) => h.restore(saved.histograms[i]));
    this.scorers.forEach((s, i) => s.restore(saved.scorers[i]));
    Object.assign(this.counts, saved.counts);
  }
}
