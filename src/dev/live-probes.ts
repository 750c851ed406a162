/**
 * What the live bench reads from Node-RED's process besides its counters:
 * peak RSS (the kernel's high-water mark, reset per run through
 * clear_refs, and sampled VmRSS beside it where that is refused) and the
 * worst event-loop block (perf_hooks' delay histogram, kept by a module
 * preloaded into Node-RED with --require, reset by SIGUSR2 and written to
 * a file the bench reads). Also the mixed attack the bench can run beside
 * the legit sender. Linux /proc only; elsewhere the readings are null.
 */
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

// worker threads inherit --require: only the main thread (the flow's) is watched. Every 100 ms
// one line "time max-delay" is appended and the histogram reset, so the bench takes the worst of a
// run's lines (a signal to reset it would need a handler Node-RED keeps; it did not).
const MONITOR = `'use strict';
if (require('worker_threads').isMainThread) {
  const { monitorEventLoopDelay } = require('perf_hooks');
  const fs = require('fs');
  const out = process.env.NETBEACON_BENCH_MONITOR;
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  setInterval(() => {
    fs.appendFileSync(out, Date.now() + ' ' + h.max / 1e6 + '\\n');
    h.reset();
  }, 100).unref();
}
`;

/** Writes the preload module into `dir`; returns the node arguments and environment that load it. */
export function monitorPreload(dir: string): { args: string[]; env: Record<string, string>; stats: string } {
  const file = path.join(dir, 'bench-monitor.js');
  const stats = path.join(dir, 'bench-monitor.log');
  fs.writeFileSync(file, MONITOR);
  return { args: ['--require', file], env: { NETBEACON_BENCH_MONITOR: stats }, stats };
}

/** the attack comes from another loopback address than the legit sender, as from another host: per-sender caps apply to it alone */
const ATTACKER = '127.0.0.2';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function status(pid: number, key: string): number | null {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Peak RSS and worst event-loop delay of one process between start() and stop(). */
export class ProcessProbe {
  private sampled = 0;
  private timer: NodeJS.Timeout | null = null;
  private hwmReset = false;
  private resetAt = 0;

  constructor(
    private readonly pid: number,
    private readonly statsFile: string,
  ) {}

  start(): void {
    try {
      fs.writeFileSync(`/proc/${this.pid}/clear_refs`, '5'); // resets VmHWM to the current RSS
      this.hwmReset = true;
    } catch {
      this.hwmReset = false;
    }
    this.resetAt = Date.now();
    this.sampled = status(this.pid, 'VmRSS') ?? 0;
    this.timer = setInterval(() => (this.sampled = Math.max(this.sampled, status(this.pid, 'VmRSS') ?? 0)), 50);
  }

  /** peakRss: bytes (VmHWM when it could be reset, else the highest 50 ms sample); maxDelayMs: worst event-loop delay the preload saw during the run */
  async stop(): Promise<{ peakRss: number | null; maxDelayMs: number | null; how: string }> {
    if (this.timer) clearInterval(this.timer);
    const hwm = this.hwmReset ? status(this.pid, 'VmHWM') : null;
    const peakRss = Math.max(hwm ?? 0, this.sampled) || null;
    const until = Date.now();
    await sleep(250); // the preload's line covering the run's last 100 ms
    let maxDelayMs: number | null = null;
    try {
      for (const line of fs.readFileSync(this.statsFile, 'utf8').split('\n')) {
        const [at, max] = line.split(' ').map(Number);
        // a window that ends within 100 ms after the run began may hold a delay from before it: skipped
        if (at > this.resetAt + 100 && at <= until + 200) maxDelayMs = Math.max(maxDelayMs ?? 0, max);
      }
    } catch {
      // no preload output: null
    }
    return { peakRss, maxDelayMs, how: hwm !== null ? 'VmHWM reset per run' : 'VmRSS sampled every 50 ms' };
  }
}

/** A CEF line with `n` extensions (about 6 bytes each): the parser's worst case before its field cap. */
export function craftedCef(n: number): string {
  const ext: string[] = [];
  for (let i = 0; i < n; i++) ext.push(`k${i}=v`);
  return `<14>Dec  3 12:00:00 fw CEF:0|Palo Alto Networks|PAN-OS|10.1|end|TRAFFIC|1|${ext.join(' ')}`;
}

export interface AttackCounts {
  garbage: number;
  oversized: number;
  crafted: number;
  slowloris: number;
  floodConnections: number;
}

/**
 * A mixed attack on the input's port while the legit sender runs: per
 * second, 500 garbage datagrams, 20 datagrams of 65,000 bytes and 10
 * crafted CEF lines of 10,000 extensions (UDP); over TCP the same lines
 * plus 50 slowloris connections (a partial line, then nothing) and a flood
 * of 200 connections opened and closed each second. Stops on `stop()`.
 */
export function startAttack(port: number, transport: 'udp' | 'tcp'): { stop(): Promise<AttackCounts> } {
  const counts: AttackCounts = { garbage: 0, oversized: 0, crafted: 0, slowloris: 0, floodConnections: 0 };
  const crafted = Buffer.from(craftedCef(10000));
  const oversized = Buffer.alloc(65000, 0x41);
  const garbage = () => {
    const b = Buffer.alloc(40 + Math.floor(Math.random() * 400));
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(Math.random() * 256);
    return b;
  };
  const sockets: net.Socket[] = [];
  const udp = dgram.createSocket('udp4');
  udp.bind(0, ATTACKER);
  let stopped = false;
  const tcpLine = (data: Buffer) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress: ATTACKER }, () => s.end(Buffer.concat([data, Buffer.from('\n')])));
    s.on('error', () => undefined);
  };
  const second = () => {
    if (stopped) return;
    for (let i = 0; i < 500; i++) {
      if (transport === 'udp') udp.send(garbage(), port, '127.0.0.1', () => undefined);
      else if (i < 20) tcpLine(garbage());
      counts.garbage += transport === 'udp' || i < 20 ? 1 : 0;
    }
    for (let i = 0; i < 20; i++, counts.oversized++) {
      if (transport === 'udp') udp.send(oversized, port, '127.0.0.1', () => undefined);
      else tcpLine(oversized);
    }
    for (let i = 0; i < 10; i++, counts.crafted++) {
      if (transport === 'udp') udp.send(crafted, port, '127.0.0.1', () => undefined);
      else tcpLine(crafted);
    }
    if (transport === 'tcp') {
      while (sockets.length < 50) {
        const s = net.connect({ port, host: '127.0.0.1', localAddress: ATTACKER }, () => s.write('<14>Dec  3 12:00:00 fw CEF:0|Palo'));
        s.on('error', () => undefined);
        sockets.push(s);
        counts.slowloris++;
      }
      for (let i = 0; i < 200; i++, counts.floodConnections++) {
        const s = net.connect({ port, host: '127.0.0.1', localAddress: ATTACKER }, () => s.destroy());
        s.on('error', () => undefined);
      }
    }
  };
  second();
  const timer = setInterval(second, 1000);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => udp.close(() => r()));
      return counts;
    },
  };
}
