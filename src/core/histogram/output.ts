import { LogRecord, RecordError } from '../common/records';

/**
 * One closed (bin, group): the group's fields, TimeGenerated (bin start),
 * TotalEvents, one Total<field> per sum field, and DeltaCounts, the count
 * of each delta value (KQL's first summarize, keyed by delta).
 */
export type HistogramRow = LogRecord & {
  TimeGenerated: string;
  TotalEvents: number;
  DeltaCounts: Record<string, number>;
  BinSeconds: number;
  GroupFields: string[];
};

export interface HistogramOutput {
  rows: HistogramRow[];
  /** deltas whose bin had already closed */
  late: LogRecord[];
  errors: RecordError[];
}

export function newHistogramOutput(): HistogramOutput {
  return { rows: [], late: [], errors: [] };
}
