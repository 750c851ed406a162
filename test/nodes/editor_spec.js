'use strict';
/**
 * The editor side of each node (src/nodes/*.html), run against a stand-in for
 * the editor's RED object: every default passes its own validator, typical
 * mistakes fail with a reason from the message catalog, and every catalog
 * key the HTML uses exists in locales/en-US.
 */
const should = require('should');
const { editorDefinition, packageNodeTypes } = require('../../dist/dev/editor-definitions.js');

const TYPES = packageNodeTypes();

/** Validates a value the way the editor does (with a stand-in node whose _() reads the catalog). */
function validate(def, lookup, field, value) {
  const node = {
    ...Object.fromEntries(Object.entries(def.defaults).map(([k, d]) => [k, d.value])),
    [field]: value,
    _: (key) => lookup(key) ?? `MISSING ${key}`,
  };
  const check = def.defaults[field].validate;
  return check ? check.call(node, value, { label: field }) : true;
}

const MISTAKES = {
  'beacon-delta': {
    futureTolerance: ['-1', 'abc', ''],
    lateness: ['-1', 'abc', String(8 * 86400)],
    keyFields: ['', ' , ', 'a,,b'],
    tieFields: ['a,,b'],
    maxKeys: ['1.5', '-1'],
    checkpointEvery: ['-5', 'x'],
  },
  'beacon-histogram': {
    binSeconds: ['0', '1.5', 'x'],
    groupFields: ['a,,b'],
    closeAfter: ['-1'],
    maxOpenCells: ['-1'],
    checkpointEvery: ['-1'],
    hopSeconds: ['7', '-60', 'x'],
    subBins: ['-1', '2000'],
    skipZero: ['a,b'],
    deltaBucket: ['10', '10x', '100%', '0s'],
  },
  'beacon-scorer': {
    minTotalEvents: ['x'],
    minBeaconPercent: ['abc'],
    method: ['rita'],
    windowPercent: ['150', '-1'],
    minScore: ['2', 'x'],
    strobePerHour: ['0', '-5'],
    weights: ['0.5, 0.5', '0.5, 0.5, 0.5, 0.5', 'a, b, c, d'],
    allow: ['foo 1.2.3.4', 'port http', 'pair 10.0.0.1', 'dst'],
    maxSources: ['-1'],
    rearmHours: ['x'],
  },
  'beacon-partition': {
    mode: ['other'],
    keyFields: ['a,,b'],
    count: ['0', 'x', '1.5', '70000', '${}'],
    take: ['3-', 'a', '0-1,,2'],
    topicPrefix: ['a/+', '#'],
  },
  'beacon-syslog-in': {
    port: ['0', '70000', 'x', ''],
    host: ['localhost:514', '300.1.1.1', 'a b'],
    batchLines: ['0', '1.5'],
    maxFrameBytes: ['10'],
    maxPerSender: ['0', 'x'],
    handshakeTimeout: ['0', '2.5'],
    progressTimeout: ['-1'],
    queueMegabytes: ['0', '2000', 'x'],
    parseIn: ['other', 'Thread', 'parse thread'],
  },
  'beacon-resolve': { table: ['other'], graceSeconds: ['-1', 'x', '1.5', '700000'], observedTtlSeconds: ['-5'], maxMiB: ['0', 'x'] },
  'beacon-nats': {
    servers: ['', 'nats://a:99x', 'http://x/y'],
    stream: ['', 'a.b', 'a*'],
    partitions: ['0', 'x', '70000'],
    maxAgeHours: ['-1', 'x'],
    maxGigabytes: ['-5'],
  },
  'beacon-nats-ingest': { keyFields: ['', 'a,,b'], fullRetrySeconds: ['-1', 'x', ''] },
  'beacon-nats-worker': {
    workerId: ['a b', 'x/y'],
    leaseSeconds: ['0', 'x'],
    checkpointMessages: ['0'],
    checkpointSeconds: ['-1'],
    chain: ['{', '[1]', '"x"'],
  },
  'beacon-ip-filter': {
    field: ['', 'a,b'],
    mode: ['other'],
    internal: ['10.0.0.0/8 nonsense', '10.0.0.0/abc'],
    exclude: ['::::x'],
    match: ['DeviceVendor', '=x'],
  },
  'beacon-format': { format: ['sms', ''], facility: ['24', '-1', 'x', '1.5'], appName: ['a b'] },
};

describe('editor definitions (src/nodes/*.html)', function () {
  for (const type of TYPES) {
    it(`${type}: defaults pass their validators; typical mistakes fail with a catalog reason`, function () {
      const { def, lookup } = editorDefinition(type);
      should(def).be.an.Object();
      // a configuration node (the NATS connection) sits in the config category, every other node in the palette's
      def.category.should.equal(type === 'beacon-nats' ? 'config' : 'beaconing');
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

  for (const type of TYPES) {
    it(`${type}: a setting absent from a saved flow is valid as its default, whatever else is absent`, function () {
      const { def, lookup } = editorDefinition(type);
      for (const [field, d] of Object.entries(def.defaults)) {
        if (!d.validate) continue;
        const bare = { _: (key) => lookup(key) ?? `MISSING ${key}` }; // a node saved before any setting existed
        should(d.validate.call(bare, undefined, { label: field })).equal(true, `${type}.${field} absent`);
        should(d.validate.call(bare, null, {})).equal(true, `${type}.${field} null`);
      }
    });

    it(`${type}: the dialog shows the default in a box whose setting is absent (a select never opens blank)`, function () {
      const values = {};
      const $ = (selector) => {
        const prefix = ['#node-input-', '#node-config-input-'].find((p) => selector.startsWith(p));
        const field = prefix ? selector.slice(prefix.length) : null;
        const input = {
          length: 1,
          attr: (k, v) => (v === undefined ? 'text' : input),
          css: () => input,
          addClass: () => input,
          prop: () => input,
          val: (v) => (v === undefined ? values[field] : ((values[field] = v), input)),
          on: () => input,
          trigger: () => input,
          toggle: () => input,
          find: () => input,
          first: () => input,
          toggleClass: () => input,
          is: () => false,
          appendTo: () => input,
          empty: () => input,
          append: () => input,
          text: () => input,
        };
        return input;
      };
      const { def, lookup } = editorDefinition(type, $);
      const node = { _def: def, _: (k) => lookup(k) };
      if (def.oneditprepare) def.oneditprepare.call(node);
      for (const [field, d] of Object.entries(def.defaults)) if (field !== 'store') should(values[field]).eql(d.value, `${type}.${field}`);
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
