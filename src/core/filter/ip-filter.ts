import { anyAddressDropReason, CidrSet, DropReason, kqlPublicDropReason, publicDropReason } from '../common/address';
import { isRecord } from '../common/records';
import { DestinationGrouping, networkOf } from './destination-group';

/** kql: ipv4_is_private(x) == false; public: globally routable IPv4/IPv6; any: any valid address (internal destinations too) */
export type FilterMode = 'kql' | 'public' | 'any';

export interface IpFilterOptions {
  field: string;
  /** kql: `ipv4_is_private(x) == false`; public: globally routable IPv4 and IPv6 only */
  mode: FilterMode;
  /** extra blocks to drop (known-benign destinations) */
  exclude: CidrSet;
  /** KQL `where Field == "value" and …`: every pair must hold exactly (empty = no condition) */
  match?: Array<[string, string]>;
  /** direction: when set, the record's source (this field) must be inside `internal`, else it is dropped as inbound */
  sourceField?: string;
  internal?: CidrSet;
  /** destination grouping: kept records get the network of their address in this field */
  grouping?: DestinationGrouping | null;
}

/** RITA's default internal subnets: RFC 1918 and IPv6 unique-local fd00::/8. */
export const DEFAULT_INTERNAL = '10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8';

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
  if (options.sourceField && !options.internal?.contains(record[options.sourceField])) return 'inbound';
  const value = record[options.field];
  const reason = options.mode === 'public' ? publicDropReason(value) : options.mode === 'any' ? anyAddressDropReason(value) : kqlPublicDropReason(value);
  if (reason) return reason;
  if (options.exclude.contains(value)) return 'excluded';
  const g = options.grouping;
  if (g) record[g.field] = networkOf(value, g.v4Bits, g.v6Bits);
  return null;
}
