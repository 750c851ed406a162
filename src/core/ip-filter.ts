import { CidrSet, DropReason, kqlPublicDropReason, publicDropReason } from './address';
import { isRecord } from './records';

export type FilterMode = 'kql' | 'public';

export interface IpFilterOptions {
  field: string;
  /** kql: `ipv4_is_private(x) == false`; public: globally routable IPv4 and IPv6 only */
  mode: FilterMode;
  /** extra blocks to drop (known-benign destinations) */
  exclude: CidrSet;
  /** KQL `where Field == "value" and …`: every pair must hold exactly (empty = no condition) */
  match?: Array<[string, string]>;
}

/** Parses "DeviceVendor=Palo Alto Networks, Activity=TRAFFIC" (values may hold spaces, not commas). */
export function parseMatch(text: unknown): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const part of String(text ?? '').split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const field = eq < 0 ? '' : part.slice(0, eq).trim();
    if (!field) throw new Error(`condition "${part.trim().slice(0, 40)}" is not of the form Field=value`);
    out.push([field, part.slice(eq + 1).trim()]);
  }
  return out;
}

/** Why a record is dropped, or null to keep it. */
export function ipFilterDropReason(record: unknown, options: IpFilterOptions): DropReason | null {
  if (!isRecord(record)) return 'not-a-record';
  const match = options.match;
  if (match) {
    for (let i = 0; i < match.length; i++) if (record[match[i][0]] !== match[i][1]) return 'not-matched';
  }
  const value = record[options.field];
  const reason = options.mode === 'public' ? publicDropReason(value) : kqlPublicDropReason(value);
  if (reason) return reason;
  return options.exclude.contains(value) ? 'excluded' : null;
}
