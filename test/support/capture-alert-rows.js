'use strict';
/**
 * Writes test/fixtures/alert-rows.json: real scorer rows (alerts, rows the
 * alert gate suppressed, near misses) from every example flow and every
 * score method, replayed over the sample traffic `npm start` uses. The alert
 * text tests read them, so a summary is checked on what users get, not on
 * hand-made rows. Regenerate after a change to the scorer's row shape:
 *   node test/support/capture-alert-rows.js
 */
require('./node-red');
const fs = require('fs');
const path = require('path');
const { helper, NODE_MODULES, readExample, ROOT } = require('./example-flows');
const gen = require('../../dist/tools/traffic-generator');
const { generateLines } = require('../../dist/tools/log-lines');

const HUNT = 'Beacon hunt (per pair, 7-day history).json';

/** Every scorer of the flow gets probes on both outputs; files go nowhere. */
function probe(flow, variant) {
  const nodes = JSON.parse(JSON.stringify(flow));
  const z = nodes.find((n) => n.type === 'tab').id;
  const scorers = nodes.filter((n) => n.type === 'beacon-scorer');
  for (const s of scorers) {
    Object.assign(s, variant);
    s.wires[0].push(`probe-0-${s.id}`);
    s.wires[1].push(`probe-1-${s.id}`);
    nodes.push({ id: `probe-0-${s.id}`, type: 'helper', z, wires: [] }, { id: `probe-1-${s.id}`, type: 'helper', z, wires: [] });
  }
  const kept = nodes.filter((n) => n.type !== 'file' && n.type !== 'http request');
  for (const n of kept) if (n.wires) n.wires = n.wires.map((w) => w.filter((id) => kept.some((k) => k.id === id)));
  const json = kept.find((n) => n.type === 'json');
  const entryId = json ? json.wires[0][0] : kept.find((n) => n.type === 'beacon-parse').id;
  return { nodes: kept, scorers, entryId };
}

async function run(example, variant, inputs, label) {
  const { nodes, scorers, entryId } = probe(readExample(example), variant);
  await helper.load(NODE_MODULES, nodes);
  const rows = [];
  let flushes = 0;
  const done = new Promise((resolve) => {
    for (const s of scorers) {
      for (const port of [0, 1]) {
        helper.getNode(`probe-${port}-${s.id}`).on('input', (msg) => {
          if (msg.flush) {
            if (port === 0 && ++flushes === scorers.length) resolve();
            return;
          }
          if (msg.reset) return;
          for (const row of [].concat(msg.payload)) {
            const kind = port === 0 ? 'alert' : row.Suppressed ? 'suppressed' : (row.FailedThresholds || []).length === 1 ? 'near' : null;
            if (kind) rows.push({ example: label, scorer: s.title, method: s.method || 'kql', kind, topic: port === 0 ? msg.topic : undefined, row });
          }
        });
      }
    }
  });
  const entry = helper.getNode(entryId);
  entry.receive({ reset: true });
  for (let i = 0; i < inputs.length; i += 500) entry.receive({ payload: inputs.slice(i, i + 500) });
  entry.receive({ flush: true });
  await done;
  await helper.unload();
  return rows;
}

/** At most `n` rows per (example, scorer, method, kind, final), spread over the run. */
function pick(rows, n) {
  const by = new Map();
  for (const r of rows) {
    const k = [r.example, r.scorer, r.method, r.kind, r.row.Final].join('|');
    if (!by.has(k)) by.set(k, []);
    by.get(k).push(r);
  }
  const out = [];
  for (const list of by.values()) {
    const step = Math.max(1, Math.floor(list.length / n));
    for (let i = 0; i < list.length && out.filter((o) => o.list === list).length < n; i += step) out.push({ list, r: list[i] });
  }
  return out.map((o) => o.r);
}

(async () => {
  helper.init(require.resolve('node-red'));
  await new Promise((resolve) => helper.startServer(resolve));
  const wd = gen.generateRecords(gen.sampleScenario('wiredata'));
  const csl = gen.generateRecords(gen.sampleScenario('csl'));
  const zeek = generateLines(gen.sampleScenario('wiredata'), 'zeek-tsv').map((l) => l.line);
  const all = [
    ...(await run('wiredata', {}, wd, 'WireData')),
    ...(await run('paloalto', {}, csl, 'Palo Alto')),
    ...(await run('zeek', {}, zeek, 'Zeek conn.log')),
    ...(await run(HUNT, {}, wd, 'hunt')),
    // the hunt's scorers with the other methods, as a user may switch them in the editor
    ...(await run(HUNT, { method: 'stats', minScore: 0.8, minBeaconPercent: '' }, wd, 'hunt (stats)')),
    ...(await run(HUNT, { method: 'kql', minBeaconPercent: 80 }, wd, 'hunt (kql)')),
  ];
  const picked = pick(all, 6);
  const file = path.join(ROOT, 'test', 'fixtures', 'alert-rows.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(picked, null, 1) + '\n');
  const counts = {};
  for (const r of picked) counts[`${r.example} / ${r.scorer} / ${r.kind}`] = (counts[`${r.example} / ${r.scorer} / ${r.kind}`] || 0) + 1;
  console.log(`${all.length} rows, ${picked.length} kept in ${file}`, counts);
  helper.stopServer(() => process.exit(0));
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
