'use strict';
/**
 * Security properties of what the package ships (core/, nodes/, the editor
 * HTML): no code built from data (eval, Function, vm); every regular
 * expression free of nested unbounded quantifiers and fast on long
 * adversarial input; no HTML built from strings in the editor code; no admin
 * HTTP endpoint without a permission check; status text carries counts, never
 * strings from logs.
 */
const fs = require('fs');
const path = require('path');
const acorn = require('acorn');
const walk = require('acorn-walk');
const ret = require('ret');
const should = require('should');
const { helper, node } = require('../nodes/harness');

const ROOT = path.join(__dirname, '..', '..');
/** Every file under a folder of the package, with the given ending. */
const filesUnder = (dir, ending) =>
  fs
    .readdirSync(path.join(ROOT, dir), { recursive: true })
    .filter((f) => f.endsWith(ending))
    .map((f) => path.join(ROOT, dir, f));
// what `files` in package.json publishes
const SHIPPED = ['dist/core', 'dist/input', 'dist/nodes', 'dist/plugins', 'dist/tools', 'resources'].flatMap((dir) => filesUnder(dir, '.js'));
const EDITOR = ['dist/nodes', 'dist/plugins'].flatMap((dir) => filesUnder(dir, '.html'));

/** The JavaScript of each shipped file: compiled modules, and the scripts inside the editor HTML. */
function programs() {
  const list = SHIPPED.map((file) => ({ file, code: fs.readFileSync(file, 'utf8') }));
  for (const file of EDITOR) {
    const html = fs.readFileSync(file, 'utf8');
    for (const m of html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)) list.push({ file, code: m[1] });
  }
  return list.map((p) => ({ ...p, ast: acorn.parse(p.code, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true }) }));
}

/** Every regular expression in the shipped code: literals and RegExp constructions with a literal pattern. */
function regexes() {
  const found = [];
  for (const p of programs()) {
    walk.full(p.ast, (n) => {
      if (n.type === 'Literal' && n.regex) found.push({ file: p.file, re: new RegExp(n.regex.pattern, n.regex.flags) });
      if ((n.type === 'NewExpression' || n.type === 'CallExpression') && n.callee.name === 'RegExp') {
        const arg = n.arguments[0];
        if (arg?.type !== 'Literal') throw new Error(`${p.file}: RegExp built from a non-literal pattern`);
        found.push({ file: p.file, re: new RegExp(arg.value) });
      }
    });
  }
  return found;
}

/**
 * Catastrophic backtracking needs an unbounded quantifier inside another
 * repeated one (`(a+)+`, `(\\s*,\\s*x)*`): flags those. Bounded nesting such
 * as `(?:\\.\\d{1,3}){3}` is fine.
 */
function nestedUnbounded(source) {
  let found = false;
  const visit = (node, insideRepeat) => {
    if (!node || found) return;
    if (node.type === ret.types.REPETITION) {
      if (insideRepeat && node.max === Infinity) found = true;
      return visit(node.value, insideRepeat || node.max > 1);
    }
    for (const list of [node.stack, ...(node.options || [])]) for (const child of list || []) visit(child, insideRepeat);
  };
  visit(ret(source), false);
  return found;
}

/**
 * A pattern not anchored at the start that opens with an unbounded
 * quantifier (`\\s+$`) is retried at every position: quadratic on a long run
 * of matching characters that fails at the end.
 */
function unanchoredLeadingUnbounded(re) {
  if (re.sticky) return false;
  const stack = ret(re.source).stack || [];
  // alone (`[\\s,;]+` for split) it succeeds wherever it starts: only a tail after it can fail
  return stack.length > 1 && stack[0].type === ret.types.REPETITION && stack[0].max === Infinity;
}

/**
 * Reviewed exceptions: the RFC 5424 structured-data pattern repeats bracketed
 * elements whose alternatives start with disjoint characters (a plain
 * character, a backslash escape, a quoted string), so each character has one
 * way to match and the match is linear; the adversarial test runs it anyway.
 */
const REVIEWED = [/\(-\|\(\?:\\\[/];

describe('security of the shipped code', function () {
  it('evaluates no code: no eval, Function or vm anywhere in core/, nodes/ or the editor scripts', function () {
    const offences = [];
    for (const p of programs()) {
      walk.full(p.ast, (n) => {
        const callee = n.callee;
        if ((n.type === 'CallExpression' || n.type === 'NewExpression') && callee?.type === 'Identifier' && ['eval', 'Function'].includes(callee.name))
          offences.push(`${p.file}: ${callee.name}()`);
        if (n.type === 'CallExpression' && callee?.name === 'require' && ['vm', 'node:vm'].includes(n.arguments[0]?.value))
          offences.push(`${p.file}: require('vm')`);
        if (
          n.type === 'CallExpression' &&
          callee?.type === 'Identifier' &&
          ['setTimeout', 'setInterval'].includes(callee.name) &&
          n.arguments[0]?.type === 'Literal'
        )
          offences.push(`${p.file}: ${callee.name} with a string`);
      });
    }
    offences.should.eql([]);
    SHIPPED.length.should.be.above(10);
  });

  it('has no regular expression with an unbounded quantifier nested in a repeated group (reviewed exceptions aside) or leading an unanchored pattern', function () {
    const all = regexes();
    all.length.should.be.above(20);
    const flagged = all.filter((r) => nestedUnbounded(r.re.source));
    const unsafe = flagged.filter((r) => !REVIEWED.some((ok) => ok.test(r.re.source))).map((r) => `${path.relative(ROOT, r.file)}: ${r.re}`);
    unsafe.should.eql([]);
    flagged.length.should.equal(REVIEWED.length); // an exception that no longer exists is removed from the list
    all
      .filter((r) => unanchoredLeadingUnbounded(r.re))
      .map((r) => `${path.relative(ROOT, r.file)}: ${r.re}`)
      .should.eql([]);
    nestedUnbounded('^(a+)+$').should.be.true(); // the checks themselves
    unanchoredLeadingUnbounded(/\s+$/).should.be.true();
    unanchoredLeadingUnbounded(/^\s+$/).should.be.false();
    unanchoredLeadingUnbounded(/[\s,;]+/).should.be.false();
    nestedUnbounded('^\\s*[^,]*(\\s*,\\s*[^,]*)*$').should.be.true();
    nestedUnbounded('^(?:\\d{1,3}(?:\\.\\d{1,3}){3})$').should.be.false();
  });

  it('runs every regular expression over 30 kB adversarial strings (near-misses of repeated characters) to completion', function () {
    // each pattern's own characters, repeated, then a character that makes it fail at the end
    for (const { re } of regexes()) {
      const chars = [...new Set(re.source.replace(/\\[dswDSW]/g, '').replace(/[\\^$.*+?()[\]{}|]/g, ''))].join('') || 'a';
      for (const body of [chars, ' ', '0', 'a', '\t', ':', '1.', '\\=', '[a="\\"', '[a=\\\\"']) {
        const s = body.repeat(Math.ceil(30000 / body.length)) + '\u0000!';
        re.lastIndex = 0;
        re.test(s);
      }
    }
  });

  it('builds no HTML from strings in the editor: text is set with .text() or .val(), never .html() or innerHTML', function () {
    const offences = [];
    const resources = fs.readdirSync(path.join(ROOT, 'resources')).map((f) => path.join(ROOT, 'resources', f));
    for (const file of [...EDITOR, ...resources]) {
      const text = fs.readFileSync(file, 'utf8');
      const scripts = file.endsWith('.js') ? text : [...text.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
      for (const bad of ['.html(', 'innerHTML', 'outerHTML', 'document.write', 'insertAdjacentHTML'])
        if (scripts.includes(bad)) offences.push(`${path.basename(file)}: ${bad}`);
      // appended elements are created empty and filled with .text()
      for (const m of scripts.matchAll(/\.append\(([^)]*)\)/g)) if (/['"]\s*\+|\+\s*['"]/.test(m[1])) offences.push(`${path.basename(file)}: append(${m[1]})`);
    }
    offences.should.eql([]);
  });

  it('adds no admin HTTP endpoint without RED.auth.needsPermission', function () {
    const offences = [];
    for (const p of programs()) {
      walk.full(p.ast, (n) => {
        if (n.type !== 'CallExpression' || n.callee.type !== 'MemberExpression') return;
        const text = p.code.slice(n.callee.start, n.callee.end);
        if (/httpAdmin\.(get|post|put|delete|use|all)$/.test(text)) {
          const args = p.code.slice(n.start, n.end);
          if (!/auth\.needsPermission\(/.test(args)) offences.push(`${p.file}: ${text}`);
        }
      });
    }
    offences.should.eql([]);
  });

  describe('status and warnings carry counts, not strings from logs', function () {
    before(() => helper.startServer());
    after(() => helper.stopServer());
    afterEach(() => helper.unload());
    const evil = '<img src=x onerror=alert(1)>';
    const types = ['beacon-ip-filter', 'beacon-delta', 'beacon-histogram', 'beacon-scorer', 'beacon-parse'];
    for (const type of types) {
      it(`${type}`, async function () {
        await helper.load(node(type), [{ id: 'n1', type, wires: [[], []] }]);
        const n1 = helper.getNode(n1Id());
        const rec = {
          TimeGenerated: '2024-01-01T00:00:00Z',
          LocalIP: evil,
          RemoteIP: evil,
          RemotePortNumber: evil,
          TimeDeltainSeconds: 60,
          nextTimeGenerated: evil,
          DeltaCounts: { 60: 20 },
          TotalEvents: 20,
          GroupFields: ['LocalIP'],
        };
        n1.receive({
          payload: type === 'beacon-parse' ? `CEF:0|${evil}|${evil}|1|traffic|${evil}|1|src=${evil} dst=${evil}` : [rec, { ...rec, TimeGenerated: evil }],
        });
        n1.receive({ payload: evil });
        n1.receive({ flush: true });
        await new Promise((r) => setImmediate(() => setImmediate(r)));
        const statuses = n1.status.getCalls().map((c) => JSON.stringify(c.args[0]));
        statuses.length.should.be.above(0);
        for (const s of statuses) should(s).not.containEql('<');
        for (const w of n1.warn.getCalls().map((c) => String(c.args[0]))) should(w).not.containEql('<img');
      });
    }
    const n1Id = () => 'n1';
  });
});
