/**
 * Host names out of the places logs write them: an HTTP Host header or a
 * CONNECT target (`host:port`), and URLs with or without a scheme (proxies
 * log `http://host/path`, PAN-OS URL logs `host/path`). Linear scans, no
 * URL object: these run once per line on the parsers' fast path.
 */

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443, ftp: 21, ws: 80, wss: 443 };

/** Lower case, without a trailing dot and without surrounding brackets of an IPv6 literal. */
function tidy(host: string): string {
  let h = host;
  if (h.charCodeAt(0) === 91 && h.charCodeAt(h.length - 1) === 93) h = h.slice(1, -1);
  if (h.charCodeAt(h.length - 1) === 46) h = h.slice(0, -1);
  for (let i = 0; i < h.length; i++) {
    const c = h.charCodeAt(i);
    if (c >= 65 && c <= 90) return h.toLowerCase();
  }
  return h;
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

/** Where "://" first stands in url when that is at 1 to 11, else -1 (a comparison in place: indexOf of a text is a runtime call). */
function schemeEnd(url: string): number {
  const last = Math.min(11, url.length - 3);
  for (let i = 0; i <= last; i++) if (url.charCodeAt(i) === 58 && url.charCodeAt(i + 1) === 47 && url.charCodeAt(i + 2) === 47) return i > 0 ? i : -1;
  return -1;
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
  let end = url.length;
  for (let i = start; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 47 || c === 63 || c === 35) {
      end = i;
      break;
    }
  }
  return hostAndPort(url, start, end, schemePort);
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
