'use strict';
/**
 * The "Beacons" sidebar in a real editor: sample traffic (the shipped sample
 * scenario, Palo Alto records) replayed through the Palo Alto rule's chain
 * over HTTP; the beacon appears with its histogram and time line drawn, a
 * SourceUserID that is HTML shows as text and runs nothing, filter and reveal
 * work, a reset clears the board. The hunt example is fed the WireData
 * sample beside it, and a live example (CEF over UDP) gets lines as a
 * firewall sends them; the cards are compared with the rows the scorers
 * sent (labels, states, counts). Screenshots of the sidebar in
 * test-artifacts/browser/.
 */
const dgram = require('dgram');
const should = require('should');
const { EditorPage, requireChromium, freePort } = require('./support/editor-page');
const { readExample } = require('../support/example-flows');
const { generateRecords, sampleScenario } = require('../../dist/tools/traffic-generator.js');
const { beaconScenario } = require('../support/scenarios');
const { generateLines } = require('../../dist/tools/log-lines.js');

const HOSTILE = '<img src=x onerror="window.__netbeaconPwned=1">';
const HUNT = 'Beacon hunt (per pair, 7-day history).json';
const LIVE_CEF = 'Palo Alto beaconing from CEF over UDP syslog.json';

/** Keeps every row a scorer sends (and whether its flush has passed) in global context, for GET /netbeacon-rows. */
function keepRows(part, z) {
  for (const scorer of part.filter((n) => n.type === 'beacon-scorer')) {
    [0, 1].forEach((port) => {
      const id = `${z}_keep_${scorer.id}_${port}`;
      scorer.wires[port].push(id);
      const func = [
        "const rows = global.get('netbeaconRows') || [];",
        "const flushed = global.get('netbeaconFlushed') || [];",
        `if (msg.reset) { global.set('netbeaconRows', rows.filter((r) => r.scorer !== '${scorer.id}')); global.set('netbeaconFlushed', flushed.filter((s) => s !== '${scorer.id}')); return null; }`,
        `if (msg.flush) { global.set('netbeaconFlushed', [...flushed, '${scorer.id}']); return null; }`,
        'if (msg.checkpoint) return null;',
        `for (const row of [].concat(msg.payload)) rows.push({ scorer: '${scorer.id}', port: ${port}, row });`,
        "global.set('netbeaconRows', rows);",
        'return null;',
      ].join('\n');
      part.push({ id, type: 'function', z, func, outputs: 1, x: 900, y: 700 + 40 * port, wires: [[]] });
    });
  }
}

/** The live CEF-over-UDP example listening on `port`, its rows kept. */
function liveFlow(port) {
  const part = readExample(LIVE_CEF).filter((n) => !['file', 'http request'].includes(n.type));
  for (const n of part) if (n.wires) n.wires = n.wires.map((p) => p.filter((id) => part.some((m) => m.id === id)));
  const input = part.find((n) => n.type === 'beacon-syslog-in');
  Object.assign(input, { port });
  const z = part.find((n) => n.type === 'tab').id;
  keepRows(part, z);
  // POST /netbeacon-replay-live {reset: true}: a reset into the chain, where the input sends its records
  part.push(
    { id: `${z}_http`, type: 'http in', z, url: '/netbeacon-replay-live', method: 'post', x: 100, y: 600, wires: [[`${z}_fn`, `${z}_ok`]] },
    { id: `${z}_ok`, type: 'http response', z, statusCode: '200', x: 300, y: 640, wires: [] },
    {
      id: `${z}_fn`,
      type: 'function',
      z,
      func: 'return (msg.payload || {}).reset ? { reset: true } : null;',
      outputs: 1,
      x: 300,
      y: 600,
      wires: [input.wires[0].slice()],
    },
  );
  return part;
}

/**
 * The Palo Alto rule's nodes fed by POST /netbeacon-replay and the hunt's by POST
 * /netbeacon-replay-hunt ({records} | {flush} | {reset}); every row each scorer sends is kept, and
 * GET /netbeacon-rows gives them back ({rows: [{scorer, port, row}], flushed: [scorer]}, a scorer's
 * reset drops its own).
 */
function replayFlow(livePort) {
  const flow = [];
  for (const [name, suffix] of [
    ['paloalto', ''],
    [HUNT, '-hunt'],
  ]) {
    const part = readExample(name).filter((n) => !['inject', 'file in', 'change', 'json', 'http request', 'file'].includes(n.type));
    const z = part.find((n) => n.type === 'tab').id;
    const entry = readExample(name).find((n) => n.type === 'json').wires[0][0];
    for (const n of part) if (n.wires) n.wires = n.wires.map((port) => port.filter((id) => part.some((m) => m.id === id)));
    const id = (x) => `${z}_${x}`;
    keepRows(part, z);
    part.push(
      { id: id('http'), type: 'http in', z, url: `/netbeacon-replay${suffix}`, method: 'post', x: 100, y: 600, wires: [[id('fn'), id('ok')]] },
      { id: id('ok'), type: 'http response', z, statusCode: '200', x: 300, y: 640, wires: [] },
      {
        id: id('fn'),
        type: 'function',
        z,
        func: 'const p = msg.payload || {};\nif (p.flush) return { flush: true };\nif (p.reset) return { reset: true };\nreturn { payload: p.records };',
        outputs: 1,
        x: 300,
        y: 600,
        wires: [[entry]],
      },
    );
    flow.push(...part);
  }
  if (livePort) flow.push(...liveFlow(livePort));
  const z = flow.find((n) => n.type === 'tab').id;
  flow.push(
    { id: 'rp_rows', type: 'http in', z, url: '/netbeacon-rows', method: 'get', x: 100, y: 800, wires: [['rp_rows_fn']] },
    {
      id: 'rp_rows_fn',
      type: 'function',
      z,
      func: "msg.payload = { rows: global.get('netbeaconRows') || [], flushed: global.get('netbeaconFlushed') || [] };\nreturn msg;",
      outputs: 1,
      x: 300,
      y: 800,
      wires: [['rp_rows_ok']],
    },
    { id: 'rp_rows_ok', type: 'http response', z, statusCode: '200', x: 500, y: 800, wires: [] },
  );
  return flow;
}

/** The group fields of each scorer: its histogram's. */
function groupFieldsByScorer(flow) {
  const out = {};
  for (const s of flow.filter((n) => n.type === 'beacon-scorer')) {
    const hist = flow.find((h) => (h.type === 'beacon-histogram' || h.type === 'beacon-pairs') && h.wires[0].includes(s.id));
    out[s.id] = (hist.groupFields ?? hist.keyFields).split(',').map((f) => f.trim());
  }
  return out;
}

/**
 * The cards the scorers' rows call for, worked out from the rows alone: per scorer and group, the
 * latest row of each bin; an alert when one of those left on the alert output, else suppressed
 * when one was held back; the state's latest bin gives the count and the reason.
 */
function expectedCards(sent, groupFields) {
  const groups = new Map();
  for (const s of sent) {
    const values = groupFields[s.scorer].map((f) => (s.row[f] === undefined || s.row[f] === null ? '' : String(s.row[f])));
    const key = JSON.stringify([s.scorer, values]);
    if (!groups.has(key)) groups.set(key, { scorer: s.scorer, label: values.filter((v) => v !== '').join(' → '), bins: new Map() });
    groups.get(key).bins.set(s.row.TimeGenerated, s);
  }
  const cards = [];
  for (const g of groups.values()) {
    const latest = [...g.bins.values()];
    const alerts = latest.filter((s) => s.port === 0);
    const held = latest.filter((s) => s.row.Suppressed);
    const from = alerts.length > 0 ? alerts : held;
    if (from.length === 0) continue;
    const row = from.reduce((a, b) => (b.row.TimeGenerated > a.row.TimeGenerated ? b : a)).row;
    cards.push({
      scorer: g.scorer,
      label: g.label,
      state: alerts.length > 0 ? 'alert' : 'suppressed',
      events: String(row.TotalEvents),
      suppressed: row.Suppressed || '',
    });
  }
  return cards;
}

/**
 * Reads the cards in the editor and compares them with the cards the scorers' rows call for:
 * the same groups with an alert or a suppressed alert (one card each), state, events and reason.
 * Returns the cards as shown.
 */
async function boardMatchesRows(editor, flow) {
  const page = editor.page;
  const sent = (await (await fetch(`${editor.red.base}/netbeacon-rows`)).json()).rows;
  const expected = expectedCards(sent, groupFieldsByScorer(flow));
  // the board refreshes at most twice a second: wait until it shows as many stated cards as the rows call for
  await page.waitForFunction((n) => $('.netbeacon-group.netbeacon-alert, .netbeacon-group.netbeacon-suppressed').length === n, expected.length, {
    timeout: 30000,
  });
  const cards = await page.evaluate(() =>
    $('.netbeacon-group')
      .toArray()
      .map((li) => ({
        scorer: li.getAttribute('data-scorer'),
        label: $(li).find('.netbeacon-pair').text(),
        state: $(li).find('.netbeacon-state').text(),
        events: $(li)
          .find('.netbeacon-figure')
          .filter((_, f) => $(f).find('b').text().trim() === 'events')
          .find('span')
          .text(),
        suppressed: $(li)
          .find('.netbeacon-figure')
          .filter((_, f) => $(f).find('b').text().trim() === 'suppressed')
          .find('span')
          .text(),
      })),
  );
  // one card per group: no label twice for a scorer
  new Set(cards.map((c) => `${c.scorer} ${c.label}`)).size.should.equal(cards.length);
  const stated = cards.filter((c) => /^(alert|suppressed)/.test(c.state)).map((c) => ({ ...c, state: c.state.split(' ')[0] }));
  const key = (c) => `${c.scorer} ${c.label}`;
  stated.map(key).sort().should.eql(expected.map(key).sort());
  for (const want of expected) {
    const got = stated.find((c) => key(c) === key(want));
    [got.state, got.events, got.suppressed].should.eql([want.state, want.events, want.suppressed], key(want));
    if (got.state === 'suppressed') got.suppressed.should.not.be.empty();
  }
  return { cards, expected };
}

describe('the Beacons sidebar in a real editor (Chromium)', function () {
  this.timeout(300000);
  let editor;
  let livePort;
  before(async function () {
    if (!requireChromium(this)) return;
    livePort = await freePort();
    editor = await EditorPage.open({}, replayFlow(livePort));
  });
  after(async function () {
    if (editor) await editor.close();
  });

  const post = (body, suffix = '') =>
    fetch(`${editor.red.base}/netbeacon-replay${suffix}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('shows the replayed beacon with its histogram and time line; log strings stay text', async function () {
    const scenario = sampleScenario('csl');
    scenario.beacons[0] = { ...scenario.beacons[0], user: HOSTILE };
    const records = generateRecords(scenario);
    await post({ reset: true });
    for (let i = 0; i < records.length; i += 2000) await post({ records: records.slice(i, i + 2000) });
    await post({ flush: true });
    const hunt = generateRecords(sampleScenario('wiredata'));
    await post({ reset: true }, '-hunt');
    for (let i = 0; i < hunt.length; i += 2000) await post({ records: hunt.slice(i, i + 2000) }, '-hunt');
    await post({ flush: true }, '-hunt');

    const page = editor.page;
    await page.evaluate(() => RED.sidebar.show('netbeacon-beacons'));
    const beacon = page.locator('.netbeacon-group.netbeacon-alert', { hasText: '52.239.1.10' }).first();
    await beacon.waitFor({ state: 'visible', timeout: 60000 });
    (await beacon.locator('.netbeacon-pair').innerText()).should.containEql(HOSTILE);
    (await beacon.locator('.netbeacon-histogram rect').count()).should.be.above(0);
    (await beacon.locator('.netbeacon-histogram rect.netbeacon-bar-mode').count()).should.equal(1);
    (await beacon.locator('.netbeacon-timeline rect').count()).should.be.above(0);
    (await page.locator('.netbeacon-sidebar img').count()).should.equal(0);
    should(await page.evaluate(() => window.__netbeaconPwned)).be.undefined();
    await editor.screenshot('beacons-sidebar', '#red-ui-sidebar');
    // the filter row is whole and on top: not clipped by a footer (4.1) or a split panel (5.0)
    const hidden = await page.evaluate(() =>
      ['.netbeacon-filter', '.netbeacon-sort', '.netbeacon-count', '.netbeacon-clear'].filter((sel) => {
        const el = document.querySelector(sel);
        const r = el.getBoundingClientRect();
        return !(
          r.height > 0 &&
          [
            [r.left + 2, r.top + 2],
            [r.right - 2, r.bottom - 2],
          ].every(([x, y]) => el.contains(document.elementFromPoint(x, y)))
        );
      }),
    );
    hidden.should.eql([]);

    // filter, then reveal the scorer node
    await page.fill('.netbeacon-filter', 'no-such-address');
    (await page.locator('.netbeacon-group').count()).should.equal(0);
    await page.fill('.netbeacon-filter', '52.239.1.10');
    (await page.locator('.netbeacon-group').count()).should.be.above(0);
    await page.locator('.netbeacon-group .netbeacon-reveal').first().click();
    (await page.evaluate(() => RED.workspaces.active())).should.equal('pa_tab');
    should(editor.errors).eql([]);
  });

  it("shows one card per group with the state, count and reason the scorers' own rows give (the Palo Alto rule and the hunt on the sample)", async function () {
    const page = editor.page;
    await page.fill('.netbeacon-filter', '');
    const flow = replayFlow(livePort);
    // the rows are all in once each scorer has passed its flush on (the replay posts answer before the flow has run)
    await page.waitForFunction(
      async () => {
        const { flushed } = await (await fetch('netbeacon-rows')).json();
        return ['pa_score', 'hu_score'].every((s) => flushed.includes(s));
      },
      null,
      { polling: 100, timeout: 60000 },
    );
    const { cards, expected } = await boardMatchesRows(editor, flow);
    expected.length.should.be.within(4, 12);
    expected.filter((c) => c.state === 'alert').length.should.be.above(2);
    expected.filter((c) => c.state === 'suppressed').length.should.be.above(0);
    const stated = cards.filter((c) => /^(alert|suppressed)/.test(c.state)).map((c) => ({ ...c, state: c.state.split(' ')[0] }));
    // the hunt's C2 pair: one card, an alert of the periodicity test on its pair's intervals
    stated
      .filter((c) => c.label.includes('185.225.17.0/24'))
      .map((c) => [c.scorer, c.state])
      .should.eql([['hu_score', 'alert']]);
    await editor.screenshot('beacons-sidebar-board', '#red-ui-sidebar');
    should(editor.errors).eql([]);
  });

  it('live CEF over UDP: early alerts are cards while traffic flows, replaced in place by their final rows after the flush; the empty user is left out of the label', async function () {
    const page = editor.page;
    await editor.red.until(`listening on udp ${livePort}`, () => editor.red.log.includes(`listening on udp 127.0.0.1:${livePort}`));
    const scenario = beaconScenario(77, '10.0.0.5', '52.239.1.20');
    const socket = dgram.createSocket('udp4');
    for (const { line } of generateLines(scenario, 'panos-cef')) {
      await new Promise((resolve, reject) => socket.send(line, livePort, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    }
    socket.close();
    // before any flush: the beacon's first hours alert early, and show as early alerts
    const live = page.locator('.netbeacon-group.netbeacon-alert', { hasText: '52.239.1.20' });
    await live.first().waitFor({ state: 'visible', timeout: 60000 });
    (await live.count()).should.equal(1);
    (await live.locator('.netbeacon-state').innerText()).toLowerCase().should.equal('alert · early');
    // CEF from PAN-OS has no suid: SourceUserID is '' and the label skips it rather than show an empty step
    (await live.locator('.netbeacon-pair').innerText()).should.match(/^PA-\w+ → 10\.0\.0\.5 → 52\.239\.1\.20 → 443$/);
    (await live.locator('.netbeacon-pair').getAttribute('title')).should.containEql('SourceUserID = \n');

    const res = await fetch(`${editor.red.base}/inject/pu_flush`, { method: 'POST' });
    res.status.should.equal(200);
    await page.waitForFunction(async () => (await (await fetch('netbeacon-rows')).json()).flushed.includes('pu_score'), null, { polling: 100, timeout: 60000 });
    const sent = (await (await fetch(`${editor.red.base}/netbeacon-rows`)).json()).rows.filter((r) => r.scorer === 'pu_score');
    sent.filter((r) => r.port === 0 && r.row.Final === false).length.should.be.above(0);
    sent.filter((r) => r.port === 0 && r.row.Final === true).length.should.be.above(0);
    // early and final rows of a cell are one card: the live group is still one card, now final
    await page.waitForFunction(
      () =>
        $('.netbeacon-group.netbeacon-alert')
          .filter((_, li) => $(li).text().includes('52.239.1.20'))
          .text()
          .toLowerCase()
          .includes('alert · final'),
      null,
      { timeout: 30000 },
    );
    await boardMatchesRows(editor, replayFlow(livePort));
    (await live.count()).should.equal(1);
    await editor.screenshot('beacons-sidebar-live', '#red-ui-sidebar');
    should(editor.errors).eql([]);
  });

  it('is emptied by a reset through the scorer', async function () {
    await post({ reset: true });
    await post({ reset: true }, '-hunt');
    await post({ reset: true }, '-live');
    await editor.page.waitForFunction(() => $('.netbeacon-group').length === 0, null, { timeout: 30000 });
    should(editor.errors).eql([]);
  });
});
