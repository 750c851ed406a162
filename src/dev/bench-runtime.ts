/**
 * The runtime part of the benchmark: example-flow chains inside an embedded
 * Node-RED (RED.init / RED.start, not the test helper, whose spies distort
 * timing), fed by a driver node with single records or batches, timed from
 * the first record sent until the flush leaves the last node; and, in the
 * same run, a chain of pass-through nodes with the same number of hops as
 * the ceiling Node-RED's message passing allows.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FEEDING_SOURCE, RedApi, startEmbedded } from './embedded-red';
import { ROOT } from '../run/user-dir';
import { asParsed } from './bench-records';

interface BenchGlobal {
  messages: unknown[];
  done: ((seconds: number) => void) | null;
  started: bigint;
  /** the payloads reaching the sink (alert rows), when a case asks for them */
  collected: unknown[] | null;
}
const G = globalThis as unknown as { __netbeaconBench: BenchGlobal };

/** Driver, sink and pass-through node types, written to a temporary node directory. */
const BENCH_NODES = `${FEEDING_SOURCE}
module.exports = function (RED) {
  const G = globalThis.__netbeaconBench;
  function Sink(config) {
    RED.nodes.createNode(this, config);
    this.on('input', function (msg) {
      if (G.collected && !config.controlOnly && msg.payload !== undefined) G.collected.push(...(Array.isArray(msg.payload) ? msg.payload : [msg.payload]));
      if (msg.flush && G.done) G.done(Number(process.hrtime.bigint() - G.started) / 1e9);
    });
  }
  function Pass(config) {
    RED.nodes.createNode(this, config);
    this.on('input', function (msg, send, done) { send(msg); done(); });
  }
  // the source starts with a reset: without it, a rerun's records are all late (cheap) and the numbers flatter us
  RED.nodes.registerType('bench-source', feedingSource(RED, 2000, function () {
    G.started = process.hrtime.bigint();
    return G.messages;
  }));
  RED.nodes.registerType('bench-sink', Sink);
  RED.nodes.registerType('bench-pass', Pass);
};
`;

export interface RuntimeResult {
  name: string;
  events: number;
  messages: number;
  hops: number;
  seconds: number;
  eventsPerSecond: number;
  hopsPerSecond: number;
  /** the alert rows of the last run, for cases that compare them */
  alerts?: unknown[];
}

/** Options of a run: cases may use more records than the rest (the batched chain against DuckDB). */
export interface RuntimeOptions {
  /** records for the batched WireData chain case compared with DuckDB (default: none, the case is left out) */
  batchedRecords?: Array<Record<string, unknown>>;
  /** only that case (bench --chain-only): the target's measurement, alone in its process */
  onlyBatched?: boolean;
  /** called around each timed run (not the warm-up), e.g. to start and stop a profiler */
  aroundTimedRun?: { before(): Promise<void>; after(): Promise<void> };
}

type NodeConfig = Record<string, unknown> & { id: string; type: string };

/** Flows start asynchronously after a deploy: wait for the driver node to exist. */
async function waitForNode(RED: RedApi, id: string): Promise<void> {
  for (let i = 0; i < 500 && !RED.nodes.getNode(id); i++) await new Promise((r) => setTimeout(r, 20));
  if (!RED.nodes.getNode(id)) throw new Error(`the benchmark flow did not start (node ${id} missing: are all node types installed?)`);
}

export async function runtimeBench(records: Array<Record<string, unknown>>, runs: number, options: RuntimeOptions = {}): Promise<RuntimeResult[]> {
  G.__netbeaconBench = { messages: [], done: null, started: 0n, collected: null };
  const { RED, stop } = await startEmbedded('bench', BENCH_NODES, ['bench-source', 'bench-sink', 'bench-pass'], 'warn');

  const example = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'WireData beaconing (Sentinel rule).json'), 'utf8')) as NodeConfig[];
  const pick = (type: string, extra: Partial<NodeConfig> = {}): NodeConfig => ({ ...example.find((n) => n.type === type)!, ...extra });
  /** source → nodes… → sink on its own tab; ids prefixed so every case is deployed at once (no redeploys). */
  const chain = (k: number, nodes: NodeConfig[]): NodeConfig[] => {
    const z = `tab${k}`;
    const id = (x: string) => `c${k}_${x}`;
    const all: NodeConfig[] = [
      { id: z, type: 'tab', label: `bench ${k}` } as NodeConfig,
      { id: id('src'), type: 'bench-source', z, wires: [[id(nodes[0].id)]] },
    ];
    nodes.forEach((n, i) => {
      const next = i + 1 < nodes.length ? id(nodes[i + 1].id) : id('sink');
      const outputs = Array.isArray(n.wires) ? (n.wires as unknown[]).length : 1;
      // a scorer passes the flush on its second output, heard there by a sink that collects nothing (its below-threshold rows are made then)
      const wire = (o: number) => (o === 0 ? [next] : o === 1 && n.type === 'beacon-scorer' && i + 1 === nodes.length ? [id('control')] : []);
      all.push({ ...n, id: id(n.id), z, wires: Array.from({ length: outputs }, (_, o) => wire(o)) });
    });
    all.push({ id: id('sink'), type: 'bench-sink', z, wires: [] });
    all.push({ id: id('control'), type: 'bench-sink', z, controlOnly: true, wires: [] } as NodeConfig);
    return all;
  };
  // the WireData example's record path: filter (with its port/vendor conditions), delta, histogram (skips port 0), scorer
  const chainNodes = [
    pick('beacon-ip-filter', { id: 'f' }),
    pick('beacon-delta', { id: 'd' }),
    pick('beacon-histogram', { id: 'h' }),
    pick('beacon-scorer', { id: 's' }),
  ];
  const passes = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `pass${i}`, type: 'bench-pass', wires: [[]] }) as NodeConfig);

  let cases: Array<{ name: string; nodes: NodeConfig[]; batch: number; records?: Array<Record<string, unknown>>; collect?: boolean }> = [
    // same number of nodes, so the same hops for a message that goes all the way (source → 4 nodes → sink)
    { name: 'pass-through ceiling, 4 nodes (5 hops), single records', nodes: passes(chainNodes.length), batch: 0 },
    // a record itself takes 3 hops (into filter, delta, histogram); only aggregated rows go further
    { name: 'pass-through, 2 nodes (3 hops), single records', nodes: passes(2), batch: 0 },
    { name: 'WireData chain filter→delta→histogram→scorer, single records', nodes: chainNodes, batch: 0 },
    { name: 'pass-through ceiling, 4 nodes, batches of 100', nodes: passes(chainNodes.length), batch: 100 },
    { name: 'WireData chain, batches of 100', nodes: chainNodes, batch: 100 },
    { name: 'pass-through ceiling, 4 nodes, batches of 1000', nodes: passes(chainNodes.length), batch: 1000 },
    { name: 'WireData chain, batches of 1000', nodes: chainNodes, batch: 1000 },
  ];
  if (options.batchedRecords) {
    // the case set against DuckDB's query: all the records, alert rows kept for the comparison
    const all = {
      name: `WireData chain, batches of 1000, all ${options.batchedRecords.length} records`,
      nodes: chainNodes,
      batch: 1000,
      records: options.batchedRecords,
      collect: true,
    };
    cases = options.onlyBatched ? [all] : [...cases, all];
  }
  await RED.runtime.flows.setFlows({ flows: { flows: cases.flatMap((c, k) => chain(k, c.nodes)) }, deploymentType: 'full' });
  await waitForNode(RED, `c${cases.length - 1}_src`);
  const results: RuntimeResult[] = [];
  for (const [k, c] of cases.entries()) {
    const times: number[] = [];
    let messages = 0;
    const input = c.records ?? records;
    // one untimed warm-up run per case (JIT, and the garbage of earlier cases), then the timed runs
    for (let r = -1; r < runs; r++) {
      // as the json node would deliver them (see asParsed in bench.ts)
      const copies = asParsed(input);
      const list: unknown[] = [];
      if (c.batch > 0) for (let i = 0; i < copies.length; i += c.batch) list.push({ payload: copies.slice(i, i + c.batch) });
      else for (const rec of copies) list.push({ payload: rec });
      messages = list.length;
      G.__netbeaconBench.messages = list;
      G.__netbeaconBench.collected = c.collect ? [] : null;
      const finished = new Promise<number>((resolve) => (G.__netbeaconBench.done = resolve));
      (globalThis as { gc?: () => void }).gc?.();
      if (r >= 0) await options.aroundTimedRun?.before();
      RED.nodes.getNode(`c${k}_src`)?.receive({ payload: 'start' });
      const seconds = await finished;
      if (r >= 0) await options.aroundTimedRun?.after();
      G.__netbeaconBench.messages = []; // let the run's records go: later measurements must not carry them
      if (r >= 0) times.push(seconds);
    }
    times.sort((a, b) => a - b);
    const seconds = times[Math.floor(times.length / 2)];
    const hops = c.nodes.length + 1;
    const result: RuntimeResult = {
      name: c.name,
      events: input.length,
      messages,
      hops,
      seconds,
      eventsPerSecond: input.length / seconds,
      hopsPerSecond: (messages * hops) / seconds,
    };
    if (c.collect) result.alerts = G.__netbeaconBench.collected ?? [];
    G.__netbeaconBench.collected = null;
    results.push(result);
  }
  await stop();
  return results;
}
