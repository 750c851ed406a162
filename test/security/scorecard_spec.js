'use strict';
/**
 * The Flow Library scorecard (`node-red-dev validate`) rules that need no
 * network, re-implemented from its checkpackage / checknodes / checkdeps
 * modules (node-red-dev 0.1.6): P01 licence, P03 repository or bugs, P04
 * scoped name, P05 "node-red" keyword, N02 every node type in an example,
 * D01 at most 6 runtime dependencies. Node types are found as the scorecard
 * finds them: acorn over each node file's inline <script type="text/javascript">,
 * RED.nodes.registerType('<literal>', {<literal>}) calls, config nodes left out.
 */
const fs = require('fs');
const path = require('path');
const acorn = require('acorn');
const walk = require('acorn-walk');
const should = require('should');
const { exampleFiles } = require('../../dist/dev/complete-examples.js');

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Node definitions as checknodes.js getNodeDefinitions reads them: {type: {category}}. */
function nodeDefinitions() {
  const defs = {};
  for (const file of Object.values(pkg['node-red'].nodes)) {
    const html = fs.readFileSync(path.join(ROOT, file.replace('.js', '.html')), 'utf8');
    for (const m of html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)) {
      walk.simple(acorn.parse(m[1], { ecmaVersion: 'latest' }), {
        CallExpression(call) {
          const callee = call.callee;
          if (callee.type !== 'MemberExpression' || callee.property.name !== 'registerType') return;
          const [type, def] = call.arguments;
          if (!type || type.type !== 'Literal' || !def || def.type !== 'ObjectExpression') return;
          const category = def.properties.find((p) => p.key && (p.key.name || p.key.value) === 'category');
          defs[type.value] = { category: category && category.value.type === 'Literal' ? category.value.value : undefined };
        },
      });
    }
  }
  return defs;
}

describe('Flow Library scorecard (offline rules of node-red-dev validate)', function () {
  it('P01: package.json declares a licence', function () {
    should(pkg.license).be.a.String().and.not.empty();
  });

  it('P03: package.json links a repository or a bug tracker', function () {
    should(Boolean(pkg.repository || pkg.bugs)).be.true();
  });

  it('P04: the name is scoped (published after 2022-02-01)', function () {
    pkg.name.should.match(/^@[a-z\d][\w-.]+\/[a-z\d][\w-.]*$/);
  });

  it('P05: keywords include "node-red"', function () {
    pkg.keywords.should.containEql('node-red');
  });

  it('N02: every node type (not config) is used in some example', function () {
    const defs = nodeDefinitions();
    const declared = Object.keys(pkg['node-red'].nodes);
    Object.keys(defs)
      .sort()
      .should.eql([...declared].sort(), 'each node file registers its type with a literal name and object');
    const used = new Set(exampleFiles().flatMap((f) => JSON.parse(fs.readFileSync(f, 'utf8')).map((n) => n.type)));
    const missing = Object.entries(defs)
      .filter(([type, d]) => d.category !== 'config' && !used.has(type))
      .map(([t]) => t);
    should(missing).eql([]);
  });

  it('D01: at most 6 runtime dependencies', function () {
    Object.keys(pkg.dependencies || {}).length.should.be.belowOrEqual(6);
  });
});
