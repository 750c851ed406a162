'use strict';
/**
 * End to end: the hunt on the pair history survives a process restart. A
 * real Node-RED process with a `localfilesystem` context store runs the hunt
 * example's chain (filter → pair history → scorer) twice, fed over
 * HTTP on 127.0.0.1 with three days of traffic, so scorings (every 12 h of
 * event time) fall mid-stream: a reference copy gets everything at once; the
 * other copy (pair history and scorer state in the file store) is stopped
 * with SIGTERM after each third of the records and started again. Both must
 * write the same alerts and notify the same pairs.
 */
const fs = require('fs');
const path = require('path');
const should = require('should');
const { ROOT } = require('./support/node-red-process');
const { httpFeed, fileNode, jsonLines, referenceAndResumed } = require('./support/feed-nodes');

const example = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'Beacon hunt (per pair, 7-day history).json'), 'utf8'));
const CHAIN = ['hu_filter', 'hu_pairs', 'hu_score'];

/** Three days from a Monday: beacons (300 s ±10 %, 4 h ±10 %, 40 s for 5 h), random pollers and one-shot browsing, in time order. */
function traffic() {
  let x = 2024;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const t0 = Date.UTC(2024, 4, 6) / 1000;
  const end = t0 + 3 * 86400;
  const out = [];
  const add = (s, local, remote, port = 443) =>
    out.push({
      TimeGenerated: new Date(Math.round(s * 1000)).toISOString(),
      LocalIP: local,
      RemoteIP: remote,
      RemotePortNumber: port,
      SentBytes: 600,
      ReceivedBytes: 1200,
    });
  for (let s = t0 + 17; s < end; s += 300 * (0.9 + 0.2 * rnd())) add(s, '10.0.0.4', '52.239.1.20');
  for (let s = t0 + 600; s < end; s += 14400 * (0.9 + 0.2 * rnd())) add(s, '10.0.0.5', '91.200.12.7', 8080);
  for (let s = t0 + 86400; s < t0 + 86400 + 5 * 3600; s += 40) add(s, '10.0.0.7', '185.225.17.9', 8443);
  for (let h = 0; h < 6; h++) for (let s = t0 + rnd() * 600; s < end; s += -Math.log(1 - rnd()) * 900) add(s, `10.0.1.${h}`, `64.${h}.9.1`);
  for (let i = 0; i < 3000; i++) add(t0 + rnd() * 3 * 86400, `10.0.2.${i % 50}`, `23.${(i * 7) % 250}.${i % 200}.5`);
  return out.sort((a, b) => (a.TimeGenerated < b.TimeGenerated ? -1 : a.TimeGenerated > b.TimeGenerated ? 1 : 0));
}

/** The chain on its own tab, fed by HTTP (records answered at once; control answered once it has left the scorer). */
function chainTab(name, store) {
  const id = (s) => `${name}_${s}`;
  const z = id('tab');
  const nodes = example
    .filter((n) => CHAIN.includes(n.id))
    .map((n) => ({ ...n, id: id(n.id), z, wires: n.wires.map((w) => w.filter((t) => CHAIN.includes(t)).map(id)) }));
  for (const n of nodes) if (n.type !== 'beacon-ip-filter') Object.assign(n, { store, checkpointEvery: 0 });
  for (const s of nodes.filter((n) => n.type === 'beacon-scorer')) {
    s.wires[0].push(id('alerts'));
    s.wires[1].push(id('is_control'));
  }
  return [
    { id: z, type: 'tab', label: `hunt restart test: ${name}` },
    ...nodes,
    ...httpFeed(name, z, id('hu_filter')),
    {
      id: id('is_control'),
      z,
      type: 'function',
      func: 'return msg.checkpoint || msg.flush ? msg : null;',
      outputs: 1,
      wires: [[id('done')]],
    },
    fileNode(id('alerts'), z, `alerts-${name}.jsonl`),
  ];
}

/** Alert rows from the file node; AlertId names the scorer node (the two tabs differ), so it is left out. */
const rows = (file) => jsonLines(file).map(({ AlertId, ...row }) => JSON.stringify(row));

describe('hunt on the pair history across restarts (real Node-RED, localfilesystem context store)', function () {
  this.timeout(180000);
  let red;
  let userDir;
  after(function () {
    red?.kill();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('alerts after SIGTERM + restart twice mid-stream equal the uninterrupted run', async function () {
    const records = traffic();
    let send;
    let restored;
    ({ red, userDir, send, restored } = await referenceAndResumed('hunt-restart', chainTab));
    await send('reference', records);
    await red.post('/reference/control', { flush: true });

    const third = Math.floor(records.length / 3);
    await send('resumed', records.slice(0, third));
    await red.post('/resumed/control', { checkpoint: true }); // a barrier: everything sent has been processed
    await red.stop();
    await red.start();
    restored().should.equal(2); // the pair history and the scorer
    await send('resumed', records.slice(third, 2 * third));
    await red.post('/resumed/control', { checkpoint: true });
    await red.stop();
    await red.start();
    restored().should.equal(4);
    await send('resumed', records.slice(2 * third));
    await red.post('/resumed/control', { flush: true });
    await red.stop();

    const reference = rows(path.join(userDir, 'alerts-reference.jsonl'));
    const resumed = rows(path.join(userDir, 'alerts-resumed.jsonl'));
    const pairs = (list) => [...new Set(list.map((r) => JSON.parse(r)).map((r) => `${r.LocalIP} ${r.RemoteNetwork} ${r.RemotePortNumber}`))].sort();
    // the 300 s beacon, the 4 h sleeper and the 5 h burst of 40 s; never the random pollers or the browsing
    pairs(reference).should.eql(['10.0.0.4 52.239.1.0/24 443', '10.0.0.5 91.200.12.0/24 8080', '10.0.0.7 185.225.17.0/24 8443']);
    // the 300 s beacon re-armed each day of its events: more than one alert, each notified once
    reference.filter((r) => JSON.parse(r).LocalIP === '10.0.0.4').length.should.be.above(1);
    resumed.slice().sort().should.eql(reference.slice().sort());
    should(red.warnings()).eql([]);
  });
});
