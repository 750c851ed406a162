import { fieldList, isRecord, LogRecord, RecordError } from './records';

export interface ScorerOptions {
  /** KQL `where TotalEvents > n`; null = not applied */
  minTotalEvents: number | null;
  /** KQL `where MostFrequentTimeDeltaCount > n`; null = not applied */
  minModeCount: number | null;
  /** KQL `where BeaconPercent > p`; null = not applied */
  minBeaconPercent: number | null;
  /** KQL `extend IPCustomEntity = RemoteIP, …`: output name → source field */
  entities: Array<[string, string]>;
}

export const WIREDATA_SCORER: ScorerOptions = {
  minTotalEvents: 15,
  minModeCount: null,
  minBeaconPercent: 95,
  entities: [['IPCustomEntity', 'RemoteIP']],
};

export interface ScoredRow {
  row: LogRecord;
  alert: boolean;
  /** the thresholds not passed, as KQL text */
  failed: string[];
  /** one line for an e-mail subject or a chat message (alerts only: rows below threshold get '') */
  summary: string;
}

/** Parses "IPCustomEntity=RemoteIP, HostCustomEntity=DeviceName". */
export function parseEntities(text: string): Array<[string, string]> {
  return fieldList(text).map((pair) => {
    const m = /^([A-Za-z_]\w*)\s*=\s*(\S+)$/.exec(pair);
    if (!m) throw new Error(`entity "${pair.slice(0, 40)}" is not of the form Name=Field`);
    return [m[1], m[2]] as [string, string];
  });
}

/**
 * The rules' second summarize and final filters over one histogram row:
 * `arg_max(count_, TimeDeltainSeconds)` (ties: the smallest delta, a
 * documented choice; KQL leaves them arbitrary), `BeaconPercent =
 * count / toreal(total) * 100` in that order in double precision, strict
 * thresholds, then the output row in the KQL column order plus the histogram.
 */
export function scoreRow(input: unknown, options: ScorerOptions, title = 'Beaconing'): ScoredRow {
  if (!isRecord(input)) throw new RecordError('row', input, 'is not an object');
  const counts = input.DeltaCounts;
  if (!isRecord(counts)) throw new RecordError('DeltaCounts', counts, 'is not a histogram object');
  let modeCount = 0;
  let modeDelta: number | null = null;
  let sumOfCounts = 0;
  // Object.keys, not entries: one array per row instead of one per delta value (hot path)
  const deltaTexts = Object.keys(counts);
  for (let i = 0; i < deltaTexts.length; i++) {
    const deltaText = deltaTexts[i];
    const value = counts[deltaText];
    const delta = Number(deltaText);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || !Number.isFinite(delta)) {
      throw new RecordError(`DeltaCounts.${deltaText.slice(0, 20)}`, value, 'is not a count');
    }
    sumOfCounts += value;
    if (value > modeCount || (value === modeCount && modeDelta !== null && delta < modeDelta)) {
      modeCount = value;
      modeDelta = delta;
    }
  }
  const total = typeof input.TotalEvents === 'number' ? input.TotalEvents : sumOfCounts;
  const percent = total > 0 ? (modeCount / total) * 100 : 0;

  const failed: string[] = [];
  if (options.minTotalEvents !== null && !(total > options.minTotalEvents)) {
    failed.push(`TotalEvents > ${options.minTotalEvents}`);
  }
  if (options.minModeCount !== null && !(modeCount > options.minModeCount)) {
    failed.push(`MostFrequentTimeDeltaCount > ${options.minModeCount}`);
  }
  if (options.minBeaconPercent !== null && !(percent > options.minBeaconPercent)) {
    failed.push(`BeaconPercent > ${options.minBeaconPercent}`);
  }

  const groupFields = Array.isArray(input.GroupFields) ? (input.GroupFields as string[]) : [];
  const row: LogRecord = { TimeGenerated: input.TimeGenerated };
  for (const f of groupFields) row[f] = input[f];
  row.MostFrequentTimeDeltaCount = modeCount;
  row.MostFrequentTimeDeltainSeconds = modeDelta;
  row.TotalEvents = total;
  const inputKeys = Object.keys(input);
  for (let i = 0; i < inputKeys.length; i++) {
    const k = inputKeys[i];
    if (k.startsWith('Total') && k !== 'TotalEvents') row[k] = input[k];
  }
  row.BeaconPercent = percent;
  row.timestamp = input.TimeGenerated;
  for (const [name, field] of options.entities) row[name] = input[field];
  row.histogram = counts;
  const alert = failed.length === 0;
  return { row, alert, failed, summary: alert ? alertSummary(row, groupFields, title) : '' };
}

/** One line for an e-mail subject or a chat message. */
export function alertSummary(row: LogRecord, groupFields: string[], title = 'Beaconing'): string {
  const who = groupFields.map((f) => `${f} ${printable(row[f])}`).join(', ');
  const percent = typeof row.BeaconPercent === 'number' ? row.BeaconPercent.toFixed(1) : '?';
  return (
    `${title}: ${who} — every ${row.MostFrequentTimeDeltainSeconds} s, ` +
    `${row.MostFrequentTimeDeltaCount} of ${row.TotalEvents} intervals (${percent} %) ` +
    `in the bin starting ${printable(row.TimeGenerated)}`
  );
}

/** Log-sourced strings are untrusted: no control characters, bounded length. */
function printable(value: unknown): string {
  const text = value === undefined || value === null ? '-' : String(value);
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 64 ? clean.slice(0, 64) + '…' : clean;
}
