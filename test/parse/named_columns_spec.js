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
const { GENERATED_GETTERS } = require('../../dist/core/parse/column-setters.generated');

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

  it("reads a parsed object's fields through the generated getter (field i at index i), or by key when the fields are not the generated ones", function () {
    const read = (v) => v;
    const ssl = fieldTable('zeekSsl', [
      ['server_name', 'TlsServerName', read],
      ['version', 'TlsVersion', read],
      ['established', 'TlsEstablished', read],
    ]);
    const object = { established: true, server_name: 'a.example', version: 'TLSv13', other: 1 };
    ssl.get.should.equal(GENERATED_GETTERS.zeekSsl.get);
    [0, 1, 2].map((i) => ssl.get(object, i)).should.eql(['a.example', 'TLSv13', true]);
    const other = fieldTable('zeekSsl', [
      ['a', 'TlsServerName', read],
      ['b', 'TlsVersion', read],
      ['c', 'TlsEstablished', read],
    ]);
    other.get({ a: 1, b: 2, server_name: 'x' }, 0).should.equal(1);
    const r = {};
    fillColumns(r, { b: 'v', c: undefined }, other);
    Object.keys(r).should.eql(['TlsVersion']);
    // a field with any characters becomes a string literal, not code
    render(new Map(), new Map([['t', ['a"]; process.exit(1); o["', 'id.orig_h']]])).should.match(
      /case 0: return o\["a\\"\]; process\.exit\(1\); o\[\\""\]; case 1: return o\["id\.orig_h"\];/,
    );
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
