'use strict';
/**
 * The dependency rule of the source tree, read from the TypeScript sources:
 * a core stage imports only from common/ and from earlier stages (a record
 * walks parse → filter → delta → histogram → scorer, and no stage loads a
 * later one), the core and the input layer never import Node-RED, and the
 * shipped code never imports the development or run-from-checkout tools.
 */
const fs = require('fs');
const path = require('path');
const should = require('should');

const SRC = path.join(__dirname, '..', '..', 'src');

/**
 * Rank of each core stage: a stage may import a stage of lower or equal rank.
 * alert/ (how a row is told: subject, body, SIEM formats) reads rows as data
 * and imports no stage, so the scorer may title its alerts with it.
 */
const CORE_STAGES = { common: 0, parse: 1, names: 2, filter: 2, partition: 2, delta: 3, histogram: 4, alert: 4.5, scorer: 5, pairs: 6 };
/** What each top-level folder of src/ may import (folders of src/). */
const LAYERS = {
  core: ['core'],
  input: ['core', 'input'],
  tools: ['core', 'tools'],
  stream: ['core', 'stream'],
  nodes: ['core', 'input', 'stream', 'nodes'],
  plugins: ['core', 'plugins'],
  run: ['core', 'input', 'stream', 'tools', 'run'],
  dev: ['core', 'input', 'stream', 'nodes', 'plugins', 'tools', 'run', 'dev'],
};

function sources(dir) {
  return fs
    .readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

/** Every module a file imports or requires: [specifier, resolved path under src or null]. */
function imports(file) {
  const text = fs.readFileSync(file, 'utf8');
  const found = [];
  for (const m of text.matchAll(/(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*)(['"])([^'"]+)\1/g)) {
    const spec = m[2];
    found.push([spec, spec.startsWith('.') ? path.relative(SRC, path.resolve(path.dirname(file), spec)) : null]);
  }
  return found;
}

const stageOf = (rel) => {
  const parts = rel.split(path.sep);
  return parts[0] === 'core' && parts.length > 2 ? parts[1] : null;
};

describe('source layers (the dependency rule)', function () {
  const files = sources(SRC);

  it('finds the sources and every core folder has a rank', function () {
    files.length.should.be.above(50);
    const folders = fs
      .readdirSync(path.join(SRC, 'core'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    folders.filter((f) => !(f in CORE_STAGES)).should.eql([], 'a new core folder needs its place in CORE_STAGES');
  });

  it('no core stage imports a later stage', function () {
    const wrong = [];
    for (const file of files) {
      const rel = path.relative(SRC, file);
      const from = stageOf(rel);
      if (!from) continue;
      for (const [spec, target] of imports(file)) {
        const to = target && stageOf(target + '.ts');
        if (to && CORE_STAGES[to] > CORE_STAGES[from]) wrong.push(`${rel} (${from}) imports ${spec} (${to})`);
      }
    }
    wrong.should.eql([]);
  });

  it('each layer imports only the layers below it', function () {
    const wrong = [];
    for (const file of files) {
      const rel = path.relative(SRC, file);
      const layer = rel.split(path.sep)[0];
      const allowed = LAYERS[layer];
      should.exist(allowed, `${rel}: src/${layer} has no place in LAYERS`);
      for (const [spec, target] of imports(file)) {
        if (target === null || target.startsWith('..')) continue; // a package or a file outside src (package.json)
        const to = target.split(path.sep)[0];
        if (!allowed.includes(to)) wrong.push(`${rel} imports ${spec}`);
      }
    }
    wrong.should.eql([]);
  });

  it('the core, the input and the stream layers never import Node-RED', function () {
    const wrong = [];
    for (const file of files) {
      const rel = path.relative(SRC, file);
      if (!/^(core|input|stream)\//.test(rel)) continue;
      for (const [spec] of imports(file)) if (/^(node-red|@node-red\/)/.test(spec)) wrong.push(`${rel} imports ${spec}`);
    }
    wrong.should.eql([]);
  });

  it('catches a violation (the check itself is not blind)', function () {
    // a delta module importing the scorer, as histogram.ts once imported certainty.ts
    const from = stageOf(path.join('core', 'delta', 'delta.ts'));
    const to = stageOf(path.join('core', 'scorer', 'scorer') + '.ts');
    CORE_STAGES[to].should.be.above(CORE_STAGES[from]);
    imports(path.join(SRC, 'core', 'histogram', 'histogram.ts'))
      .map(([, t]) => t)
      .should.containEql(path.join('core', 'histogram', 'window-completeness'));
  });
});
