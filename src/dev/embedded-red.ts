/**
 * A Node-RED runtime inside this process (RED.init / RED.start, no editor,
 * no HTTP), for tools that run the example flows' record chains on data:
 * each chain is deployed on its own tab between a source node (reset, the
 * records in batches, a flush) and two collector nodes on the scorers'
 * outputs. Used by `npm run evaluate`.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { linkPackage, ROOT } from '../run/user-dir';

export type NodeConfig = Record<string, unknown> & { id: string; type: string; wires?: string[][] };

interface Job {
  batches: unknown[][];
  alerts: unknown[];
  other: unknown[];
  done: (() => void) | null;
  /** a run ends when the flush has left every scorer */
  flushesExpected: number;
  flushes: number;
}
interface EvalGlobal {
  jobs: Map<string, Job>;
}
const G = globalThis as unknown as { __netbeaconEval: EvalGlobal };

/**
 * JavaScript for the node modules the tools write into a temporary node
 * directory: `feedingSource(RED, chunk, messagesOf)` is the constructor of a
 * driver node that, on any input, sends a reset (every run starts from empty
 * state), the messages `messagesOf(config)` gives in chunks, yielding between
 * chunks so delivery keeps pace (Node-RED has no back-pressure), and a flush
 * last.
 */
export const FEEDING_SOURCE = `
function feedingSource(RED, chunk, messagesOf) {
  return function Source(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    node.on('input', function (msg, send, done) {
      const messages = messagesOf(config);
      node.send({ reset: true });
      let i = 0;
      (function next() {
        const end = Math.min(messages.length, i + chunk);
        for (; i < end; i++) node.send(messages[i]);
        if (i < messages.length) setImmediate(next);
        else node.send({ flush: true });
      })();
      done();
    });
  };
}
`;

const EVAL_NODES = `${FEEDING_SOURCE}
module.exports = function (RED) {
  const G = globalThis.__netbeaconEval;
  function Collect(config) {
    RED.nodes.createNode(this, config);
    this.on('input', function (msg, send, done) {
      const job = G.jobs.get(config.job);
      if (msg.flush) {
        // the scorer passes control messages on its second output, after its alerts
        if (config.output === 'other' && ++job.flushes >= job.flushesExpected && job.done) job.done();
      } else if (!msg.reset && msg.payload !== undefined) {
        job[config.output].push(...[].concat(msg.payload));
      }
      done();
    });
  }
  RED.nodes.registerType('eval-source', feedingSource(RED, 50, (config) => G.jobs.get(config.job).batches.map((batch) => ({ payload: batch }))));
  RED.nodes.registerType('eval-collect', Collect);
};
`;

export interface ChainRun {
  alerts: Array<Record<string, unknown>>;
  /** the scorer's second output: below threshold, or suppressed with the reason */
  other: Array<Record<string, unknown>>;
}

/** The part of Node-RED's embedding API the tools use. */
export interface RedApi {
  stop(): Promise<void>;
  nodes: { getNode(id: string): { receive(m: unknown): void } | null };
  runtime: { flows: { setFlows(o: unknown): Promise<unknown> } };
}

/**
 * Starts Node-RED in this process with this package linked into a fresh
 * user directory and extra node types (`nodesSource`, a module registering
 * `types`) for drivers and collectors. `stop` ends it and removes the directory.
 */
export async function startEmbedded(
  prefix: string,
  nodesSource: string,
  types: string[],
  logLevel = 'error',
): Promise<{ RED: RedApi; stop: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `netbeacon-${prefix}-`));
  const nodesDir = path.join(dir, `${prefix}-nodes`);
  fs.mkdirSync(nodesDir);
  fs.writeFileSync(path.join(nodesDir, `${prefix}.js`), nodesSource);
  fs.writeFileSync(path.join(nodesDir, `${prefix}.html`), types.map((t) => `<script type="text/html" data-template-name="${t}"></script>`).join('\n'));
  linkPackage(dir);
  const RED = require(require.resolve('node-red', { paths: [ROOT] }));
  const server = http.createServer((_req, res) => res.end());
  RED.init(server, {
    userDir: dir,
    nodesDir: [nodesDir],
    flowFile: 'flows.json',
    credentialSecret: false,
    httpAdminRoot: false,
    httpNodeRoot: false,
    logging: { console: { level: logLevel, metrics: false, audit: false } },
    editorTheme: { tours: false },
  });
  await RED.start();
  return {
    RED,
    stop: async () => {
      await RED.stop();
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export class EmbeddedRed {
  private constructor(
    private readonly RED: RedApi,
    readonly stop: () => Promise<void>,
  ) {}

  static async start(): Promise<EmbeddedRed> {
    G.__netbeaconEval = { jobs: new Map() };
    const { RED, stop } = await startEmbedded('eval', EVAL_NODES, ['eval-source', 'eval-collect']);
    return new EmbeddedRed(RED, stop);
  }

  /**
   * Deploys graphs of record nodes (wired among themselves; the first node is
   * the entry; every beacon-scorer's outputs go to the collectors), all at
   * once on their own tabs, and waits until they run.
   */
  async deploy(graphs: Record<string, NodeConfig[]>): Promise<void> {
    const flows: NodeConfig[] = [];
    for (const [job, nodes] of Object.entries(graphs)) {
      const z = `tab_${job}`;
      const id = (x: string) => `${job}_${x}`;
      flows.push({ id: z, type: 'tab', label: job } as NodeConfig);
      flows.push({ id: id('src'), type: 'eval-source', z, job, wires: [[id(nodes[0].id)]] } as NodeConfig);
      for (const n of nodes) {
        const wires = n.type === 'beacon-scorer' ? [[id('alerts')], [id('other')]] : (n.wires ?? []).map((w) => w.map(id));
        flows.push({ ...n, id: id(n.id), z, wires });
      }
      flows.push({ id: id('alerts'), type: 'eval-collect', z, job, output: 'alerts', wires: [] } as NodeConfig);
      flows.push({ id: id('other'), type: 'eval-collect', z, job, output: 'other', wires: [] } as NodeConfig);
      const scorers = nodes.filter((n) => n.type === 'beacon-scorer').length;
      G.__netbeaconEval.jobs.set(job, { batches: [], alerts: [], other: [], done: null, flushesExpected: scorers, flushes: 0 });
    }
    await this.RED.runtime.flows.setFlows({ flows: { flows }, deploymentType: 'full' });
    const lastSource = `${Object.keys(graphs).pop()}_src`;
    // up to a minute: a loaded machine starts 40 chains slowly
    for (let i = 0; i < 3000 && !this.RED.nodes.getNode(lastSource); i++) await new Promise((r) => setTimeout(r, 20));
    if (!this.RED.nodes.getNode(lastSource)) throw new Error('the evaluation flows did not start');
  }

  /** Sends records through one deployed chain (batches, then a flush) and collects what the scorer emits. */
  run(job: string, records: unknown[], batchSize = 1000): Promise<ChainRun> {
    const state = G.__netbeaconEval.jobs.get(job);
    if (!state) throw new Error(`no chain ${job}`);
    state.batches = [];
    for (let i = 0; i < records.length; i += batchSize) state.batches.push(records.slice(i, i + batchSize));
    state.alerts = [];
    state.other = [];
    state.flushes = 0;
    return new Promise((resolve) => {
      state.done = () => {
        state.done = null;
        state.batches = [];
        resolve({ alerts: state.alerts as ChainRun['alerts'], other: state.other as ChainRun['other'] });
      };
      this.RED.nodes.getNode(`${job}_src`)?.receive({ payload: 'start' });
    });
  }
}
