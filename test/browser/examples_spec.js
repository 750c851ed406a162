'use strict';
/**
 * Every shipped example in a real editor (the editor is part of the product): imported through
 * Import ▸ Examples and deployed with the Deploy button, no node shown
 * invalid (also with any optional setting deleted, checked by the editor's
 * own validateNode), the layout rules met by the sizes the editor really
 * draws, every dialog of ours opened, changed, closed with Done and deployed,
 * and not one console or page error. Screenshots of each example in
 * test-artifacts/browser/node-red-<version>/.
 */
const path = require('path');
const should = require('should');
const { EditorPage, requireChromium, freePort } = require('./support/editor-page');
const { exampleFiles } = require('../../dist/dev/complete-examples.js');

/** A field-name box per node type, to try the completion on. */
// field boxes with completion, per node type: what is typed after what the box is set to, the
// completion picked and what the box then holds (one field, a list, Name=value entries); the
// list box marked shot is photographed with its menu open
const single = (box) => ({ box, start: '', typed: 'RemotePort', pick: 'RemotePortNumber', result: 'RemotePortNumber' });
const list = (box, shot = false) => ({ box, start: 'LocalIP', typed: ', RemotePort', pick: 'RemotePortNumber', result: 'LocalIP, RemotePortNumber', shot });
const FIELD_BOXES = {
  'beacon-ip-filter': [
    single('field'),
    { box: 'match', start: '', typed: 'Activity=TRAFFIC, DeviceVen', pick: 'DeviceVendor', result: 'Activity=TRAFFIC, DeviceVendor=' },
  ],
  'beacon-delta': [list('keyFields', true)],
  'beacon-histogram': [list('groupFields')],
  'beacon-pairs': [list('keyFields')],
  'beacon-scorer': [
    single('portField'),
    {
      box: 'entities',
      start: '',
      typed: 'HostCustomEntity=LocalIP, IPCustomEntity=Remote',
      pick: 'RemoteIP',
      result: 'HostCustomEntity=LocalIP, IPCustomEntity=RemoteIP',
    },
  ],
  'beacon-partition': [list('keyFields')],
};

describe('the examples in a real editor (Chromium)', function () {
  this.timeout(600000);
  let editor;
  const imported = new Map();

  before(async function () {
    if (!requireChromium(this)) return;
    editor = await EditorPage.open();
  });
  after(async function () {
    if (editor) await editor.close();
  });

  for (const file of exampleFiles()) {
    const label = path.basename(file, '.json');
    it(`${label}: Import ▸ Examples, no invalid node (also without any optional setting), laid out, deployed`, async function () {
      const page = editor.page;
      const ids = await editor.importExample(label);
      imported.set(label, ids);
      should(await editor.invalidNodes()).eql([]);

      // a flow saved before a setting existed: each optional setting deleted in turn, as the editor validates it
      const older = await page.evaluate((idList) => {
        const bad = [];
        for (const id of idList) {
          const n = RED.nodes.node(id);
          if (!n || !/^beacon-/.test(n.type)) continue;
          for (const [key, d] of Object.entries(n._def.defaults)) {
            if (d.required) continue;
            const saved = n[key];
            n[key] = d.value;
            RED.editor.validateNode(n);
            const asDefault = JSON.stringify(n.validationErrors || []);
            delete n[key];
            RED.editor.validateNode(n);
            if (JSON.stringify(n.validationErrors || []) !== asDefault) bad.push(`${n.type} without ${key}: ${JSON.stringify(n.validationErrors)}`);
            n[key] = saved;
            RED.editor.validateNode(n);
          }
        }
        return bad;
      }, ids);
      should(older).eql([]);

      // the layout rules with the sizes the editor drew
      const problems = await page.evaluate((idList) => {
        RED.view.redraw(true);
        const nodes = idList.map((id) => RED.nodes.node(id)).filter((n) => n && n.w);
        const box = (n) => ({ l: n.x - n.w / 2, r: n.x + n.w / 2, t: n.y - n.h / 2, b: n.y + n.h / 2 });
        const out = [];
        for (let i = 0; i < nodes.length; i++) {
          for (let j = i + 1; j < nodes.length; j++) {
            const a = box(nodes[i]);
            const b = box(nodes[j]);
            if (a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b) out.push(`${nodes[i].type} ${nodes[i].id} overlaps ${nodes[j].type} ${nodes[j].id}`);
          }
        }
        RED.nodes.eachLink((l) => {
          if (idList.includes(l.source.id) && box(l.target).l <= box(l.source).r) out.push(`wire ${l.source.id} → ${l.target.id} runs back`);
        });
        return out;
      }, ids);
      should(problems).eql([]);

      // listening inputs on free ports (other tests run beside this one), then Deploy
      const ports = await Promise.all([0, 1, 2].map(() => freePort()));
      await page.evaluate(
        ({ idList, free }) => {
          for (const id of idList) {
            const n = RED.nodes.node(id);
            if (n && ((n.type === 'tcp in' && n.server === 'server') || n.type === 'udp in')) {
              n.port = String(free.shift());
              n.changed = true;
              n.dirty = true;
            }
          }
          RED.nodes.dirty(true);
        },
        { idList: ids, free: ports },
      );
      await editor.deploy();

      const width = await page.evaluate(
        (idList) =>
          Math.max(
            ...idList
              .map((id) => RED.nodes.node(id))
              .filter((n) => n && n.w)
              .map((n) => n.x + n.w / 2),
          ),
        ids,
      );
      await page.setViewportSize({ width: Math.min(4000, Math.round(width) + 500), height: 900 });
      await editor.screenshot(label);
      await page.setViewportSize({ width: 1600, height: 900 });
      should(editor.errors).eql([]);
    });
  }

  it('every dialog of ours opens filled, takes a change, closes with Done, and deploys without an error', async function () {
    if (!imported.size) {
      console.log('      skipped: no example was imported (see the import tests above)');
      this.skip();
    }
    const page = editor.page;
    const ours = await page.evaluate((ids) => ids.filter((id) => /^beacon-/.test(RED.nodes.node(id).type)), [...imported.values()].flat());
    ours.length.should.be.above(10);
    const columns = await page.evaluate(() => RED.settings.beaconParseColumns);
    columns.WireData.should.containEql('RemotePortNumber');
    columns.CommonSecurityLog.should.containEql('DestinationIP');
    const completed = new Set();
    for (const id of ours) {
      await editor.editDialog(id);
      // no select opens blank
      const blank = await page.evaluate(() =>
        $('.red-ui-tray select[id^="node-input-"]')
          .toArray()
          .filter((s) => s.value === '' && $(s).find('option[value=""]').length === 0)
          .map((s) => s.id),
      );
      should(blank).eql([], `blank selects in ${id}`);
      // every box has a label (a <label for> or an aria-label), shown or collapsed
      const unlabelled = await page.evaluate(() =>
        $('.red-ui-tray')
          .find('input[id^="node-input-"], select[id^="node-input-"], textarea[id^="node-input-"]')
          .toArray()
          .filter((el) => el.type !== 'hidden' && el.id !== 'node-input-node-disabled' && !$(`label[for="${el.id}"]`).length && !el.getAttribute('aria-label'))
          .map((el) => el.id),
      );
      should(unlabelled).eql([], `unlabelled boxes in ${id}`);
      // the scorer shows the rows of the chosen method only
      if (await page.evaluate((nodeId) => RED.nodes.node(nodeId).type === 'beacon-scorer', id)) {
        const rows = async (method) => {
          await page.selectOption('#node-input-method', method);
          return page.evaluate(() => ['window', 'stats', 'periodic'].filter((m) => $(`.beacon-scorer-${m}`).is(':visible')));
        };
        const chosen = await page.inputValue('#node-input-method');
        for (const m of ['kql', 'window', 'stats', 'periodic']) should(await rows(m)).eql(m === 'kql' ? [] : [m]);
        await page.selectOption('#node-input-method', chosen);
      }
      // field names complete from the parsers' columns (core/parse/columns via RED.settings), once per type
      const type = await page.evaluate((nodeId) => RED.nodes.node(nodeId).type, id);
      if (FIELD_BOXES[type] && !completed.has(type)) {
        completed.add(type);
        for (const f of FIELD_BOXES[type]) {
          const box = `#node-input-${f.box}`;
          const before = await page.inputValue(box);
          await page.fill(box, f.start);
          await page.focus(box);
          await page.keyboard.type(f.typed);
          const menu = page.locator('.red-ui-autoComplete-container');
          await menu.waitFor({ state: 'visible' });
          if (f.shot) await editor.screenshot('field-name-completion', null);
          await menu.getByText(f.pick, { exact: true }).click();
          (await page.inputValue(box)).should.equal(f.result, `${type} ${box}`);
          await menu.waitFor({ state: 'detached' });
          await page.fill(box, before);
        }
      }
      // the parse rows (log parse, syslog in) show what the chosen format uses
      if (['beacon-parse', 'beacon-syslog-in'].includes(type)) {
        const parseOn = page.locator('#node-input-parse');
        const wasOn = !(await parseOn.count()) || (await parseOn.isChecked());
        if (!wasOn) await parseOn.check();
        const chosen = { format: await page.inputValue('#node-input-format'), time: await page.inputValue('#node-input-timeSource') };
        const rows = async (format, time = 'event') => {
          await page.selectOption('#node-input-timeSource', time);
          await page.selectOption('#node-input-format', format);
          return page.evaluate(() => ({
            rows: ['format', 'timeSource', 'deviceOffset', 'byteDirection'].filter((k) => $(`#node-input-${k}`).is(':visible')),
            tip: $('.netbeacon-parse-tip').text(),
          }));
        };
        const all = ['format', 'timeSource', 'deviceOffset', 'byteDirection'];
        should((await rows('auto')).rows).eql(all);
        should((await rows('cef')).rows).eql(all);
        should((await rows('panos-csv')).rows).eql(['format', 'timeSource', 'deviceOffset']);
        const zeek = await rows('zeek-tsv');
        should(zeek.rows).eql(['format', 'timeSource']);
        zeek.tip.should.match(/#fields/);
        should((await rows('zeek-json')).rows).eql(['format', 'timeSource']);
        should((await rows('json')).rows).eql(['format', 'timeSource']);
        // a BSD syslog header time is read in the device zone, whatever the format
        should((await rows('zeek-tsv', 'syslog')).rows).eql(['format', 'timeSource', 'deviceOffset']);
        await rows(chosen.format, chosen.time);
        if (!wasOn) await parseOn.uncheck();
      }
      await page.fill('#node-input-name', `edited ${id}`);
      await page.click('#node-dialog-ok');
      await page.waitForSelector('#node-dialog-ok', { state: 'detached' });
    }
    [...completed].sort().should.eql(Object.keys(FIELD_BOXES).sort());
    should(await editor.invalidNodes()).eql([]);
    await editor.deploy();
    const names = await page.evaluate((ids) => ids.map((id) => RED.nodes.node(id).name), ours);
    names.should.eql(ours.map((id) => `edited ${id}`));
    should(editor.errors).eql([]);
  });
});
