'use strict';
/**
 * The generated column setters (core/parse/named-columns): each index sets
 * its own column and no other, a field that reads as undefined leaves its
 * column out, and a column name that is not a plain identifier is refused
 * before it can become code.
 */
require('should');
const { columnSetter, fieldTable, fillColumns } = require('../../dist/core/parse/named-columns');
const { CEF_KEY_COLUMNS, setCslColumn } = require('../../dist/core/parse/csl-columns');

describe('core/parse named columns', function () {
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
    const table = fieldTable([
      ['a', 'Alpha', upper],
      ['b', 'Beta', upper],
      ['c', 'Gamma', split],
    ]);
    const fields = { a: 'x', b: 7, c: 'p;q' };
    const r = {};
    fillColumns(r, (name) => fields[name], table, ';');
    r.should.eql({ Alpha: 'X', Gamma: ['p', 'q'] });
    Object.keys(r).should.eql(['Alpha', 'Gamma']);
  });

  it('refuses a column name that is not an identifier (it would become code)', function () {
    (() => columnSetter(['Fine', 'x; process.exit(1)'])).should.throw(/is not an identifier/);
    (() => columnSetter(['a.b'])).should.throw(/is not an identifier/);
    (() => columnSetter(['1abc'])).should.throw(/is not an identifier/);
  });
});
