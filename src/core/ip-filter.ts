import { CidrSet, DropReason, kqlPublicDropReason, publicDropReason } from './address';
import { isRecord } from './records';

export type FilterMode = 'kql' | 'public';

export interface IpFilterOptions {
  field: string;
  /** kql: `ipv4_is_private(x) == false`; public: globally routable IPv4 and IPv6 only */
  mode: FilterMode;
  /** extra blocks to drop (known-benign destinations) */
  exclude: CidrSet;
}

/** Why a record is dropped, or null to keep it. */
export function ipFilterDropReason(record: unknown, options: IpFilterOptions): DropReason | null {
  if (!isRecord(record)) return 'not-a-record';
  const value = record[options.field];
  const reason = options.mode === 'public' ? publicDropReason(value) : kqlPublicDropReason(value);
  if (reason) return reason;
  return options.exclude.contains(value) ? 'excluded' : null;
}
