/**
 * `node dist/dev/readme-alerts.js [--write | --check]`: what the README shows of the
 * alerts, made by the code that makes them, never typed by hand. The sample
 * traffic `npm start` replays goes through the example flows' own nodes
 * (their record chain, *notify once* and the *alert format* nodes) in a
 * Node-RED inside this process; out come the first console lines `npm start`
 * prints, and the e-mail, chat message, CEF line and RFC 5424 line of the
 * sample's jittered beacon as the hunt reports it. Printed,
 * or with --write put into README.md between the readme-alerts markers
 * (npm run build first); test/tools/readme_alerts_spec.js checks the README
 * still says what this makes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { startEmbedded } from './embedded-red';
import { describeAlert } from '../run/alert-follower';
import { ROOT } from '../run/user-dir';
import { generateRecords, sampleScenario } from '../tools/traffic-generator';

type Msg = Record<string, unknown> & { payload?: unknown; flush?: unknown };
type FlowNode = Record<string, unknown> & { id: string; type: string; wires?: string[][] };

const G = globalThis as unknown as { __netbeaconReadme: { out: Array<{ at: string; msg: Msg }> } };

const NODES = `
module.exports = function (RED) {
  function Collect(config) {
    RED.nodes.createNode(this, config);
    this.on('input', function (msg, send, done) {
      globalThis.__netbeaconReadme.out.push({ at: config.name, msg: RED.util.cloneMessage(msg) });
      done();
    });
  }
  RED.nodes.registerType('readme-collect', Collect);
};
`;

/** The SIEM collector's host name in the README (the node's default is the machine's). */
const HOSTNAME = 'nodered-1';

const EXAMPLES = [
  { file: 'WireData beaconing (Sentinel rule).json', alerts: 'beacon-alerts-wiredata.jsonl', schema: 'wiredata' as const },
  { file: 'Palo Alto beaconing (Sentinel rule).json', alerts: 'beacon-alerts-paloalto.jsonl', schema: 'csl' as const },
  { file: 'Beacon hunt (per pair, 7-day history).json', alerts: 'beacon-alerts-hunt.jsonl', schema: 'wiredata' as const },
];

/**
 * One example's detection nodes, notify once and alert format nodes, on a
 * tab of their own: scorer rows and control messages, and each format node's
 * messages, go to collectors; a CEF formatter sits beside the shipped ones.
 */
function readmeFlow(file: string, tab: string): { nodes: FlowNode[]; entry: string } {
  const all = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8')) as FlowNode[];
  const notify = all.find((n) => n.type === 'switch' && n.name === 'notify once') as FlowNode;
  const keep = all.filter((n) => n.type.startsWith('beacon-') || n === notify).map((n) => ({ ...JSON.parse(JSON.stringify(n)), z: tab }) as FlowNode);
  const ids = new Set(keep.map((n) => n.id));
  const collect = (name: string): FlowNode => ({ id: `${tab}_${name}`, type: 'readme-collect', z: tab, name, wires: [] });
  const collectors = [collect('rows'), collect('control'), collect('email'), collect('slack'), collect('syslog'), collect('cef')];
  for (const n of keep) {
    n.wires = (n.wires ?? []).map((w) => w.filter((t) => ids.has(t)));
    if (n.type === 'beacon-scorer') n.wires = [[notify.id, `${tab}_rows`], [`${tab}_control`]];
    if (n.type === 'beacon-format') Object.assign(n, { hostname: HOSTNAME, wires: [[`${tab}_${String(n.format)}`]] });
    if (n.type === 'beacon-scorer') n.store = ''; // the run must start from nothing notified
  }
  const cef: FlowNode = { id: `${tab}_cef_text`, type: 'beacon-format', z: tab, name: 'CEF', format: 'cef', hostname: HOSTNAME, wires: [[`${tab}_cef`]] };
  notify.wires = [[...(notify.wires?.[0] ?? []), cef.id]];
  const json = all.find((n) => n.type === 'json');
  const entry = json ? String(json.wires?.[0]?.[0]) : String(keep.find((n) => n.type === 'beacon-parse')?.id);
  const withNotify = keep.map((n) => (n.id === notify.id ? { ...n, wires: notify.wires } : n));
  return { nodes: [{ id: tab, type: 'tab', label: tab }, ...withNotify, cef, ...collectors], entry };
}

/** Runs the sample through each example's nodes; returns what reached each collector, by example. */
async function run(): Promise<Array<Array<{ at: string; msg: Msg }>>> {
  G.__netbeaconReadme = { out: [] };
  const { RED, stop } = await startEmbedded('readme', NODES, ['readme-collect']);
  const results: Array<Array<{ at: string; msg: Msg }>> = [];
  try {
    for (const [i, example] of EXAMPLES.entries()) {
      const { nodes, entry } = readmeFlow(example.file, `readme${i}`);
      await RED.runtime.flows.setFlows({ flows: { flows: nodes }, deploymentType: 'full' });
      const scorers = nodes.filter((n) => n.type === 'beacon-scorer').length;
      for (let t = 0; t < 3000 && !RED.nodes.getNode(entry); t++) await new Promise((r) => setTimeout(r, 20));
      const node = RED.nodes.getNode(entry);
      if (!node) throw new Error(`${example.file}: the flow did not start`);
      G.__netbeaconReadme.out = [];
      const records = generateRecords(sampleScenario(example.schema));
      node.receive({ reset: true });
      for (let k = 0; k < records.length; k += 500) node.receive({ payload: records.slice(k, k + 500) });
      node.receive({ flush: true });
      const out = G.__netbeaconReadme.out;
      const flushed = () => out.filter((o) => o.at === 'control' && o.msg.flush).length >= scorers;
      for (let t = 0; t < 3000 && !flushed(); t++) await new Promise((r) => setTimeout(r, 20));
      // the formatted messages are two hops behind the flush: let them land
      for (let quiet = 0, seen = -1; quiet < 5; quiet = out.length === seen ? quiet + 1 : 0, seen = out.length) await new Promise((r) => setTimeout(r, 50));
      results.push([...out]);
    }
  } finally {
    await stop();
  }
  return results;
}

/** The README's blocks: `console`, the first lines npm start prints; `handoffs`, the hunt beacon's e-mail, chat message, CEF and RFC 5424 lines. */
export async function readmeAlerts(): Promise<Record<'console' | 'handoffs', string>> {
  const results = await run();
  const rowsOf = (i: number) => results[i].filter((o) => o.at === 'rows').flatMap((o) => [o.msg.payload].flat() as Array<Record<string, unknown>>);
  const lines = EXAMPLES.map((e, i) => describeAlert(e.alerts, rowsOf(i)[0]));
  const hunt = results[2];
  // the sample's jittered beacon (missed by both Sentinel rules): the hunt's first alert of it
  const isBeacon = (o: { msg: Msg }) => JSON.stringify(o.msg.payload).includes('10.0.0.7') || JSON.stringify(o.msg.html ?? '').includes('10.0.0.7');
  const first = (at: string) => hunt.find((o) => o.at === at && isBeacon(o))?.msg;
  const mail = first('email');
  const chat = first('slack');
  const cef = first('cef');
  const syslog = first('syslog');
  if (!mail || !chat || !cef || !syslog) throw new Error("the hunt did not report the sample's jittered beacon");
  const handoffs = [
    "The sample's jittered beacon as the hunt (pair history) reports it — the e-mail (`msg.topic` is the",
    'subject, `msg.plaintext` the text below, `msg.payload` the HTML part with the histogram drawn):',
    '',
    '```',
    `Subject: ${String(mail.topic)}`,
    '',
    String(mail.plaintext),
    '```',
    '',
    'the chat message (Slack or Mattermost; *Teams* makes an Adaptive Card of the same facts):',
    '',
    '```json',
    JSON.stringify(chat.payload, null, 1),
    '```',
    '',
    'and the SIEM lines, CEF and RFC 5424 (the alert in structured data, the CEF line as its message; times are event times):',
    '',
    '```',
    String(cef.payload),
    '',
    String(syslog.payload).replace(/^\d+ /, ''),
    '```',
  ].join('\n');
  return { console: ['```', ...lines, '```'].join('\n'), handoffs };
}

/** The markers around a block in README.md. */
const markers = (name: string) => [
  `<!-- readme-alerts:${name} (node dist/dev/readme-alerts.js --write; not edited by hand) -->`,
  `<!-- /readme-alerts:${name} -->`,
];

/** README.md with each block between its markers. */
export function withBlocks(readme: string, blocks: Record<string, string>): string {
  let out = readme;
  for (const [name, block] of Object.entries(blocks)) {
    const [start, end] = markers(name);
    const a = out.indexOf(start);
    const b = out.indexOf(end);
    if (a < 0 || b < a) throw new Error(`README.md has no readme-alerts:${name} markers`);
    out = `${out.slice(0, a + start.length)}\n${block}\n${out.slice(b)}`;
  }
  return out;
}

async function main(): Promise<void> {
  const blocks = await readmeAlerts();
  const file = path.join(ROOT, 'README.md');
  const readme = fs.readFileSync(file, 'utf8');
  if (process.argv.includes('--check')) {
    const stale = Object.keys(blocks).filter((name) => withBlocks(readme, { [name]: blocks[name as keyof typeof blocks] }) !== readme);
    if (stale.length === 0) return;
    process.stderr.write(
      `README.md: the readme-alerts blocks ${stale.join(', ')} differ from what the code makes now; run node dist/dev/readme-alerts.js --write\n`,
    );
    process.exitCode = 1;
  } else if (process.argv.includes('--write')) {
    fs.writeFileSync(file, withBlocks(readme, blocks));
    process.stdout.write('README.md: readme-alerts blocks written\n');
  } else process.stdout.write(`${blocks.console}\n\n${blocks.handoffs}\n`);
}

if (require.main === module)
  main().catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  });
