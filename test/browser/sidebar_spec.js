'use strict';
/**
 * The "Beacons" sidebar in a real editor: sample traffic (the shipped sample
 * scenario, Palo Alto records) replayed through the Palo Alto rule's chain
 * over HTTP; the beacon appears with its histogram and time line drawn, a
 * SourceUserID that is HTML shows as text and runs nothing, filter and reveal
 * work, a reset clears the board. A screenshot of the sidebar in
 * test-artifacts/browser/.
 */
const should = require('should');
const { EditorPage, requireChromium } = require('./support/editor-page');
const { readExample } = require('../support/example-flows');
const { generateRecords, sampleScenario } = require('../../dist/tools/traffic-generator.js');

const HOSTILE = '<img src=x onerror="window.__netbeaconPwned=1">';

/** The Palo Alto rule's nodes fed by POST /netbeacon-replay ({records} | {flush} | {reset}). */
function replayFlow() {
  const flow = readExample('paloalto').filter((n) => !['inject', 'file in', 'change', 'json', 'http request', 'file'].includes(n.type) || n.id === 'x');
  const z = flow.find((n) => n.type === 'tab').id;
  for (const n of flow) if (n.wires) n.wires = n.wires.map((port) => port.filter((id) => flow.some((m) => m.id === id)));
  flow.push(
    { id: 'rp_http', type: 'http in', z, url: '/netbeacon-replay', method: 'post', x: 100, y: 600, wires: [['rp_fn', 'rp_ok']] },
    { id: 'rp_ok', type: 'http response', z, statusCode: '200', x: 300, y: 640, wires: [] },
    { id: 'rp_fn', type: 'function', z, func: 'const p = msg.payload || {};\nif (p.flush) return { flush: true };\nif (p.reset) return { reset: true };\nreturn { payload: p.records };', outputs: 1, x: 300, y: 600, wires: [['pa_filter']] },
  );
  return flow;
}

describe('the Beacons sidebar in a real editor (Chromium)', function () {
  this.timeout(300000);
  let editor;
  before(async function () {
    if (!requireChromium(this)) return;
    editor = await EditorPage.open({}, replayFlow());
  });
  after(async function () {
    if (editor) await editor.close();
  });

  const post = (body) => fetch(`${editor.red.base}/netbeacon-replay`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('shows the replayed beacon with its histogram and time line; log strings stay text', async function () {
    const scenario = sampleScenario('csl');
    scenario.beacons[0] = { ...scenario.beacons[0], user: HOSTILE };
    const records = generateRecords(scenario);
    await post({ reset: true });
    for (let i = 0; i < records.length; i += 2000) await post({ records: records.slice(i, i + 2000) });
    await post({ flush: true });

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
    const hidden = await page.evaluate(() => ['.netbeacon-filter', '.netbeacon-sort', '.netbeacon-count', '.netbeacon-clear'].filter((sel) => {
      const el = document.querySelector(sel);
      const r = el.getBoundingClientRect();
      return !(r.height > 0 && [[r.left + 2, r.top + 2], [r.right - 2, r.bottom - 2]].every(([x, y]) => el.contains(document.elementFromPoint(x, y))));
    }));
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

  it('is emptied by a reset through the scorer', async function () {
    await post({ reset: true });
    await editor.page.waitForFunction(() => $('.netbeacon-group').length === 0, null, { timeout: 30000 });
    should(editor.errors).eql([]);
  });
});
