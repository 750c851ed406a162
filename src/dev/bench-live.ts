/**
 * The live path under load: a real Node-RED process runs the three live
 * examples (syslog in → filter → delta → histogram → scorer); a sender
 * process (netbeacon-replay) paces generated lines evenly over UDP or TCP at
 * stepped rates. Loss is counted from the input node's counters (lines it
 * received, the kernel's drops for its socket) and from the records that
 * reached the filter (a counting function node in front of it: a second wire
 * beside the filter's would make Node-RED deep-copy every batch, ~3 µs per
 * record that the shipped example does not spend). The CPU time of Node-RED's
 * threads (/proc, Linux) shows what the main thread sustains on its own.
 * To profile Node-RED during the runs: NETBEACON_RED_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR".
 */
import { spawn, execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { udpSocketDrops } from '../input/kernel-counters';
import { AttackCounts, monitorPreload, ProcessProbe, startAttack } from './live-probes';
import { taskCpu } from './proc-cpu';
import { generateLines, LineFormat } from '../tools/log-lines';
import { sampleScenario } from '../tools/traffic-generator';
import { freePort } from '../run/ports';
import { linkPackage, ROOT } from '../run/user-dir';

type NodeConfig = Record<string, unknown> & { id: string; type: string; wires?: string[][] };

export interface LiveRun {
  example: string;
  transport: 'udp' | 'tcp';
  rateAsked: number;
  /** what the sender process says it reached */
  rateSent: number;
  lines: number;
  /** lines the input node received */
  received: number;
  /** records that reached the filter */
  delivered: number;
  parseErrors: number;
  /** lines the input dropped because its queue was full */
  queueDropped: number;
  /** the kernel's drops for the input's UDP socket (null: not readable, or TCP) */
  kernelDrops: number | null;
  percent: number;
  /** CPU time of Node-RED's main thread during the run, and of its busiest other thread (the UDP reader or parse thread), ms; null where /proc is not readable */
  mainCpuMs: number | null;
  otherCpuMs: number | null;
  /** every other thread's CPU time during the run, busiest first (reader, parse thread, GC helpers, …), ms */
  otherThreadsCpuMs: number[] | null;
  /** seconds from the first line sent to the last record counted at the filter */
  seconds: number;
  /** Node-RED's peak resident memory during the run, bytes (null: not readable) */
  peakRss: number | null;
  /** the longest the flow's thread went without turning its event loop, ms (null: not readable) */
  maxBlockMs: number | null;
  /** what the attacker sent beside the legit lines (null: no attack) */
  attack: AttackCounts | null;
  /** the input's Parse in setting for the run, and where it parsed (the counters' parseIn) */
  parseIn: string;
  parsedIn: string | null;
  /** the machine's 1-minute load average as the run started (others' processes share the CPUs) */
  load: number;
}

const EXAMPLES: Array<{ prefix: string; file: string; format: LineFormat; label: string }> = [
  { prefix: 'pu', file: 'Palo Alto beaconing from CEF over UDP syslog.json', format: 'panos-cef', label: 'CEF example' },
  { prefix: 'pt', file: 'Palo Alto beaconing from PAN-OS CSV over TCP syslog.json', format: 'panos-csv', label: 'PAN-OS CSV example' },
  { prefix: 'zt', file: 'WireData beaconing from Zeek JSON over TCP.json', format: 'zeek-json', label: 'Zeek JSON example' },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** fetch, tried again once when a kept-alive connection was closed under it. */
async function request(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    await sleep(100);
    return fetch(url, init);
  }
}

/**
 * `count` lines of a format, generated over as many hours as that takes, so
 * event time moves forward as a firewall's does. (A 12-hour day cycled made
 * about 70 % of 100,000 lines late: they went to the examples' late-events
 * debug node, which encodes each batch for the editor, instead of through
 * the histogram.) Cycled only beyond 64 days of traffic.
 */
export function linesOf(format: LineFormat, count: number): string[] {
  let base: string[] = [];
  for (let hours = 12; base.length < count && hours <= 24 * 64; hours *= 2)
    base = generateLines({ ...sampleScenario('csl'), hours }, format).map((l) => l.line);
  return Array.from({ length: count }, (_, i) => base[i % base.length]);
}

/** One live example with its input on `port` over `transport` (and `parseIn`, and a UDP receive buffer other than the example's), a reset inject, and counting nodes on outputs 1 and 3. */
export function instrumented(file: string, prefix: string, port: number, transport: 'udp' | 'tcp', parseIn = 'auto', receiveBufferKib?: number): NodeConfig[] {
  const nodes = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8')) as NodeConfig[];
  const input = nodes.find((n) => n.type === 'beacon-syslog-in') as NodeConfig;
  Object.assign(input, { port, transport, parseIn }, receiveBufferKib === undefined ? {} : { receiveBuffer: receiveBufferKib });
  for (const n of nodes) if (n.type === 'file') n.filename = path.join(os.tmpdir(), `netbeacon-bench-${process.pid}-${prefix}.jsonl`);
  const wires = input.wires as string[][];
  const toFilter = wires[0];
  wires[0] = [`${prefix}_bench_count`];
  wires[2].push(`${prefix}_bench_counters`);
  const z = input.z;
  nodes.push(
    {
      id: `${prefix}_bench_reset`,
      type: 'inject',
      z,
      name: 'bench reset',
      props: [{ p: 'reset', v: 'true', vt: 'bool' }],
      repeat: '',
      once: false,
      x: 100,
      y: 900,
      wires: [[input.id]],
    },
    {
      id: `${prefix}_bench_count`,
      type: 'function',
      z,
      name: 'records reaching the filter',
      outputs: 1,
      x: 300,
      y: 900,
      wires: [toFilter],
      func: "if (msg.reset) context.set('records', 0);\nelse if (msg.payload !== undefined) context.set('records', (context.get('records') || 0) + (Array.isArray(msg.payload) ? msg.payload.length : 1));\nreturn msg;",
    },
    {
      id: `${prefix}_bench_counters`,
      type: 'function',
      z,
      name: 'input counters',
      outputs: 0,
      x: 300,
      y: 940,
      wires: [],
      func: "const p = msg.payload;\ncontext.set('counters', { lines: p.total.lines, parseErrors: p.total.parseErrors, queueDropped: p.total.queueDropped, kernelDrops: p.kernel.socketDrops, parseIn: p.parseIn });\nreturn null;",
    },
  );
  return nodes;
}

/** CPU time (ms) of each thread of a process; null where /proc cannot be read. */
function threadCpu(pid: number | undefined): Map<string, number> | null {
  const cpu = pid === undefined ? null : taskCpu(pid);
  return cpu && new Map([...cpu].map(([tid, t]) => [tid, t.all]));
}

/** The main thread's CPU between two readings, and the busiest other thread's. */
function cpuBetween(
  pid: number | undefined,
  before: Map<string, number> | null,
  after: Map<string, number> | null,
): { main: number | null; other: number | null; others: number[] | null } {
  if (!before || !after || pid === undefined) return { main: null, other: null, others: null };
  const others: number[] = [];
  for (const [tid, ms] of after) if (tid !== String(pid)) others.push(ms - (before.get(tid) ?? 0));
  others.sort((a, b) => b - a);
  return { main: (after.get(String(pid)) ?? 0) - (before.get(String(pid)) ?? 0), other: others[0] ?? 0, others };
}

class RedProcess {
  log = '';
  private child: ReturnType<typeof spawn> | null = null;
  readonly base: string;

  private readonly monitor: ReturnType<typeof monitorPreload>;

  constructor(
    private readonly userDir: string,
    port: number,
  ) {
    this.monitor = monitorPreload(userDir);
    this.base = `http://127.0.0.1:${port}`;
    linkPackage(userDir);
    const settings = {
      uiHost: '127.0.0.1',
      uiPort: port,
      flowFile: 'flows.json',
      credentialSecret: false,
      editorTheme: { tours: false, projects: { enabled: false } },
      telemetry: { enabled: false },
      logging: { console: { level: 'warn' } },
    };
    fs.writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings)};\n`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** peak RSS and event-loop block of the Node-RED process from now until its stop() */
  probe(): ProcessProbe {
    const p = new ProcessProbe(this.child?.pid ?? -1, this.monitor.stats);
    p.start();
    return p;
  }

  async start(): Promise<void> {
    const red = require.resolve('node-red/red.js', { paths: [ROOT] });
    const nodeArgs = (process.env.NETBEACON_RED_NODE_ARGS ?? '').split(' ').filter(Boolean);
    this.child = spawn(
      process.execPath,
      [...this.monitor.args, ...nodeArgs, red, '--userDir', this.userDir, '--settings', path.join(this.userDir, 'settings.js')],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.monitor.env } },
    );
    this.child.stdout?.on('data', (d) => (this.log += d));
    this.child.stderr?.on('data', (d) => (this.log += d));
    for (let i = 0; i < 600; i++) {
      if (this.child.exitCode !== null) throw new Error(`Node-RED exited: ${this.log.slice(-1000)}`);
      try {
        if ((await request(`${this.base}/settings`)).status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error('Node-RED did not start within a minute');
  }

  async deploy(flows: NodeConfig[]): Promise<void> {
    const res = await request(`${this.base}/flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify(flows),
    });
    if (res.status !== 200 && res.status !== 204) throw new Error(`deploy answered ${res.status}: ${await res.text()}`);
  }

  async inject(id: string): Promise<void> {
    const res = await request(`${this.base}/inject/${id}`, { method: 'POST' });
    if (res.status !== 200) throw new Error(`inject ${id} answered ${res.status}`);
  }

  /** A value from a node's context (the Admin API the editor's context sidebar reads). */
  async context(id: string, key: string): Promise<unknown> {
    const res = await request(`${this.base}/context/node/${id}/${key}`);
    if (res.status !== 200) return undefined;
    const entry = (await res.json()) as { msg?: string };
    if (entry.msg === undefined) return undefined;
    try {
      return JSON.parse(entry.msg);
    } catch {
      return entry.msg;
    }
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child?.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/**
 * `senders` replay processes at once, each sending every `senders`-th line
 * at its share of the rate (one is the default: several senders on one
 * source mix event time slightly); resolves with the rate they reached together.
 */
async function sendFrom(file: string, port: number, proto: string, rate: number, senders: number): Promise<number> {
  if (senders <= 1) return sendLines(file, port, proto, rate);
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const parts = Array.from({ length: senders }, (_, k) => `${file}.${k}`);
  parts.forEach((p, k) => fs.writeFileSync(p, lines.filter((_, i) => i % senders === k).join('\n') + '\n'));
  try {
    const rates = await Promise.all(parts.map((p) => sendLines(p, port, proto, rate / senders)));
    return Math.round(rates.reduce((a, b) => a + b, 0));
  } finally {
    for (const p of parts) fs.rmSync(p, { force: true });
  }
}

/** Runs the replay tool in its own process; resolves with the rate it reports. */
function sendLines(file: string, port: number, proto: string, rate: number): Promise<number> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [path.join(ROOT, 'dist', 'tools', 'replay-cli.js'), '--file', file, '--port', String(port), '--proto', proto, '--rate', String(rate)],
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`replay: ${stderr || err.message}`));
        const m = /: (\d+) lines\/s/.exec(stdout);
        resolve(m ? Number(m[1]) : NaN);
      },
    ),
  );
}

type Counters = { lines: number; parseErrors: number; queueDropped: number; kernelDrops: number | null; parseIn: string | null };

/**
 * For each live example and transport, the rates in ascending order; a
 * rate's run ends when the count of records at the filter has not moved for
 * five seconds (or all arrived).
 */
export interface LiveOptions {
  /** lines per run (a floor when `seconds` is given) */
  lines: number;
  /** per run, at least this many seconds' worth of lines at its rate (0: `lines` alone) */
  seconds?: number;
  rates: number[];
  /** examples to run, by the first word of their label (cef, pan-os, zeek); all when absent */
  examples?: string[];
  transports?: Array<'udp' | 'tcp'>;
  senders?: number;
  /** a mixed attack from another loopback address during every run */
  attack?: boolean;
  /** the inputs' Parse in settings, alternated at each rate (redeployed between them); absent: auto */
  parseIn?: string[];
  /** the UDP inputs' receive buffer in KiB (the kernel caps it at net.core.rmem_max); absent: the example's */
  receiveBufferKib?: number;
  log?: (line: string) => void;
}

export async function liveBench(o: LiveOptions): Promise<LiveRun[]> {
  const log = o.log ?? (() => undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-bench-live-'));
  const red = new RedProcess(dir, await freePort());
  const runs: LiveRun[] = [];
  const examples = EXAMPLES.filter((e) => !o.examples || o.examples.includes(e.label.split(' ')[0].toLowerCase()));
  try {
    await red.start();
    for (const transport of o.transports ?? (['udp', 'tcp'] as const)) {
      const ports = new Map<string, number>();
      for (const e of examples) ports.set(e.prefix, await freePort());
      let deployed: string | null = null;
      const deploy = async (parseIn: string) => {
        if (deployed === parseIn) return;
        const flows: NodeConfig[] = [];
        for (const e of examples) flows.push(...instrumented(e.file, e.prefix, ports.get(e.prefix) as number, transport, parseIn, o.receiveBufferKib));
        await red.deploy(flows);
        deployed = parseIn;
        await sleep(1000); // the inputs bind as the flows start
        // a UDP input binds once its reader thread has started: wait for the kernel to show the port (where /proc is readable)
        for (const port of transport === 'udp' ? ports.values() : []) {
          for (let i = 0; i < 300 && udpSocketDrops(port, ['/proc/net/udp']) === null && fs.existsSync('/proc/net/udp'); i++) await sleep(100);
        }
      };
      for (const e of examples) {
        for (const rate of o.rates)
          for (const parseIn of o.parseIn ?? ['auto']) {
            await deploy(parseIn);
            const load = os.loadavg()[0];
            const lines = Math.max(o.lines, Math.round(rate * (o.seconds ?? 0)));
            const file = path.join(dir, `${e.format}-${lines}.log`);
            if (!fs.existsSync(file)) fs.writeFileSync(file, linesOf(e.format, lines).join('\n') + '\n');
            await red.inject(`${e.prefix}_bench_reset`);
            for (let i = 0; i < 100 && ((await red.context(`${e.prefix}_bench_count`, 'records')) as number | undefined) !== 0; i++) await sleep(50);
            const cpuBefore = threadCpu(red.pid);
            const probe = red.probe();
            const attack = o.attack ? startAttack(ports.get(e.prefix) as number, transport) : null;
            const started = Date.now();
            const rateSent = await sendFrom(file, ports.get(e.prefix) as number, transport, rate, o.senders ?? 1);
            let last = -1;
            let records = 0;
            let lastMoved = Date.now();
            // a loaded machine can starve the flow's thread for a second or more: done once all arrived or nothing moved for 5 s
            for (let still = 0; still < 50 && records < lines; ) {
              await sleep(100);
              records = ((await red.context(`${e.prefix}_bench_count`, 'records')) as number | undefined) ?? 0;
              still = records === last ? still + 1 : 0;
              if (records !== last) lastMoved = Date.now();
              last = records;
            }
            const attacked = attack ? await attack.stop() : null;
            const cpu = cpuBetween(red.pid, cpuBefore, threadCpu(red.pid));
            const probed = await probe.stop();
            // the reset left counters (zeros) in the context: wait for the answer to this ask
            const stale = JSON.stringify(await red.context(`${e.prefix}_bench_counters`, 'counters'));
            await red.inject(`${e.prefix}_ask`);
            let counters: Counters | undefined;
            for (let i = 0; i < 100 && (!counters || JSON.stringify(counters) === stale); i++) {
              await sleep(50);
              counters = (await red.context(`${e.prefix}_bench_counters`, 'counters')) as Counters | undefined;
            }
            const run: LiveRun = {
              example: e.label,
              transport,
              rateAsked: rate,
              rateSent,
              lines,
              received: counters?.lines ?? NaN,
              delivered: records,
              parseErrors: counters?.parseErrors ?? NaN,
              queueDropped: counters?.queueDropped ?? NaN,
              kernelDrops: counters?.kernelDrops ?? null,
              percent: (100 * records) / lines,
              mainCpuMs: cpu.main,
              otherCpuMs: cpu.other,
              otherThreadsCpuMs: cpu.others,
              seconds: (lastMoved - started) / 1000,
              peakRss: probed.peakRss,
              maxBlockMs: probed.maxDelayMs,
              attack: attacked,
              parseIn,
              parsedIn: counters?.parseIn ?? null,
              load,
            };
            runs.push(run);
            log(formatRun(run));
          }
      }
    }
  } catch (err) {
    throw new Error(`${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}; Node-RED's log ends:\n${red.log.slice(-1500)}`);
  } finally {
    await red.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    for (const e of examples) fs.rmSync(path.join(os.tmpdir(), `netbeacon-bench-${process.pid}-${e.prefix}.jsonl`), { force: true });
  }
  return runs;
}

export function formatRun(r: LiveRun): string {
  const k = r.kernelDrops === null ? '' : `, kernel dropped ${r.kernelDrops}`;
  // CPU per line delivered: what one thread alone could sustain, whatever the other processes took
  const perLine = (ms: number) => (r.delivered > 0 ? (1000 * ms) / r.delivered : NaN);
  const cpu =
    r.mainCpuMs === null || r.otherCpuMs === null || r.delivered === 0
      ? ''
      : `; main thread ${perLine(r.mainCpuMs).toFixed(1)} µs/line (sustains ${Math.round(1e6 / perLine(r.mainCpuMs))}/s), busiest other threads ${(
          r.otherThreadsCpuMs ?? [r.otherCpuMs]
        )
          .slice(0, 2)
          .map((ms) => perLine(ms).toFixed(1))
          .join(', ')} µs/line, all other threads ${perLine((r.otherThreadsCpuMs ?? []).reduce((a, b) => a + b, 0)).toFixed(1)} µs/line`;
  const rss = r.peakRss === null ? '' : `; peak RSS ${(r.peakRss / 2 ** 20).toFixed(0)} MB`;
  const block = r.maxBlockMs === null ? '' : `, worst event-loop block ${r.maxBlockMs.toFixed(0)} ms`;
  const a = r.attack
    ? `; beside an attack of ${Object.entries(r.attack)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}`
    : '';
  const place = r.parsedIn ? ` parsed in ${r.parsedIn} (${r.parseIn})` : '';
  return `${r.example.padEnd(18)} ${r.transport}${place}, load ${r.load.toFixed(1)}  asked ${String(r.rateAsked).padStart(6)}/s sent ${String(r.rateSent).padStart(6)}/s over ${r.seconds.toFixed(1)} s  received ${String(r.received).padStart(7)}  at the filter ${String(r.delivered).padStart(7)} of ${r.lines} (${r.percent.toFixed(2)} %)${k}${r.parseErrors ? `, ${r.parseErrors} unparsed` : ''}${r.queueDropped ? `, ${r.queueDropped} dropped (queue full)` : ''}${cpu}${rss}${block}${a}`;
}

/**
 * Per example and transport: the highest rate the sender actually reached
 * with no line lost, and with ≥ 99.9 % (a loaded machine's sender may fall
 * short of the rate asked: the reached rate is what counts).
 */
export function summarise(runs: LiveRun[]): string[] {
  const out: string[] = [];
  const keyOf = (r: LiveRun) => `${r.example}|${r.transport}${r.parsedIn ? ` parsed in ${r.parsedIn}` : ''}`;
  const keys = [...new Set(runs.map(keyOf))];
  for (const key of keys) {
    const rs = runs.filter((r) => keyOf(r) === key);
    const best = (min: number) => {
      const ok = rs.filter((r) => r.percent >= min).sort((a, b) => b.rateSent - a.rateSent)[0];
      return ok ? `${ok.rateSent}/s (asked ${ok.rateAsked}/s)` : 'none of the rates tried';
    };
    const [example, transport] = key.split('|');
    out.push(`${example} over ${transport}: highest lossless rate reached ${best(100)}; highest with ≥ 99.9 % ${best(99.9)}`);
  }
  return out;
}
