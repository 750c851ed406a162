'use strict';
/**
 * Records as columns (src/input/record-columns): decoding what was encoded
 * gives records equal to the originals, key order included, for any mix of
 * key lists and value kinds, and for the parser's own CEF records.
 */
const fc = require('fast-check');
const should = require('should');
const { decodeRecords, encodeRecords, transferables } = require('../../dist/input/record-columns');
const { ChunkParser } = require('../../dist/input/chunk-parse');
const { DEFAULT_PARSER_OPTIONS, LogParser } = require('../../dist/core/parse/parser');
const { generateLines } = require('../../dist/tools/log-lines');
const { sampleScenario } = require('../../dist/tools/traffic-generator');
const { chunkLine, parseEachLine } = require('../support/parse-each-line');

/** equal, with key order, -0 and NaN told apart, and undefined values present as keys */
function same(a, b) {
  Object.keys(a).should.eql(Object.keys(b));
  for (const k of Object.keys(a)) if (!Object.is(a[k], b[k])) should(a[k]).eql(b[k]);
}

/** the records, encoded, moved as a thread would and decoded, equal the originals (as plain objects) */
function roundTrips(records) {
  const c = encodeRecords(records);
  const back = decodeRecords(structuredClone(c, { transfer: transferables(c) }));
  back.length.should.equal(records.length);
  for (let i = 0; i < records.length; i++) {
    same(back[i], records[i]);
    Object.getPrototypeOf(back[i]).should.equal(Object.prototype);
  }
}

const value = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('a', 'b', '', '\u0000'),
  fc.double(),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 2 ** 53),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.integer(), { maxLength: 3 }),
  // plain objects, as JSON.parse makes them (a structured clone gives any object Object's prototype)
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }).map((d) => Object.assign({}, d)),
);
const key = fc.oneof(fc.constantFrom('SourceIP', 'DestinationIP', 'TimeGenerated', '0', '12', '__proto__', 'constructor'), fc.string({ maxLength: 5 }));
const record = fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 8 }).map((entries) => {
  const r = {};
  for (const [k, v] of entries) Object.defineProperty(r, k, { value: v, enumerable: true, writable: true, configurable: true });
  return r;
});

describe('input/record-columns', function () {
  it('decode(encode(records)) equals the records: keys in order, every kind of value, shared key lists (property)', function () {
    fc.assert(
      fc.property(fc.array(fc.oneof(record, fc.constant({ SourceIP: '10.0.0.1', DestinationIP: '1.2.3.4', Bytes: 3 })), { maxLength: 40 }), (records) => {
        roundTrips(records);
      }),
      { numRuns: 300 },
    );
  });

  it('key lists shared by many records (made from a template record) round-trip too, whatever the keys hold (property)', function () {
    const codeLike = fc.constantFrom('"}; throw new Error(1); //', "a'b", 'a\\', '\u2028', '${x}', '0', '12', 'constructor', '__proto__', 'toString');
    const wideRecord = fc.uniqueArray(fc.tuple(fc.oneof(codeLike, key), value), { selector: ([k]) => k, minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.tuple(wideRecord, fc.integer({ min: 1, max: 80 })), { minLength: 1, maxLength: 4 }), (groups) => {
        const records = [];
        for (const [entries, times] of groups)
          for (let n = 0; n < times; n++) {
            const r = {};
            for (const [k, v] of entries) Object.defineProperty(r, k, { value: v, enumerable: true, writable: true, configurable: true });
            records.push(r);
          }
        roundTrips(records);
      }),
      { numRuns: 200 },
    );
  });

  it("the parser's CEF records: equal after the round trip, few key lists, repeated strings sent once", function () {
    const parser = new LogParser(DEFAULT_PARSER_OPTIONS);
    const records = generateLines({ ...sampleScenario('csl'), hours: 1 }, 'panos-cef')
      .slice(0, 1000)
      .map((l) => parser.parseLine(l.line).record);
    const c = encodeRecords(records);
    c.shapes.length.should.be.within(1, 4);
    c.strings.length.should.be.below(records.length * Object.keys(records[0]).length * 0.5);
    const back = decodeRecords(c);
    back.should.eql(records);
    back.forEach((r, i) => same(r, records[i]));
  });

  it("a chunk parsed in the reader thread gives, after the crossing, what parsing each line with its stream's parser gives (property)", function () {
    const line = chunkLine();
    const run = fc.tuple(fc.constantFrom('10.0.0.1', '10.0.0.2'), fc.constantFrom(514, 515), fc.array(line, { minLength: 1, maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(run, { maxLength: 6 }), (runs) => {
        const chunk = { lines: runs.flatMap(([, , ls]) => ls), runs: runs.flatMap(([a, p, ls]) => [a, p, ls.length]) };
        const parsed = new ChunkParser(DEFAULT_PARSER_OPTIONS).parse(chunk);
        const crossed = structuredClone(parsed, { transfer: transferables(parsed.records) });
        const { records, unparsed, counts } = parseEachLine(runs);
        const back = decodeRecords(crossed.records);
        back.length.should.equal(records.length);
        back.forEach((r, i) => same(r, records[i]));
        crossed.unparsed.should.eql(unparsed);
        crossed.counts.should.eql(counts);
      }),
      { numRuns: 200 },
    );
  });
});
