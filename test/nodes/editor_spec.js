'use strict';
/**
 * The editor side of each node (nodes/*.html), run against a stand-in for
 * the editor's RED object: every default passes its own validator, typical
 * mistakes fail with a reason from the message catalog, and every catalog
 * key the HTML uses exists in locales/en-US.
 */
const fs = require('fs');
const path = require('path');
const vm = require('vm'); // tests only: the shipped code never evaluates anything
const should = require('should');

const ROOT = path.join(__dirname, '..', '..');
const TYPES = ['beacon-parse', 'beacon-ip-filter', 'beacon-delta', 'beacon-histogram', 'beacon-scorer', 'beacon-partition', 'beacon-syslog-in'];

/** Runs a node's editor registration; returns its definition and a translator over its catalog. */
function editorDefinition(type, $ = () => ({})) {
  const html = fs.readFileSync(path.join(ROOT, 'nodes', `${type}.html`), 'utf8');
  const catalog = JSON.parse(fs.readFileSync(path.join(ROOT, 'nodes', 'locales', 'en-US', `${type}.json`), 'utf8'));
  const lookup = (key) => key.split('.').reduce((o, k) => (o == null ? undefined : o[k]), catalog);
  let def = null;
  const RED = {
    nodes: { registerType: (name, d) => name === type && (def = d) },
    validators: {
      number: () => (v) => v !== '' && !isNaN(Number(v)),
      regex: (re) => (v) => re.test(v),
    },
    settings: { context: { default: 'default', stores: ['default', 'file'] } },
  };
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)[1];
  // the shared helpers the .html loads first (resources/), in the same page context
  const context = vm.createContext({ RED, $ });
  context.window = context;
  const src = /<script type="text\/javascript" src="resources\/@netbeacon\/node-red-beaconing\/([\w.-]+)"><\/script>/.exec(html);
  if (!src) throw new Error(`${type}.html does not load the editor helpers`);
  vm.runInContext(fs.readFileSync(path.join(ROOT, 'resources', src[1]), 'utf8'), context);
  vm.runInContext(script, context);
  return { def, html, lookup };
}

/** Validates a value the way the editor does (with a stand-in node whose _() reads the catalog). */
function validate(def, lookup, field, value) {
  const node = { ...Object.fromEntries(Object.entries(def.defaults).map(([k, d]) => [k, d.value])), [field]: value, _: (key) => lookup(key) ?? `MISSING ${key}` };
  const check = def.defaults[field].validate;
  return check ? check.call(node, value, { label: field }) : true;
}

const MISTAKES = {
  'beacon-delta': { lateness: ['-1', 'abc', String(8 * 86400)], keyFields: ['', ' , ', 'a,,b'], tieFields: ['a,,b'], maxKeys: ['1.5', '-1'], checkpointEvery: ['-5', 'x'] },
  'beacon-histogram': { binSeconds: ['0', '1.5', 'x'], groupFields: ['a,,b'], closeAfter: ['-1'], maxOpenCells: ['-1'], checkpointEvery: ['-1'], hopSeconds: ['7', '-60', 'x'], subBins: ['-1', '2000'], skipZero: ['a,b'], deltaBucket: ['10', '10x', '100%', '0s'] },
  'beacon-scorer': {
    minTotalEvents: ['x'], minBeaconPercent: ['abc'], method: ['rita'], windowPercent: ['150', '-1'], minScore: ['2', 'x'],
    strobePerHour: ['0', '-5'], weights: ['0.5, 0.5', '0.5, 0.5, 0.5, 0.5', 'a, b, c, d'], allow: ['foo 1.2.3.4', 'port http', 'pair 10.0.0.1', 'dst'], maxSources: ['-1'], rearmHours: ['x'],
  },
  'beacon-partition': { mode: ['other'], keyFields: ['a,,b'], count: ['0', 'x', '1.5', '70000', '${}'], take: ['3-', 'a', '0-1,,2'], topicPrefix: ['a/+', '#'] },
  'beacon-syslog-in': { port: ['0', '70000', 'x', ''], host: ['localhost:514', '300.1.1.1', 'a b'], batchLines: ['0', '1.5'], maxFrameBytes: ['10'] },
  'beacon-ip-filter': { field: ['', 'a,b'], mode: ['other'], internal: ['10.0.0.0/8 nonsense', '10.0.0.0/abc'], exclude: ['::::x'], match: ['DeviceVendor', '=x'] },
};

describe('editor definitions (nodes/*.html)', function () {
  for (const type of TYPES) {
    it(`${type}: defaults pass their validators; typical mistakes fail with a catalog reason`, function () {
      const { def, lookup } = editorDefinition(type);
      should(def).be.an.Object();
      def.category.should.equal('beaconing');
      for (const [field, d] of Object.entries(def.defaults)) should(validate(def, lookup, field, d.value)).equal(true, `${type}.${field} default ${d.value}`);
      for (const [field, values] of Object.entries(MISTAKES[type] || {})) {
        for (const v of values) {
          const result = validate(def, lookup, field, v);
          should(result).not.equal(true, `${type}.${field} accepted ${JSON.stringify(v)}`);
          if (typeof result === 'string') result.should.not.match(/MISSING/);
        }
      }
    });

    it(`${type}: every data-i18n and catalog key used in the HTML exists in locales/en-US`, function () {
      const { html, lookup } = editorDefinition(type);
      const keys = new Set();
      for (const m of html.matchAll(/data-i18n="(?:\[[a-z]+\])?([\w.-]+)"/g)) if (m[1].startsWith(type)) keys.add(m[1]);
      for (const m of html.matchAll(/'(beacon-[a-z-]+\.(?:label|errors|status|placeholder)\.[\w]+)'/g)) keys.add(m[1]);
      keys.size.should.be.above(2);
      for (const key of keys) (typeof lookup(key)).should.equal('string', `${key} missing`);
    });
  }

  it('the store list offers "none" and the context stores from settings.js', function () {
    const options = [];
    const select = {
      empty: () => select,
      append: (o) => (options.push(o), select),
      val: (v) => (select.value = v),
    };
    const element = (tag) => {
      const o = { tag, value: undefined, label: undefined };
      o.val = (v) => ((o.value = v), o);
      o.text = (t) => ((o.label = t), o);
      return o;
    };
    const $ = (sel) => (sel === '#node-input-store' ? select : element(sel));
    const { def, lookup } = editorDefinition('beacon-delta', $);
    def.oneditprepare.call({ store: 'file', _: (k) => lookup(k) });
    options.map((o) => o.value).should.eql(['', 'default', 'file']);
    options[0].label.should.equal('none (memory only)');
    select.value.should.equal('file');
  });
});
