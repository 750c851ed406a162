import * as ipaddr from 'ipaddr.js';
import { isStrictAddress } from '../common/address';

/**
 * Destination grouping: a beacon rotating among the addresses of one network
 * (a CDN, domain fronting) is one pair when the pair is keyed by the
 * network, not the address. The filter writes the network ("45.61.1.0/24",
 * "2001:db8:1::/48") into a field the delta and histogram then key on. A name
 * field (TLS SNI, HTTP host) the log already has needs no grouping: key on it.
 */
export interface DestinationGrouping {
  /** the field written on every kept record */
  field: string;
  v4Bits: number;
  v6Bits: number;
}

/** Parses "24, 48" (IPv4 prefix, IPv6 prefix; one number = IPv4 only, IPv6 /64). */
export function parsePrefixes(text: unknown): { v4Bits: number; v6Bits: number } {
  const parts = String(text ?? '')
    .split(/[\s,/]+/)
    .filter((p) => p !== '')
    .map(Number);
  const [v4Bits = 24, v6Bits = 48] = parts;
  if (parts.length > 2 || !(Number.isInteger(v4Bits) && v4Bits >= 0 && v4Bits <= 32) || !(Number.isInteger(v6Bits) && v6Bits >= 0 && v6Bits <= 128)) {
    throw new Error(`network prefixes must be "IPv4 bits, IPv6 bits" (0-32, 0-128), not "${String(text).slice(0, 40)}"`);
  }
  return { v4Bits, v6Bits };
}

/** The network of an address as "address/bits", or the value unchanged when it is not an address. */
export function networkOf(value: unknown, v4Bits: number, v6Bits: number): unknown {
  if (!isStrictAddress(value)) return value;
  const addr = ipaddr.process(value as string);
  const bits = addr.kind() === 'ipv4' ? v4Bits : v6Bits;
  const network =
    addr.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${bits}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${bits}`);
  return `${network.toString()}/${bits}`;
}
