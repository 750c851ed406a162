import { LogRecord } from '../common/records';

/**
 * Prevalence decided over a window, not first come first served: when a
 * window's cells close (together), each row learns how many distinct sources
 * have a cell with its destination in that window (`DestinationSources`).
 * The alert gate then suppresses a destination polled by too many sources for
 * all of them, the first as well as the last.
 */
export interface PrevalenceFields {
  source: string;
  destination: string;
}

/** Parses "LocalIP, RemoteIP" (source field, destination field); '' → off. */
export function parsePrevalenceFields(text: unknown): PrevalenceFields | null {
  const parts = String(text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return null;
  if (parts.length !== 2) throw new Error(`sources per destination needs two fields, "source, destination", not "${String(text).slice(0, 40)}"`);
  return { source: parts[0], destination: parts[1] };
}

/** Stamps each row of one closed window with the distinct sources of its destination in that window. */
export function stampDestinationSources(rows: LogRecord[], fields: PrevalenceFields): void {
  const sources = new Map<string, Set<string>>();
  for (const row of rows) {
    const dst = String(row[fields.destination]);
    let set = sources.get(dst);
    if (!set) sources.set(dst, (set = new Set()));
    set.add(String(row[fields.source]));
  }
  for (const row of rows) row.DestinationSources = (sources.get(String(row[fields.destination])) as Set<string>).size;
}
