'use strict';
/**
 * Every shipped example as the editor sees it: each of our nodes
 * valid by its own validators, also with any one setting deleted (a flow
 * saved before the setting existed); every setting written out; the layout
 * rules (left to right, a chain on its row, comments above their nodes, no
 * overlap). Examples added later are held to the same rules: run
 * `node dev/complete-examples.js` after adding one.
 */
const fs = require('fs');
const path = require('path');
const should = require('should');
const { allDefaults } = require('../../dist/dev/editor-definitions.js');
const { layoutProblems } = require('../../dist/dev/flow-layout.js');
const { exampleFiles, completeFlow, editorLabels } = require('../../dist/dev/complete-examples.js');
const { handoffIds, LEDGER_STORE } = require('../../dist/dev/example-handoffs.js');

const DEFAULTS = allDefaults();
const LABELS = editorLabels();

/** What the editor's validateNode reports for one node: the settings it would mark invalid. */
function invalidSettings(node) {
  const defaults = DEFAULTS.get(node.type);
  const bad = [];
  for (const [key, setting] of Object.entries(defaults)) {
    const value = node[key];
    if (setting.required && value === '') bad.push(`${key}= (required)`);
    else if (setting.validate) {
      const answer = setting.validate.call({ ...node, _: (k) => k }, value, {});
      if (answer !== true) bad.push(`${key}=${JSON.stringify(value)}: ${answer}`);
    }
  }
  return bad;
}

describe('example flows in the editor', function () {
  const files = exampleFiles();
  it('finds the examples', function () {
    files.length.should.be.above(3);
  });

  it('no two examples share a node id (importing one beside another would clash)', function () {
    const owner = new Map();
    const clashes = [];
    for (const file of files) {
      for (const node of JSON.parse(fs.readFileSync(file, 'utf8'))) {
        if (owner.has(node.id) && owner.get(node.id) !== file) clashes.push(`${node.id}: ${path.basename(owner.get(node.id))} and ${path.basename(file)}`);
        owner.set(node.id, file);
      }
    }
    clashes.should.eql([]);
  });

  for (const file of files) {
    const name = path.basename(file);
    const flow = JSON.parse(fs.readFileSync(file, 'utf8'));
    const ours = flow.filter((n) => DEFAULTS.has(n.type));

    describe(name, function () {
      it('every node of ours is valid, and stays valid with any one setting deleted', function () {
        for (const node of ours) {
          should(invalidSettings(node)).eql([], `${node.id} as shipped`);
          for (const [key, setting] of Object.entries(DEFAULTS.get(node.type))) {
            const older = { ...node };
            delete older[key];
            // absent reads exactly as the default: no error beyond those the default value itself gives
            // (another setting may depend on this one, e.g. a key that must be among the group fields)
            const field = (b) => b.slice(0, b.indexOf('='));
            const asDefault = invalidSettings({ ...node, [key]: setting.value }).map(field);
            const bad = invalidSettings(older).filter((b) => !asDefault.includes(field(b)));
            should(bad).eql([], `${node.id} without ${key}`);
          }
        }
      });

      it('writes out every setting and follows the layout rules (node dev/complete-examples.js)', function () {
        for (const node of ours) {
          const missing = Object.keys(DEFAULTS.get(node.type)).filter((k) => !(k in node));
          should(missing).eql([], `${node.id} lacks settings`);
        }
        should(layoutProblems(flow, LABELS)).eql([]);
        // laid out by the script: running it again changes nothing
        should(completeFlow(JSON.parse(JSON.stringify(flow)), LABELS)).eql(flow);
      });

      const sources = flow.filter((n) => n.type === 'beacon-scorer' || n.type === 'beacon-nats-worker');
      if (sources.length > 0)
        it('carries the hand-offs behind notify once: e-mail, chat and SIEM, disabled but valid; scorers keep the notified cells in the file store', function () {
          const ids = handoffIds(flow.find((n) => n.type === 'tab').id.replace(/_tab$/, ''));
          const byId = new Map(flow.map((n) => [n.id, n]));
          const notify = byId.get(ids.notify);
          should(notify).containDeep({ type: 'switch', property: 'notify', rules: [{ t: 'true' }] });
          notify.wires.should.eql([[ids.mailText, ids.chatText, ids.siemText]]);
          // every alert source feeds notify once from its alert output, never a hand-off directly
          for (const s of sources) {
            s.wires[0].should.containEql(ids.notify);
            s.wires
              .flat()
              .filter((id) => [ids.mail, ids.webhook, ids.siem].includes(id))
              .should.eql([]);
            if (s.type === 'beacon-scorer') s.store.should.equal(LEDGER_STORE);
          }
          [ids.mailText, ids.chatText, ids.siemText].map((id) => byId.get(id).format).should.eql(['email', 'slack', 'syslog']);
          should(byId.get(ids.mail)).containDeep({ type: 'change', d: true });
          should(byId.get(ids.webhook)).containDeep({ type: 'http request', d: true, method: 'POST' });
          should(byId.get(ids.siem)).containDeep({ type: 'tcp out', d: true, beserver: 'client' });
        });
    });
  }
});
