'use strict';
/**
 * The stream worker's detection profiles are the examples' detection nodes:
 * each profile's settings read by the nodes' tables equal the example flow's
 * nodes, a custom chain of exported nodes builds the same chain, and bad
 * profiles and changes are refused with the reason.
 */
const fs = require('fs');
const path = require('path');
require('should');
const { SETTINGS, effective } = require('../../dist/nodes/settings/index');
const { chainNodes, chainSpec, chainIdentity, PROFILES } = require('../../dist/nodes/support/worker-profile');
const { WORKER_PROFILES } = require('../../dist/nodes/settings/nats');

const EXAMPLES = {
  wiredata: 'WireData beaconing (Sentinel rule).json',
  paloalto: 'Palo Alto beaconing (Sentinel rule).json',
  pairs: 'Beacon hunt (per pair, 7-day history).json',
  // the hunt on 72 h windows the hunt example ran before it moved onto the pair history
  hunt: '../test/fixtures/flows/hunt-72h-windows.json',
};
const DETECTION = ['beacon-ip-filter', 'beacon-delta', 'beacon-histogram', 'beacon-pairs', 'beacon-scorer'];
/** Settings that are a node's own business, not the detection's. */
const NOT_DETECTION = new Set(['name', 'store', 'checkpointEvery']);

const example = (profile) =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', EXAMPLES[profile]), 'utf8')).filter((n) => DETECTION.includes(n.type));

/** A node's detection settings as its table reads them (absent = default). */
const effectiveSettings = (node) =>
  Object.fromEntries(
    Object.keys(SETTINGS[node.type])
      .filter((k) => !NOT_DETECTION.has(k))
      .map((k) => [k, String(effective(SETTINGS[node.type][k], node[k]))]),
  );

/** The spec without the scorers' ids (a profile's ids are its own, an export's are the editor's). */
const withoutRules = (spec) => JSON.parse(JSON.stringify({ ...spec, scorers: spec.scorers.map(({ rule, ...s }) => s) }));

describe('stream worker detection profiles', function () {
  it("are the settings table's profiles, plus custom", function () {
    [...Object.keys(PROFILES), 'custom'].should.eql([...WORKER_PROFILES]);
  });

  for (const profile of Object.keys(EXAMPLES)) {
    it(`${profile}: every node's settings equal the example's, type by type and in order`, function () {
      const nodes = chainNodes(profile, '');
      nodes.map((n) => n.type).should.eql(example(profile).map((n) => n.type));
      nodes.forEach((n, i) => effectiveSettings(n).should.eql(effectiveSettings(example(profile)[i]), `${n.type} #${i}`));
    });

    it(`${profile}: the example's nodes exported and pasted as a custom chain build the same chain`, function () {
      withoutRules(chainSpec(chainNodes('custom', JSON.stringify(example(profile))))).should.eql(withoutRules(chainSpec(chainNodes(profile, ''))));
    });
  }

  it('hunt: each scorer scores the histogram wired to it, and both share the re-arm memory key', function () {
    const spec = chainSpec(chainNodes('hunt', ''));
    spec.scorers
      .map((s) => [s.title, spec.histograms[s.histogram].binSeconds])
      .should.eql([
        ['Beacon hunt', 259200],
        ['Beacon hunt (hourly burst)', 3600],
      ]);
    spec.scorers.every((s) => s.gate && s.gate.rearmSeconds === 86400 && s.gate.maxSourcesPerDestination === 5).should.be.true();
  });

  it('pairs: the pair history instead of delta and histograms, its scorer scoring its rows', function () {
    const spec = chainSpec(chainNodes('pairs', ''));
    (spec.delta === null).should.be.true();
    spec.histograms.should.eql([]);
    spec.pairs.scoreEverySeconds.should.equal(43200);
    spec.pairs.history.keyFields.should.eql(['LocalIP', 'RemoteNetwork', 'RemotePortNumber']);
    spec.pairs.hunt.prevalence.should.eql({ source: 'LocalIP', destination: 'RemoteNetwork' });
    spec.scorers.map((s) => [s.histogram, s.title, s.options.method, s.gate.maxSourcesPerDestination]).should.eql([[0, 'Beacon hunt', 'periodic', 5]]);
    chainSpec(chainNodes('pairs', '{"beacon-pairs": {"scoreEvery": 3600}}')).pairs.scoreEverySeconds.should.equal(3600);
    const both = JSON.stringify([...example('pairs'), { type: 'beacon-delta' }]);
    (() => chainSpec(chainNodes('custom', both))).should.throw(/one beacon-pairs, and no beacon-delta or beacon-histogram/);
  });

  it('changes apply to every node of their type; the identity follows them, not the layout', function () {
    const nodes = chainNodes('hunt', '{"beacon-histogram": {"closeAfter": 600}}');
    nodes
      .filter((n) => n.type === 'beacon-histogram')
      .map((n) => n.closeAfter)
      .should.eql([600, 600]);
    chainSpec(nodes)
      .histograms.map((h) => h.closeAfterSeconds)
      .should.eql([600, 600]);
    chainIdentity(nodes).should.not.equal(chainIdentity(chainNodes('hunt', '')));
    chainIdentity(nodes.map((n) => ({ ...n, x: 5, name: 'moved' }))).should.equal(chainIdentity(nodes));
  });

  it('refuses what it cannot run, with the reason', function () {
    (() => chainNodes('nope', '')).should.throw(/no profile "nope"/);
    (() => chainNodes('wiredata', '[]')).should.throw(/JSON object by node type/);
    (() => chainNodes('wiredata', '{"beacon-parse": {}}')).should.throw(/only beacon-ip-filter/);
    (() => chainNodes('custom', '{}')).should.throw(/exported from the editor/);
    (() => chainSpec(chainNodes('custom', '[{"type": "beacon-delta"}]'))).should.throw(/needs a beacon-histogram and a beacon-scorer/);
    (() => chainSpec(chainNodes('wiredata', '{"beacon-delta": {"lateness": -5}}'))).should.throw(/lateness/);
    const unwired = JSON.stringify(example('hunt').map((n) => (n.type === 'beacon-histogram' ? { ...n, wires: [[], []] } : n)));
    (() => chainSpec(chainNodes('custom', unwired))).should.throw(/wired from no histogram/);
  });
});
