/**
 * Keys by name: the destination a beacon is counted against. A C2 behind a
 * CDN or cloud front rotates its addresses across unrelated networks; its
 * name stays. So a record whose destination has a name is keyed by it (the
 * host name, or its registrable domain), and one without a name by its
 * network (/24, /48), which still joins rotation inside one network.
 *
 * DNS queries are keyed by the registrable domain of the name asked for, so
 * a beacon over DNS that asks for a fresh random subdomain every time
 * (`a8f3.c2.example`, `77b1.c2.example` …) is one key, scored like any
 * other. The queries of the site's own DNS servers (forwarding for
 * everyone) and of the resolver's host are not a client's and are left out.
 */
import { CidrSet } from '../common/address';
import { networkOf } from '../filter/destination-group';

export type KeyMode = 'off' | 'name' | 'domain';

export interface KeyOptions {
  /** off: no key column; name: the host name; domain: its registrable domain */
  mode: KeyMode;
  /** the network a destination without a name falls back to */
  v4Bits: number;
  v6Bits: number;
  /** sources whose DNS queries are not scored (the site's DNS servers, the resolver's host) */
  excludeQueriers: CidrSet | null;
}

export const DEFAULT_KEY_OPTIONS: KeyOptions = { mode: 'off', v4Bits: 24, v6Bits: 48, excludeQueriers: null };

/** The key of a connection: its name (or domain) when known, else its address's network, else null. */
export function connectionKey(o: KeyOptions, name: string | null, domain: string | null, address: unknown): string | null {
  if (name !== null) return o.mode === 'domain' ? (domain ?? name) : name;
  const network = networkOf(address, o.v4Bits, o.v6Bits);
  return typeof network === 'string' && network.includes('/') ? network : null;
}

/**
 * The key of a DNS query: the registrable domain asked for, or null when it
 * is not scored (an excluded querier, a reverse look-up, a name with no
 * registrable domain such as a single label or a public suffix).
 */
export function queryKey(o: KeyOptions, query: string, source: string | null, domainOf: (name: string) => string | null): string | null {
  if (o.excludeQueriers !== null && o.excludeQueriers.contains(source)) return null;
  if (query.endsWith('.arpa')) return null;
  return domainOf(query);
}
