import * as dgram from 'dgram';
import * as fs from 'fs';
import * as net from 'net';

/**
 * Ports for tests and benchmarks that run side by side: never a fixed one.
 *
 * A port from `listen(0)` lies in the kernel's ephemeral range, the range it
 * also gives the local end of every outgoing connection. Between our probe
 * closing and Node-RED binding it, a client connecting somewhere (a NATS
 * client, a fetch) can take it: "port in use" at random. So ports come from
 * below that range, where no outgoing connection lands, are checked free for
 * TCP and UDP on the host, and are never handed out twice by one process.
 */
const handedOut = new Set<number>();
const LOWEST = 20000;

/** The kernel's ephemeral range, or Linux's default where /proc is absent. */
export function ephemeralRange(): [number, number] {
  try {
    const [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low > 0 && high >= low) return [low, high];
  } catch {
    // not Linux: take its default
  }
  return [32768, 60999];
}

function bindTcp(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(port, host, () => {
      const bound = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(bound));
    });
  });
}

function bindUdp(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    sock.once('error', (err) => {
      sock.close();
      reject(err);
    });
    sock.bind(port, host, () => sock.close(() => resolve()));
  });
}

async function isFree(port: number, host: string): Promise<boolean> {
  try {
    await bindTcp(port, host);
    await bindUdp(port, host);
    return true;
  } catch {
    return false;
  }
}

/** A port free on `host` (TCP and UDP) at the time of asking, outside the ephemeral range where it can be. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [low] = ephemeralRange();
  const below = low - LOWEST;
  for (let attempt = 0; below > 0 && attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * below);
    if (handedOut.has(port) || !(await isFree(port, host))) continue;
    handedOut.add(port);
    return port;
  }
  // no room below the range (or all taken): the kernel's choice, still never twice
  for (;;) {
    const port = await bindTcp(0, host);
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
