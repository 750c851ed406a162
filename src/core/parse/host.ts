/**
 * Host names out of the places logs write them: an HTTP Host header or a
 * CONNECT target (`host:port`), and URLs with or without a scheme (proxies
 * log `http://host/path`, PAN-OS URL logs `host/path`). Linear scans, no
 * URL object: these run once per line on the parsers' fast path.
 */

import { lowerIfAsciiCapital } from './text';

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443, ftp: 21, ws: 80, wss: 443 };

/** Lower case, without a trailing dot and without surrounding brackets of an IPv6 literal. */
function tidy(host: string): string {
  let h = host;
  if (h.charCodeAt(0) === 91 && h.charCodeAt(h.length - 1) === 93) h = h.slice(1, -1);
  if (h.charCodeAt(h.length - 1) === 46) h = h.slice(0, -1);
  return lowerIfAsciiCapital(h);
}

/** The end of the host in authority[start, end): before `:port`, or after `]` for an IPv6 literal. */
function hostEnd(authority: string, start: number, end: number): number {
  if (authority.charCodeAt(start) === 91) {
    const close = authority.indexOf(']', start);
    return close < 0 || close >= end ? end : close + 1;
  }
  const colon = authority.indexOf(':', start);
  if (colon < 0 || colon >= end) return end;
  // two colons and no brackets: a bare IPv6 address, no port
  const second = authority.indexOf(':', colon + 1);
  return second >= 0 && second < end ? end : colon;
}

/** The port written after the host in authority[hostEnd, end), or -1. */
function portAfter(authority: string, at: number, end: number): number {
  if (authority.charCodeAt(at) !== 58 || end - at < 2 || end - at > 6) return -1;
  let n = 0;
  for (let i = at + 1; i < end; i++) {
    const d = authority.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n <= 65535 ? n : -1;
}

export interface HostAndPort {
  host: string;
  /** the written port, else the scheme's, else -1 */
  port: number;
}

/** The host of `host`, `host:port`, `user@host:port` or `[v6]:port` (lower case, no trailing dot), or '' if there is none. */
export function hostOfAuthority(authority: string): string {
  return hostAndPort(authority, 0, authority.length, -1).host;
}

function hostAndPort(text: string, start: number, end: number, schemePort: number): HostAndPort {
  const at = text.lastIndexOf('@', end - 1);
  const from = at >= start ? at + 1 : start;
  const stop = hostEnd(text, from, end);
  const written = portAfter(text, stop, end);
  return { host: tidy(text.slice(from, stop)), port: written >= 0 ? written : schemePort };
}

/** Where "://" first stands in url when that is at 1 to 11, else -1: from colon to colon (indexOf of a text is a runtime call, of one character a native scan). */
function schemeEnd(url: string): number {
  for (let colon = url.indexOf(':'); colon >= 0 && colon <= 11; colon = url.indexOf(':', colon + 1))
    if (url.charCodeAt(colon + 1) === 47 && url.charCodeAt(colon + 2) === 47) return colon > 0 ? colon : -1;
  return -1;
}

/** The first of '/', '?' and '#' in text from `start`, or text.length (three native scans cost less than a loop over the host's characters). */
function authorityEnd(text: string, start: number): number {
  let end = text.length;
  const slash = text.indexOf('/', start);
  if (slash >= 0) end = slash;
  const query = text.indexOf('?', start);
  if (query >= 0 && query < end) end = query;
  const fragment = text.indexOf('#', start);
  return fragment >= 0 && fragment < end ? fragment : end;
}

/**
 * The host and port of a URL (`scheme://authority/path`, or `authority/path`
 * as PAN-OS writes it, or a bare CONNECT target `host:port`).
 */
export function urlHost(url: string): HostAndPort {
  let start = 0;
  let schemePort = -1;
  const sep = schemeEnd(url);
  if (sep > 0) {
    start = sep + 3;
    schemePort = DEFAULT_PORTS[url.slice(0, sep).toLowerCase()] ?? -1;
  }
  return hostAndPort(url, start, authorityEnd(url, start), schemePort);
}

/** Whether a host is written as an address (IPv4 dotted quad or IPv6), not a name. */
export function isAddressLiteral(host: string): boolean {
  if (host.includes(':')) return true;
  let dots = 0;
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c === 46) dots++;
    else if (c < 48 || c > 57) return false;
  }
  return dots === 3;
}
