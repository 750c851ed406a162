'use strict';
/**
 * The column setters (core/parse/named-columns), generated as source by
 * scripts/column-setters.js: the committed file is what the generator writes
 * from the tables now, each index sets its own column and no other, a field
 * that reads as undefined leaves its column out, a table that differs from
 * its generated setter is refused, and a column name that is not a plain
 * identifier is refused before it can become code.
 */
require('should');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { columnSetter, fieldTable, fillColumns } = require('../../dist/core/parse/named-columns');
const { CEF_KEY_COLUMNS, setCslColumn } = require('../../dist/core/parse/csl-columns');
const { render } = require('../../scripts/column-setters');
const { GENERATED_FILLERS } = require('../../dist/core/parse/column-setters.generated');

const root = path.resolve(__dirname, '..', '..');
const GENERATED = path.join(root, 'src', 'core', 'parse', 'column-setters.generated.ts');

describe('core/parse named columns', function () {
  it('the committed setters are what scripts/column-setters.js writes from the tables', function () {
    this.timeout(20000);
    // a fresh process: the generator collects the tables as their modules load
    const fresh = execFileSync(process.execPath, [path.join(root, 'scripts', 'column-setters.js'), '--stdout'], { encoding: 'utf8' });
    fresh.should.match(/cef: \{/);
    const committed = fs.readFileSync(GENERATED, 'utf8');
    if (committed !== fresh)
      throw new Error('src/core/parse/column-setters.generated.ts is stale: run `npm run build && npm run generate:setters` and commit it');
  });

  it('sets column i of the table at index i, and only that column', function () {
    CEF_KEY_COLUMNS.forEach(([, column], i) => {
      const r = {};
      setCslColumn(r, i, `v${i}`);
      r.should.eql({ [column]: `v${i}` });
    });
    const r = {};
    setCslColumn(r, CEF_KEY_COLUMNS.length, 'out of range');
    r.should.eql({});
  });

  it('fills the columns whose fields read as a value, in table order, and leaves the others out', function () {
    const upper = (v) => (typeof v === 'string' ? v.toUpperCase() : undefined);
    const split = (v, separator) => (typeof v === 'string' ? v.split(separator) : undefined);
    const table = fieldTable('zeekSsl', [
      ['a', 'TlsServerName', upper],
      ['b', 'TlsVersion', upper],
      ['c', 'TlsEstablished', split],
    ]);
    const fields = { a: 'x', b: 7, c: 'p;q' };
    const r = {};
    fillColumns(r, (name) => fields[name], table, ';');
    r.should.eql({ TlsServerName: 'X', TlsEstablished: ['p', 'q'] });
    Object.keys(r).should.eql(['TlsServerName', 'TlsEstablished']);
  });

  it('fills from a parsed object through the generated filler (field i, its reader, column i), or by key when the fields are not the generated ones', function () {
    const seen = [];
    const read = (v) => (seen.push(v), v);
    const ssl = fieldTable('zeekSsl', [
      ['server_name', 'TlsServerName', read],
      ['version', 'TlsVersion', read],
      ['established', 'TlsEstablished', read],
    ]);
    ssl.fill.should.equal(GENERATED_FILLERS.zeekSsl.fill);
    const object = { established: true, server_name: 'a.example', version: 'TLSv13', other: 1 };
    const filled = {};
    fillColumns(filled, object, ssl);
    seen.should.eql(['a.example', 'TLSv13', true]);
    Object.entries(filled).should.eql([
      ['TlsServerName', 'a.example'],
      ['TlsVersion', 'TLSv13'],
      ['TlsEstablished', true],
    ]);
    const other = fieldTable('zeekSsl', [
      ['a', 'TlsServerName', (v) => v],
      ['b', 'TlsVersion', (v, separator) => (typeof v === 'string' ? v.split(separator) : undefined)],
      ['c', 'TlsEstablished', (v) => v],
    ]);
    other.fill.should.not.equal(GENERATED_FILLERS.zeekSsl.fill);
    const r = {};
    fillColumns(r, { b: 'v;w', c: undefined, server_name: 'x' }, other, ';');
    r.should.eql({ TlsVersion: ['v', 'w'] });
    // a field with any characters becomes a string literal, not code; a column must be an identifier
    render(new Map([['t', ['A', 'B']]]), new Map([['t', ['a"]; process.exit(1); o["', 'id.orig_h']]])).should.match(
      /v = reads\[0\]\(o\["a\\"\]; process\.exit\(1\); o\[\\""\], separator\);\n\s+if \(v !== undefined\) r\.A = v;\n\s+v = reads\[1\]\(o\["id\.orig_h"\], separator\);/,
    );
    (() => render(new Map([['t', ['x; process.exit(1)']]]), new Map([['t', ['a']]]))).should.throw(/is not an identifier/);
    (() => render(new Map(), new Map([['t', ['a']]]))).should.throw(/has 1 fields and no columns/);
  });

  it('refuses a table whose columns differ from its generated setter, or that has none, naming the command that refreshes them', function () {
    (() => columnSetter('zeekSsl', ['TlsServerName', 'TlsEstablished', 'TlsVersion'])).should.throw(/differs from its generated setter.*generate:setters/);
    (() => columnSetter('zeekSsl', ['TlsServerName', 'TlsVersion'])).should.throw(/differs from its generated setter/);
    (() => columnSetter('noSuchTable', ['A'])).should.throw(/has no generated setter.*generate:setters/);
  });

  it('writes one named store per column, and refuses a column or table name that is not an identifier (it would become code)', function () {
    const text = render(new Map([['t', ['Fine', 'Other']]]));
    text.should.match(/case 0: r\.Fine = v; return; case 1: r\.Other = v; return;/);
    (() => render(new Map([['t', ['Fine', 'x; process.exit(1)']]]))).should.throw(/is not an identifier/);
    (() => render(new Map([['t', ['a.b']]]))).should.throw(/is not an identifier/);
    (() => render(new Map([['t', ['1abc']]]))).should.throw(/is not an identifier/);
    (() => render(new Map([['t-1', ['A']]]))).should.throw(/is not an identifier/);
  });
});
