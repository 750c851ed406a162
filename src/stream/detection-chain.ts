import { CidrSet } from '../core/common/address';
import { isRecord, type LogRecord, RecordError } from '../core/common/records';
import { DEFAULT_MAX_BUFFERED, DEFAULT_MAX_KEYS, DeltaTracker, type DeltaOptions, newDeltaOutput } from '../core/delta/delta';
import { ipFilterDropReason } from '../core/filter/ip-filter';
import { HistogramAggregator, type HistogramOptions, newHistogramOutput } from '../core/histogram';
import { EarlyAlerts } from '../core/scorer/early-alerts';
import type { ScorerOptions } from '../core/scorer/scorer';

/**
 * The detection of one partition, in one object: public-address filter →
 * delta → histogram → scorer, so its whole state is one snapshot that can be
 * saved together with the stream position it has absorbed. A worker keeps one
 * chain per partition it holds; a partition that moves to another worker
 * takes its chain's snapshot along.
 */
export interface ChainSettings {
  /** field whose address must be public (KQL `ipv4_is_private(x) == false`); '' = no filter */
  publicField: string;
  delta: DeltaOptions;
  histogram: HistogramOptions;
  scorer: ScorerOptions;
  /** the alert title */
  title: string;
}

/** The Zeek WireData chain of the scale-out worker example (lateness 6 h: Zeek writes a connection when it ends). */
export const ZEEK_WIREDATA_CHAIN: ChainSettings = {
  publicField: 'RemoteIP',
  delta: {
    keyFields: ['LocalIP'],
    timeField: 'TimeGenerated',
    tieFields: ['RemoteIP', 'RemotePortNumber'],
    latenessSeconds: 21600,
    deltaField: 'TimeDeltainSeconds',
    nextTimeField: 'nextTimeGenerated',
    maxKeys: DEFAULT_MAX_KEYS,
    maxBuffered: DEFAULT_MAX_BUFFERED,
  },
  histogram: {
    binSeconds: 3600,
    groupFields: ['LocalIP', 'RemoteIP', 'RemotePortNumber'],
    minDelta: 10,
    sumFields: ['SentBytes', 'ReceivedBytes'],
    closeAfterSeconds: 86400,
    timeField: 'TimeGenerated',
    deltaField: 'TimeDeltainSeconds',
    nextTimeField: 'nextTimeGenerated',
    skipZeroField: 'RemotePortNumber',
  },
  scorer: { minTotalEvents: 15, minModeCount: null, minBeaconPercent: 95, entities: [['IPCustomEntity', 'RemoteIP']] },
  title: 'Zeek WireData beaconing',
};

/** The preset with parts replaced: `{"delta": {"latenessSeconds": 60}, "scorer": {...}}` (each part merged shallowly). */
export function chainSettings(overrides: unknown): ChainSettings {
  const base = ZEEK_WIREDATA_CHAIN;
  if (overrides === undefined || overrides === null || overrides === '') return base;
  const o = (typeof overrides === 'string' ? JSON.parse(overrides) : overrides) as Partial<Record<keyof ChainSettings, unknown>>;
  if (!isRecord(o)) throw new Error('chain settings must be a JSON object');
  const part = <T>(name: keyof ChainSettings, value: T): T => {
    const given = o[name];
    if (given === undefined) return value;
    if (!isRecord(given)) throw new Error(`chain settings: "${name}" must be an object`);
    return { ...value, ...given } as T;
  };
  return {
    publicField: typeof o.publicField === 'string' ? o.publicField : base.publicField,
    title: typeof o.title === 'string' ? o.title : base.title,
    delta: part('delta', base.delta),
    histogram: part('histogram', base.histogram),
    scorer: part('scorer', base.scorer),
  };
}

export interface ChainOutput {
  /** alert rows (scorer output 1) */
  alerts: LogRecord[];
  /** scored rows below the thresholds (scorer output 2) */
  rows: LogRecord[];
  /** events and deltas that came later than the lateness allows */
  late: LogRecord[];
  /** records dropped by the public-address filter */
  filtered: number;
  errors: RecordError[];
}

export const newChainOutput = (): ChainOutput => ({ alerts: [], rows: [], late: [], filtered: 0, errors: [] });

const NO_CIDRS = new CidrSet([]);

export interface ChainState {
  delta: unknown;
  histogram: unknown;
  early: unknown;
  counts: DetectionChain['counts'];
}

export class DetectionChain {
  private readonly delta: DeltaTracker;
  private readonly histogram: HistogramAggregator;
  private readonly early = new EarlyAlerts();
  readonly counts = { records: 0, filtered: 0, alerts: 0, rows: 0, late: 0 };

  constructor(readonly settings: ChainSettings) {
    this.delta = new DeltaTracker(settings.delta);
    this.histogram = new HistogramAggregator(settings.histogram);
  }

  /** Runs records (and a flush after them) through every stage. */
  push(records: readonly unknown[], flush: boolean, out: ChainOutput = newChainOutput()): ChainOutput {
    const kept: unknown[] = [];
    const field = this.settings.publicField;
    for (const record of records) {
      if (!isRecord(record)) {
        out.errors.push(new RecordError('record', record, 'is not an object'));
        continue;
      }
      this.counts.records++;
      if (field && ipFilterDropReason(record, { field, mode: 'kql', exclude: NO_CIDRS }) !== null) {
        out.filtered++;
        this.counts.filtered++;
        continue;
      }
      kept.push(record);
    }
    const deltas = newDeltaOutput();
    this.delta.addBatch(kept, deltas);
    if (flush) this.delta.flush(deltas);
    const cells = newHistogramOutput();
    this.histogram.addBatch(deltas.released, cells);
    if (flush) this.histogram.flush(cells);
    out.late.push(...deltas.late, ...cells.late);
    out.errors.push(...deltas.errors, ...cells.errors);
    this.counts.late += deltas.late.length + cells.late.length;
    for (const row of cells.rows) {
      try {
        const decision = this.early.decide(row, this.settings.scorer, this.settings.title, () => null);
        if (!decision) continue;
        const { result } = decision;
        if (result.row.Final !== undefined && result.alert) result.row.Notify = decision.notify;
        if (result.alert) {
          out.alerts.push(result.row);
          this.counts.alerts++;
        } else {
          result.row.FailedThresholds = result.failed;
          out.rows.push(result.row);
          this.counts.rows++;
        }
      } catch (err) {
        out.errors.push(err instanceof RecordError ? err : new RecordError('row', row, String(err)));
      }
    }
    return out;
  }

  reset(): void {
    this.delta.reset();
    this.histogram.reset();
    this.early.reset();
    Object.assign(this.counts, { records: 0, filtered: 0, alerts: 0, rows: 0, late: 0 });
  }

  snapshot(): ChainState {
    return { delta: this.delta.snapshot(), histogram: this.histogram.snapshot(), early: this.early.snapshot(), counts: { ...this.counts } };
  }

  /** Replaces the state with a saved one; throws with the reason when it was made under other settings. */
  restore(saved: ChainState): void {
    this.delta.restore(saved.delta);
    this.histogram.restore(saved.histogram);
    this.early.restore(saved.early);
    Object.assign(this.counts, saved.counts);
  }
}
