'use strict';
/**
 * The CEF record's constructor names every column a line can add after its
 * first ones (so V8 gives records room for them in the object). The list is
 * written out in `cef-record.ts` for speed, beside the key table it must
 * follow: this spec keeps the two together. A column missing from it costs
 * only speed, which no other test would notice.
 */
require('should');
const fs = require('fs');
const path = require('path');
const { cefRecord } = require('../../dist/core/parse/cef-record');
const { CEF_KEY_COLUMNS } = require('../../dist/core/parse/csl-columns');

describe('CEF record room', () => {
  const source = fs.readFileSync(path.join(__dirname, '../../dist/core/parse/cef-record.js'), 'utf8');
  const named = new Set([...source.matchAll(/this\.(\w+) = (?:undefined|vendor|product|version|classId|activity|severity|'')/g)].map((m) => m[1]));

  it('names every column of the CEF key table', () => {
    const missing = CEF_KEY_COLUMNS.map(([, column]) => column).filter((c) => !named.has(c));
    missing.should.eql([]);
  });

  it('names every key of a record made from a line that carries every known key and an unknown one', () => {
    const ext = CEF_KEY_COLUMNS.map(([key], i) => `${key}=${key === 'rt' || key === 'start' || key === 'end' ? 1714953600000 + i : `v${i}`}`).join(' ');
    const r = cefRecord(`CEF:0|Palo Alto Networks|PAN-OS|10.1|end|TRAFFIC|1|${ext} in=10 out=20 unknownKey=x`, 'microsoft');
    r.should.have.property('record');
    Object.keys(r.record).length.should.be.above(40);
    const missing = Object.keys(r.record).filter((k) => !named.has(k));
    missing.should.eql([]);
  });
});
