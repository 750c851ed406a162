/**
 * What the Linux kernel says about UDP receive: the largest receive buffer a
 * process may ask for, the system's UDP error counters, and one socket's
 * drop count. Everything is read from /proc where readable; elsewhere the
 * answers are null (the node says "unknown" then, never 0).
 */
import * as fs from 'fs';

const read = (file: string): string | null => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/** net.core.rmem_max: SO_RCVBUF requests above it are cut to it (without CAP_NET_ADMIN). */
export function receiveBufferMax(file = '/proc/sys/net/core/rmem_max'): number | null {
  const text = read(file);
  const n = text === null ? NaN : Number(text.trim());
  return Number.isFinite(n) && n > 0 ? n : null;
}

export interface UdpKernelErrors {
  /** datagrams dropped because a socket's receive buffer was full */
  RcvbufErrors: number;
  /** datagrams not delivered for any reason (includes RcvbufErrors) */
  InErrors: number;
}

/** The Udp: counters of /proc/net/snmp (system-wide, this network namespace). */
export function udpKernelErrors(text = read('/proc/net/snmp')): UdpKernelErrors | null {
  if (text === null) return null;
  const rows = text.split('\n').filter((l) => l.startsWith('Udp:'));
  if (rows.length < 2) return null;
  const names = rows[0].trim().split(/\s+/);
  const values = rows[1].trim().split(/\s+/);
  const get = (name: string) => {
    const i = names.indexOf(name);
    return i > 0 ? Number(values[i]) : NaN;
  };
  const result = { RcvbufErrors: get('RcvbufErrors'), InErrors: get('InErrors') };
  return Number.isFinite(result.RcvbufErrors) && Number.isFinite(result.InErrors) ? result : null;
}

/**
 * The kernel's drop count for the UDP socket bound to `port` (last column of
 * /proc/net/udp and udp6): datagrams that arrived for it and were thrown away.
 */
export function udpSocketDrops(port: number, files = ['/proc/net/udp', '/proc/net/udp6']): number | null {
  const hexPort = ':' + port.toString(16).toUpperCase().padStart(4, '0');
  let found: number | null = null;
  for (const file of files) {
    const text = read(file);
    if (text === null) continue;
    for (const line of text.split('\n')) {
      const cols = line.trim().split(/\s+/);
      // sl local_address rem_address st ... drops
      if (cols.length < 13 || !cols[1].endsWith(hexPort) || cols[3] !== '07') continue;
      const drops = Number(cols[cols.length - 1]);
      if (Number.isFinite(drops)) found = (found ?? 0) + drops;
    }
  }
  return found;
}
