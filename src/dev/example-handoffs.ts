/**
 * `node dist/dev/example-handoffs.js [file.json …]` (default: every example):
 * gives every example flow with a scorer the same hand-offs, so a person is
 * reached the same way whichever example they start from:
 *
 *   scorer output 1 ─► notify once ─┬► e-mail message ─► e-mail hand-off (disabled: wire to an e-mail node)
 *                                   ├► chat message ───► chat webhook (disabled: set its URL)
 *                                   └► SIEM line ──────► SIEM syslog out (disabled: set host and port)
 *
 * The formatter drops control messages and empty payloads, so no hand-off
 * ever receives one; *notify once* lets through a cell's first alert only
 * (msg.notify). The scorer keeps which cells it notified in the context
 * store `file` (npm start's settings.js configures it as localfilesystem), so
 * a restart does not notify them again; without that store Node-RED falls
 * back to memory and the scorer says so. The hand-off nodes are disabled but valid. Idempotent: run it
 * after adding an example, then `dist/dev/complete-examples.js` lays the
 * flows out (npm run build first).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from '../run/user-dir';
import { completeFlow, exampleFiles } from './complete-examples';
import { FlowNode } from './flow-layout';

/** The ids of one example's hand-off nodes, from the example's id prefix (wd, pa, hu …). */
export function handoffIds(prefix: string) {
  return {
    notify: `${prefix}_notify`,
    mailText: `${prefix}_mail_text`,
    mail: `${prefix}_mail`,
    chatText: `${prefix}_chat_text`,
    webhook: `${prefix}_webhook`,
    siemText: `${prefix}_siem_text`,
    siem: `${prefix}_siem`,
    comment: `${prefix}_c_handoff`,
  };
}

/** Where the notified cells are kept, said for the scorer and for the NATS worker. */
const LEDGER_INFO: Record<string, string[]> = {
  'beacon-scorer': [
    "The scorer keeps which cells it notified in the context store `file` (npm start's",
    "settings.js: `contextStorage: { file: { module: 'localfilesystem' } }`); without it Node-RED keeps them",
    'in memory, the scorer warns, and a restart notifies them again.',
  ],
  'beacon-nats-worker': [
    "The workers keep which cells were notified in the stream's key-value bucket, so a worker that",
    'takes over a partition, or re-reads it after a crash, does not notify them again.',
  ],
};

const handoffInfo = (source: string) =>
  [
    "Every alert leaves the scorer's first output; *notify once* lets through only a cell's first alert",
    '(`msg.notify`: an early alert and its final row, a replay after a reset, a restart with saved state',
    'never notify twice).',
    ...LEDGER_INFO[source],
    'Each branch formats the alert with the **alert format** node, which never passes',
    'on a flush, reset or checkpoint message nor an empty payload, then hands it off:',
    '',
    '- **e-mail**: install `node-red-node-email` (Manage palette), enable *e-mail hand-off*, set the',
    '  address, wire it to an *e-mail* node. Subject ≤ 120 characters; text and HTML body with the histogram.',
    '- **chat**: enable *chat webhook* and set the incoming-webhook URL (Slack or Mattermost; choose',
    '  *Teams* in *chat message* for Microsoft Teams).',
    '- **SIEM**: enable *SIEM syslog out* and set your collector (rsyslog, syslog-ng, a SIEM agent): one',
    '  RFC 5424 line per alert over TCP with octet counting, the alert in structured data and a CEF message.',
    '',
    'Every format carries `AlertId`: the same cell gives the same id early and final, across restarts and',
    'replays, so a SIEM can de-duplicate.',
  ].join('\n');

const OUTPUT_INFO = [
  'The file node appends one JSON alert per line and the debug node shows every alert row, early and final;',
  'the hand-offs below reach a person once per alerting cell.',
].join(' ');

/** The nodes whose first output carries alerts with msg.notify: the scorer, and the NATS worker (its chain's scorer inside). */
const ALERT_SOURCES = new Set(['beacon-scorer', 'beacon-nats-worker']);

/** The hand-off nodes of one example tab, wired from its scorers; replaces older hand-offs of the same ids. */
export function withHandoffs(flow: FlowNode[]): FlowNode[] {
  const scorers = flow.filter((n) => ALERT_SOURCES.has(n.type));
  if (scorers.length === 0) return flow;
  const prefix = scorers[0].id.replace(/_(score|worker).*$/, '');
  const z = scorers[0].z;
  const ids = handoffIds(prefix);
  const old = new Set([...Object.values(ids), `${prefix}_chat`]);
  const byId = new Map(flow.map((n) => [n.id, n]));
  // keep what a user may have set on the hand-off nodes (addresses, URL, host): only the wiring is ours
  // and where the last run laid it out, so a second run changes nothing
  const kept = (id: string, node: FlowNode): FlowNode => ({ ...node, ...pick(byId.get(id), [...(KEEP[node.type] ?? []), 'x', 'y']) });
  const rest = flow
    .filter((n) => !old.has(n.id))
    .map((n) => (ALERT_SOURCES.has(n.type) ? wireToNotify(n, ids.notify, old) : n.id === `${prefix}_c_out` ? { ...n, info: OUTPUT_INFO } : n));
  const anchor = scorers[0];
  const at = { x: Number(anchor.x ?? 0) + 200, y: Number(anchor.y ?? 0) + 60 };
  const nodes: FlowNode[] = [
    kept(ids.comment, {
      id: ids.comment,
      type: 'comment',
      z,
      name: 'hand-offs: e-mail, chat and SIEM, each alerting cell once',
      info: handoffInfo(scorers[0].type),
      x: at.x,
      y: at.y - 20,
      wires: [],
    }),
    kept(ids.notify, {
      id: ids.notify,
      type: 'switch',
      z,
      name: 'notify once',
      property: 'notify',
      propertyType: 'msg',
      rules: [{ t: 'true' }],
      checkall: 'true',
      repair: false,
      outputs: 1,
      ...at,
      wires: [[ids.mailText, ids.chatText, ids.siemText]],
    }),
    kept(ids.mailText, { id: ids.mailText, type: 'beacon-format', z, name: 'e-mail message', format: 'email', ...at, wires: [[ids.mail]] }),
    kept(ids.mail, {
      id: ids.mail,
      type: 'change',
      z,
      name: 'e-mail hand-off (enable, set the address, wire to an e-mail node)',
      d: true,
      rules: [{ t: 'set', p: 'to', pt: 'msg', to: 'soc@example.com', tot: 'str' }],
      action: '',
      property: '',
      from: '',
      to: '',
      reg: false,
      ...at,
      wires: [[]],
    }),
    kept(ids.chatText, { id: ids.chatText, type: 'beacon-format', z, name: 'chat message', format: 'slack', ...at, wires: [[ids.webhook]] }),
    kept(ids.webhook, {
      id: ids.webhook,
      type: 'http request',
      z,
      name: 'chat webhook (disabled: set its URL)',
      d: true,
      method: 'POST',
      ret: 'txt',
      paytoqs: 'ignore',
      url: 'https://chat.example.invalid/hooks/REPLACE-ME',
      tls: '',
      persist: false,
      proxy: '',
      insecureHTTPParser: false,
      authType: '',
      senderr: false,
      headers: [],
      ...at,
      wires: [[]],
    }),
    kept(ids.siemText, {
      id: ids.siemText,
      type: 'beacon-format',
      z,
      name: 'SIEM line (RFC 5424 + CEF)',
      format: 'syslog',
      framing: 'octet',
      ...at,
      wires: [[ids.siem]],
    }),
    kept(ids.siem, {
      id: ids.siem,
      type: 'tcp out',
      z,
      name: 'SIEM syslog out (disabled: set host and port)',
      d: true,
      host: 'siem.example.invalid',
      port: '6514',
      beserver: 'client',
      base64: false,
      end: false,
      tls: '',
      ...at,
    }),
  ];
  return [...rest, ...nodes];
}

/** What a user sets on each hand-off node and a re-run must not undo. */
const KEEP: Record<string, string[]> = {
  change: ['d', 'rules'],
  'http request': ['d', 'url', 'tls', 'authType', 'headers', 'proxy'],
  'tcp out': ['d', 'host', 'port', 'tls'],
  'beacon-format': ['format', 'framing', 'title', 'hostname', 'appName', 'facility'],
};

function pick(node: FlowNode | undefined, keys: string[]): Record<string, unknown> {
  if (!node) return {};
  return Object.fromEntries(keys.filter((k) => k in node).map((k) => [k, node[k]]));
}

/** The context store where a scorer keeps the cells it notified, so a restart does not notify them again. */
export const LEDGER_STORE = 'file';

/**
 * The scorer's first output goes to *notify once* (and still to what else it
 * fed), never to an old hand-off; its state (the notified ledger with it) is
 * kept in the `file` store unless it names a store of its own.
 */
function wireToNotify(scorer: FlowNode, notify: string, old: Set<string>): FlowNode {
  const wires = (scorer.wires ?? [[], []]).map((w) => [...w]);
  wires[0] = [...wires[0].filter((id) => !old.has(id)), notify];
  // the NATS worker keeps its notified alerts in the stream's key-value bucket, not a context store
  return scorer.type === 'beacon-scorer' ? { ...scorer, store: scorer.store || LEDGER_STORE, wires } : { ...scorer, wires };
}

function main(): void {
  const files = process.argv.slice(2).length ? process.argv.slice(2).map((f) => path.resolve(f)) : exampleFiles();
  for (const file of files) {
    const before = fs.readFileSync(file, 'utf8');
    const after = `${JSON.stringify(completeFlow(withHandoffs(JSON.parse(before))), null, 4)}\n`;
    if (after !== before) fs.writeFileSync(file, after);
    console.log(`${after === before ? 'unchanged' : 'rewritten'}  ${path.relative(ROOT, file)}`);
  }
}

if (require.main === module) main();
