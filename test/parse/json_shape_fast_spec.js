'use strict';
/**
 * The JSON line fast path: a line within the limits by counting alone skips
 * the character scan, and parses to the same record as through the scan;
 * a Zeek record's TimeGenerated is its ts as written either way.
 */
const fc = require('fast-check');
const should = require('should');
const { LogParser, DEFAULT_PARSER_OPTIONS, jsonShape, jsonShapeBounded } = require('../../dist/core/parse/parser');
const { nameLines } = require('../../dist/dev/name-lines');

describe('core/parse: the JSON shape fast path', function () {
  it('whenever the count says within the limits, the scan agrees (fast-check over JSON texts and limits)', function () {
    fc.assert(
      fc.property(fc.json({ maxDepth: 6 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 200 }), (text, depth, values) => {
        if (jsonShapeBounded(text, depth, values)) should(jsonShape(text, depth, values)).be.null();
      }),
      { numRuns: 2000 },
    );
  });

  it('brackets inside strings count against the bound, so such a line takes the scan, which reads past them', function () {
    const text = '{"a":"[[[[","b":1}';
    jsonShapeBounded(text, 2, 100).should.be.false();
    should(jsonShape(text, 2, 100)).be.null();
  });

  it('Zeek dns/ssl/http JSON lines: the same records through the fast path and through the scan', function () {
    const fast = new LogParser({ ...DEFAULT_PARSER_OPTIONS });
    // a field limit below the lines' length turns the bound off (the scan decides), above their value count
    const scan = new LogParser({ ...DEFAULT_PARSER_OPTIONS, maxFields: 100 });
    for (const format of ['zeek-dns-json', 'zeek-ssl-json', 'zeek-http-json']) {
      for (const line of nameLines(format, 300, 11)) {
        line.length.should.be.above(100);
        const a = fast.parseLine(line);
        a.kind.should.equal('record');
        a.should.eql(scan.parseLine(line));
        // the digits Zeek wrote, not a round trip through milliseconds
        const [whole, fraction = ''] = String(JSON.parse(line).ts).split('.');
        a.record.TimeGenerated.should.equal(`${new Date(Number(whole) * 1000).toISOString().slice(0, 19)}.${fraction.padEnd(7, '0')}Z`);
      }
    }
  });
});
