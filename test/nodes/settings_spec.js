'use strict';
/**
 * One settings table per node (src/nodes/settings): the editor's validators
 * (the node's HTML run in a sandbox, as the editor runs it) and the runtime
 * (the node deployed in Node-RED) accept and refuse the same values, for
 * every setting of every node, absent and empty ones included.
 */
const { helper, should, node } = require('./harness');
const { editorDefinition, packageNodeTypes } = require('../../dist/dev/editor-definitions.js');
const { SETTINGS } = require('../../dist/nodes/settings/index.js');

const TYPES = packageNodeTypes();

/** Values to try for a setting of each type; each setting also gets absent, '', ' ' and its default. */
const BY_TYPE = {
  number: ['-1', '0', '0.5', '1', '99.5', '150', 'x', '1e9'],
  integer: ['-1', '0', '1', '1.5', '64', '1000', '70000', 'x'],
  fields: ['a', 'a, b', 'a,,b', ','],
  field: ['a', 'a,b'],
  boolean: [true, false, 'true', 'x'],
  string: ['x'],
};
/** Values for the settings a check of their own reads. */
const BY_KEY = {
  internal: ['10.0.0.0/8 nonsense', '10.0.0.0/33', '10.0.0.0/abc', '::::x', 'fd00::/8', '2001:db8::1', '1.2.3.256'],
  exclude: ['17.253.0.0/16, 2606:4700::/32', ':::::', '::ffff:1.2.3.4', '1:2:3:4:5:6:7:8:9'],
  match: ['DeviceVendor=Palo Alto Networks', 'DeviceVendor', '=x', 'a=1,,b=2'],
  networkPrefix: ['24, 48', '33', '24, 129', '1, 2, 3', '16/64'],
  entities: ['IPCustomEntity=RemoteIP', 'bad entity', 'a=b,,c=d', '1a=b'],
  weights: ['0.25, 0.25, 0.25, 0.25', '0.5, 0.5', '0.5, 0.5, 0.5, 0.5', 'a, b, c, d', '1 0 0 0'],
  allow: ['port 123 # NTP', 'dst 17.0.0.0/8', 'dst', 'dest 1.2.3.4', 'port http', 'port 70000', 'pair 10.0.0.1', 'pair a b', 'src 999.1.1.1'],
  deltaBucket: ['10s', '10%', '10', '10x', '100%', '0s', '2.5 s'],
  prevalence: ['LocalIP, RemoteIP', 'LocalIP', 'a, b, c'],
  hopSeconds: ['1800', '7', '0'],
  certainKey: ['LocalIP', 'Other'],
  count: ['4', '0', '65537', 'many', '${NETBEACON_PARTITION_COUNT}'],
  take: ['0-3', '0-1, 6', '3-1', 'a', '0-1,,2', '0-65536', '${NETBEACON_PARTITIONS}'],
  topicPrefix: ['netbeacon/records', 'a/+', '#', '/'],
  host: ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost:514', '300.1.1.1', 'a b'],
  deviceOffset: ['+02:00', '-0500', 'UTC', 'Z', 'CET', '+2'],
  format: ['cef', 'zeek-json', 'other'],
  mode: ['split', 'take', 'kql', 'public', 'any', 'other'],
  // beacon-format, beacon-resolve and the NATS nodes
  appName: ['a b', 'netbeacon-2', 'x'.repeat(49)],
  servers: ['nats://a:4222, nats://b:4222', 'tls://nats.example:4222', 'http://x/y', 'nats://a:99x', '${NATS_URL}'],
  stream: ['a.b', 'a*', 'ok_name-1', 'x'.repeat(65)],
  partitions: ['0', '12', '65536', '65537', '1.5'],
  workerId: ['a b', 'x/y', 'w-1', '${NETBEACON_WORKER_ID}'],
  chain: ['{', '[1]', '"x"', 'null', '{"delta": {"latenessSeconds": 600}}'],
  table: ['auto', 'WireData', 'CommonSecurityLog', 'wiredata'],
};
/** Settings read together: each case is a whole configuration. */
const COMBINATIONS = {
  'beacon-histogram': [
    { certainAfter: 60, certainKey: '' },
    { certainAfter: 60, certainKey: 'LocalIP' },
    { certainAfter: 60, certainKey: 'LocalIP', groupFields: 'RemoteIP' },
    { certainAfter: '', certainKey: 'Other' },
    { certainAfter: 60, certainKey: 'LocalIP', prevalence: 'LocalIP, RemoteIP' },
    { binSeconds: 86400, hopSeconds: 21600 },
    { binSeconds: 3600, hopSeconds: 7 },
  ],
  'beacon-partition': [
    { mode: 'take', take: '' },
    { mode: 'take', count: '' },
    { mode: 'split', count: '' },
    { mode: 'split', take: '' },
  ],
  'beacon-syslog-in': [
    { transport: 'tls', tls: '' },
    { transport: 'tcp', tls: '' },
  ],
};
/** What every case of a node starts from (syslog-in: TCP, so valid cases open no UDP reader thread). */
const BASE = { 'beacon-syslog-in': { transport: 'tcp' } };

function cases(type) {
  const table = SETTINGS[type];
  const out = [{ label: 'nothing set', config: {} }];
  for (const [key, setting] of Object.entries(table)) {
    const values = [undefined, '', ' ', setting.value, ...(BY_TYPE[setting.type] || []), ...(BY_KEY[key] || []), ...(setting.values || []), 'other'];
    for (const value of new Set(values)) out.push({ label: `${key}=${JSON.stringify(value)}`, config: value === undefined ? {} : { [key]: value } });
  }
  for (const config of COMBINATIONS[type] || []) out.push({ label: JSON.stringify(config), config });
  return out;
}

/** The editor's verdict: every validator passes on the node as saved (as the editor checks a node). */
function editorAccepts(def, config, missing = [], lookup = () => undefined, table = {}) {
  const nodeView = { ...config, _: (k) => lookup(k) ?? (missing.push(k), k) };
  return Object.entries(def.defaults).every(([key, d]) => {
    // a configuration node reference outside the table: Node-RED's to check, in the editor and at start
    if (d.type && !table[key]) return true;
    const v = config[key];
    // Node-RED takes ${VAR} as valid before any validator (it substitutes it at start)
    if (typeof v === 'string' && /^\$\{[a-zA-Z_][a-zA-Z0-9_]*\}$/.test(v)) return true;
    if (d.required && v === '') return false;
    return !d.validate || d.validate.call(nodeView, v, { label: key }) === true;
  });
}

/** The runtime's verdict for many configurations at once: one node each, in one flow; refused = an "invalid setting" error. */
async function runtimeAccepts(type, configs) {
  // valid syslog-in nodes all ask for the default port: a listen error for all but one, never a settings error
  const flow = configs.map((config, i) => ({ id: `n${i}`, type, ...config, wires: [] }));
  // Node-RED substitutes ${VAR} at start; set, so that the defaults of the partition node read as they do on a worker
  const env = { NETBEACON_PARTITION_COUNT: process.env.NETBEACON_PARTITION_COUNT, NETBEACON_PARTITIONS: process.env.NETBEACON_PARTITIONS };
  Object.assign(process.env, { NETBEACON_PARTITION_COUNT: '4', NETBEACON_PARTITIONS: '0-3' });
  try {
    await helper.load(node(type), flow);
  } finally {
    for (const [k, v] of Object.entries(env))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
  const refused = new Set(
    helper
      .log()
      .args.filter((a) => a[0].level === helper.log().ERROR && /^invalid setting/.test(String(a[0].msg)))
      .map((a) => a[0].id),
  );
  await helper.unload();
  return configs.map((_, i) => !refused.has(`n${i}`));
}

describe('settings tables: the editor and the runtime agree', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());

  for (const type of TYPES) {
    it(`${type}: every setting, absent, empty, default and typical values, valid in both or in neither`, async function () {
      const { def, lookup } = editorDefinition(type);
      // beside the table, only references to a configuration node (Node-RED checks those itself)
      const references = Object.keys(def.defaults).filter((k) => !SETTINGS[type][k] && def.defaults[k].type);
      Object.keys(def.defaults)
        .filter((k) => !references.includes(k))
        .sort()
        .should.eql(Object.keys(SETTINGS[type]).sort(), 'the editor defaults are the table');
      const all = cases(type).map((c) => ({ ...c, config: { ...BASE[type], ...c.config } }));
      const runtime = await runtimeAccepts(
        type,
        all.map((c) => c.config),
      );
      const missing = [];
      const disagree = all
        .filter((c, i) => editorAccepts(def, c.config, missing, lookup, SETTINGS[type]) !== runtime[i])
        .map((c) => `${c.label} (runtime ${runtime[all.indexOf(c)] ? 'accepts' : 'refuses'})`);
      should(disagree).eql([], `${type}: ${disagree.length} values where editor and runtime disagree`);
      should([...new Set(missing)]).eql([], 'every reason the editor gives is in the message catalog');
      should(runtime[0]).be.true('a node with no settings at all (a flow saved before any existed) runs');
      runtime.filter((ok) => !ok).length.should.be.above(0, 'some values are refused');
      runtime.filter(Boolean).length.should.be.above(2, 'some values are accepted');
    });
  }
});

describe('settings: the fixes, one by one', function () {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  const catalogReason = (type, field, value) => {
    const { def, lookup } = editorDefinition(type);
    return def.defaults[field].validate.call({ _: (k) => lookup(k) ?? `MISSING ${k}` }, value, { label: field });
  };
  const settingErrors = async (type, config) => {
    await helper.load(node(type), [{ id: 'n1', type, ...config, wires: [] }]);
    return helper
      .log()
      .args.filter((a) => a[0].level === helper.log().ERROR && a[0].id === 'n1')
      .map((a) => String(a[0].msg));
  };

  it('scorer: windowPercent 150 in a flow file is refused, naming the setting, and the editor says why', async function () {
    (await settingErrors('beacon-scorer', { windowPercent: 150 }))
      .join()
      .should.match(/^invalid setting: windowPercent: a percentage from 0 to 99 \(not 150\)/);
    helper.getNode('n1').status.lastCall.args[0].should.containDeep({ fill: 'red', text: 'invalid settings' });
    catalogReason('beacon-scorer', 'windowPercent', '150').should.equal('a percentage from 0 to 99');
    await helper.unload();
    (await settingErrors('beacon-scorer', { windowPercent: 99.5 })).should.eql([]);
  });

  it('delta: an empty key is refused by both (it no longer becomes LocalIP at run time)', async function () {
    (await settingErrors('beacon-delta', { keyFields: '' })).join().should.match(/invalid setting: keyFields: /);
    catalogReason('beacon-delta', 'keyFields', '').should.match(/field names/);
  });

  it('histogram: an empty Group by is refused by both, and the editor says so', async function () {
    (await settingErrors('beacon-histogram', { groupFields: '' }))
      .join()
      .should.match(/invalid setting: groupFields: a comma-separated list of field names, at least one/);
    catalogReason('beacon-histogram', 'groupFields', '').should.equal('a comma-separated list of field names, at least one');
  });

  it('every node: a flow that sets nothing runs, and no validator of the editor marks it', async function () {
    for (const type of TYPES.filter((t) => t !== 'beacon-syslog-in')) {
      const { def } = editorDefinition(type);
      // a node that needs a configuration node (the NATS stream) says it has none, and nothing about its own settings
      const needsConfig = Object.values(def.defaults).some((d) => d.type && d.required);
      const errors = await settingErrors(type, {});
      (needsConfig ? errors.filter((e) => /invalid setting/.test(e)) : errors).should.eql([], type);
      await helper.unload();
      for (const [key, d] of Object.entries(def.defaults))
        if (d.validate) should(d.validate.call({ _: (k) => k }, undefined, { label: key })).equal(true, `${type}.${key}`);
    }
  });
});

describe('scorer dialog: switching the method', function () {
  /** A stand-in jQuery holding the dialog's boxes, with change handlers. */
  function dialog(values) {
    const handlers = {};
    const texts = {};
    const $ = (selector) => {
      const id = typeof selector === 'string' ? selector.replace(/^#(node-input-)?/, '') : '';
      const el = {
        length: 1,
        val: (v) => (v === undefined ? values[id] : ((values[id] = v), el)),
        on: (events, fn) => (events.split(' ').forEach((e) => (handlers[`${id} ${e}`] ||= []).push(fn)), el),
        text: (t) => (t === undefined ? texts[id] : ((texts[id] = t), el)),
        trigger: () => el,
        toggle: () => el,
        attr: () => el,
        prop: () => el,
        find: () => el,
        first: () => el,
        is: () => false,
        toggleClass: () => el,
        empty: () => el,
        append: () => el,
        appendTo: () => el,
        css: () => el,
        addClass: () => el,
      };
      return el;
    };
    const change = (id, value) => {
      values[id] = value;
      for (const fn of handlers[`${id} change`] || []) fn.call($(`#node-input-${id}`));
    };
    return { $, change, values, texts };
  }

  it('to periodic: Beacon % > 95 (the KQL default) is cleared, the p-value applies, and the tip says what an alert needs', function () {
    const d = dialog({});
    const { def, lookup } = editorDefinition('beacon-scorer', d.$);
    const node = { _def: def, _: (k, vars) => (lookup(k) ?? k).replace(/__(\w+)__/g, (_, n) => vars[n]) };
    def.oneditprepare.call(node);
    d.values.minBeaconPercent.should.equal(95);
    d.texts['beacon-scorer-method-tip'].should.match(/Beacon % > 95/);
    d.change('method', 'periodic');
    d.values.minBeaconPercent.should.equal('');
    d.values.minTotalEvents.should.equal(10);
    d.texts['beacon-scorer-method-tip'].should.match(/Maximum p-value 0.001/).and.not.match(/Beacon %/);
    d.change('method', 'kql');
    d.values.minBeaconPercent.should.equal(95);
    d.texts['beacon-scorer-method-tip'].should.not.match(/p-value/);
  });

  it('a threshold the user changed is kept across a switch', function () {
    const d = dialog({});
    const { def, lookup } = editorDefinition('beacon-scorer', d.$);
    def.oneditprepare.call({ _def: def, _: (k) => lookup(k) ?? k });
    d.values.minTotalEvents = 40;
    d.change('method', 'window');
    d.values.minTotalEvents.should.equal(40);
    d.values.minBeaconPercent.should.equal(80);
  });
});

describe('settings tables: defaults the core also knows', function () {
  it('caps, internal networks, the partition limit, the future tolerance and the alert formats are the core constants', function () {
    const { DEFAULT_MAX_KEYS, DEFAULT_MAX_BUFFERED, DEFAULT_FUTURE_TOLERANCE } = require('../../dist/core/delta/delta');
    const { DEFAULT_MAX_OPEN_CELLS } = require('../../dist/core/histogram');
    const { ALERT_FORMATS, FRAMINGS } = require('../../dist/core/alert/formats');
    const { DEFAULT_INTERNAL } = require('../../dist/core/filter/ip-filter');
    const { MAX_PARTITIONS } = require('../../dist/core/partition/partition');
    SETTINGS['beacon-delta'].maxKeys.value.should.equal(DEFAULT_MAX_KEYS);
    SETTINGS['beacon-delta'].maxBuffered.value.should.equal(DEFAULT_MAX_BUFFERED);
    SETTINGS['beacon-delta'].futureTolerance.value.should.equal(DEFAULT_FUTURE_TOLERANCE);
    SETTINGS['beacon-format'].format.values.should.eql(ALERT_FORMATS);
    SETTINGS['beacon-format'].framing.values.should.eql(FRAMINGS);
    SETTINGS['beacon-histogram'].maxOpenCells.value.should.equal(DEFAULT_MAX_OPEN_CELLS);
    SETTINGS['beacon-ip-filter'].internal.value.should.equal(DEFAULT_INTERNAL);
    const { problemOf } = require('../../dist/nodes/settings/table');
    should(problemOf(SETTINGS['beacon-partition'].count, String(MAX_PARTITIONS), () => 'split')).be.null();
    should(problemOf(SETTINGS['beacon-partition'].count, String(MAX_PARTITIONS + 1), () => 'split')).not.be.null();
  });
});
