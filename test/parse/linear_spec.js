'use strict';
/**
 * Parsing costs what the line's length says, whatever an attacker writes in
 * it: the CEF reader's key work per extension is bounded (counted, not
 * timed), and every format caps the fields of a record and the nesting of
 * JSON, refusing what is beyond with a reason that names the limit.
 */
const fc = require('fast-check');
const should = require('should');
const { LogParser, DEFAULT_PARSER_OPTIONS, jsonShape } = require('../../dist/core/parse/parser');
const { cefRecord, cefKeyComparisons, longestProbeRun } = require('../../dist/core/parse/cef-record');
const { FrameSplitter } = require('../../dist/core/parse/syslog');
const { csvLine } = require('../../dist/core/parse/csv-line');
const sinon = require('sinon');

const parser = (o = {}) => new LogParser({ ...DEFAULT_PARSER_OPTIONS, ...o });
const HEADER = 'CEF:0|Palo Alto Networks|PAN-OS|10.1|end|TRAFFIC|1|';
const ORDINARY = 'rt=May 08 2024 08:10:31 GMT src=10.0.0.1 dst=52.1.2.3 spt=40000 dpt=443 in=84 out=96 dvchost=fw01 cs1Label=Rule cs1=allow-out act=allow';

/** Key comparisons the CEF reader makes for one line (the count is module-wide: the difference around the call). */
function comparisonsFor(line, maxFields) {
  const before = cefKeyComparisons();
  const r = cefRecord(line, 'microsoft', maxFields);
  return { result: r, comparisons: cefKeyComparisons() - before };
}

// keys built to hurt: distinct unknown keys of one length and the same first, middle and last
// characters, known keys and keys that differ from one by a character, and unknown keys repeated late in the line
const craftedKey = fc.oneof(
  fc.nat({ max: 99999 }).map((n) => `a${String(n).padStart(5, '0')}z`),
  fc.constantFrom('src', 'dst', 'spt', 'dpt', 'act', 'cs1', 'cs1Label', 'in', 'out', 'rt', 'PanOSDGl1', 'PanOSDGl', 'xsrc', 'Label'),
  fc.stringMatching(/^[a-z][a-zA-Z0-9_.]{0,12}$/),
);

describe('core/parse: linear in the line, fields and nesting capped', function () {
  it('CEF: a line of 10,000 distinct extensions takes a bounded number of key comparisons per extension (was a list scan per key)', function () {
    const ext = Array.from({ length: 10000 }, (_, i) => `k${String(i).padStart(5, '0')}x=${i}`).join(' ');
    const { result, comparisons } = comparisonsFor(HEADER + ext, 20000);
    result.should.be.an.Object();
    result.record.AdditionalExtensions.split(';').should.have.length(10000);
    const perExtension = longestProbeRun() + 2;
    comparisons.should.be.belowOrEqual(10000 * perExtension);
    // the same bound holds for an ordinary line, so a crafted line costs at most that factor more per extension
    comparisonsFor(HEADER + ORDINARY, 20000).comparisons.should.be.belowOrEqual(12 * perExtension);
  });

  it('CEF: any crafted extension list costs at most (longest probe run + 2) comparisons per extension (property)', function () {
    const bound = longestProbeRun() + 2;
    fc.assert(
      fc.property(fc.array(fc.tuple(craftedKey, fc.string({ maxLength: 8 })), { minLength: 1, maxLength: 3000 }), (pairs) => {
        const ext = pairs.map(([k, v]) => `${k}=${v.replace(/[=\\\s]/g, 'v')}`).join(' ');
        const { result, comparisons } = comparisonsFor(HEADER + ext, 5000);
        // a repeated key hands the line to the object reader (also linear); the scan up to it stays bounded
        comparisons.should.be.belowOrEqual(pairs.length * bound);
        should(typeof result === 'object' || typeof result === 'string').be.true();
      }),
      { numRuns: 60 },
    );
  });

  it('CEF: more extensions than the field cap is a parse error naming the limit', function () {
    const ext = Array.from({ length: 1500 }, (_, i) => `k${i}=${i}`).join(' ');
    const r = parser().parseLine(HEADER + ext);
    r.kind.should.equal('error');
    r.reason.should.equal(`CEF extension has 1500 fields, more than the limit of ${DEFAULT_PARSER_OPTIONS.maxFields}`);
    parser({ maxFields: 2000 })
      .parseLine(HEADER + ext + ' rt=May 08 2024 08:10:31 GMT')
      .kind.should.equal('record');
  });

  it('CSV: the fast reader scans each character a bounded number of times whatever the quotes and commas (property, characters scanned by indexOf counted)', function () {
    const real = String.prototype.indexOf;
    let scanned = 0;
    // the characters each search looks at: from its start to the match, or to the end
    const counting = function (search, from = 0) {
      const at = real.call(this, search, from);
      scanned += (at < 0 ? this.length : at + search.length) - Math.max(0, from);
      return at;
    };
    fc.assert(
      fc.property(fc.array(fc.constantFrom('"', '""', ',', ',,', 'a', 'abc', ' ', '","'), { minLength: 1, maxLength: 3000 }), (units) => {
        const line = units.join('');
        scanned = 0;
        String.prototype.indexOf = counting;
        try {
          csvLine(line);
        } finally {
          String.prototype.indexOf = real;
        }
        scanned.should.be.above(0); // the count sees the reader's searches
        scanned.should.be.belowOrEqual(4 * line.length + 4);
      }),
      { numRuns: 200 },
    );
  });

  it('PAN-OS CSV and Zeek #fields: more fields than the cap are refused, naming the limit', function () {
    const csv = `1,2024/05/08 08:10:31,0,TRAFFIC,end,2049,2024/05/08 08:10:31,10.0.0.1,52.1.2.3${',x'.repeat(2000)}`;
    parser()
      .parseLine(csv)
      .reason.should.match(/^PAN-OS CSV has 2009 fields, more than the limit of 1024$/);
    const p = parser({ format: 'zeek-tsv' });
    p.parseLine(`#fields\t${Array.from({ length: 1100 }, (_, i) => `f${i}`).join('\t')}`).reason.should.match(/1100 fields, more than the limit of 1024/);
  });

  it('JSON: nesting past the depth cap, or more values than the field cap, is a parse error naming the limit; nothing deep reaches a record', function () {
    const deep = `{"TimeGenerated":"bad","x":${'['.repeat(30000)}${']'.repeat(30000)}}`;
    const r = parser().parseLine(deep);
    r.kind.should.equal('error');
    r.reason.should.equal(`JSON nested deeper than the limit of ${DEFAULT_PARSER_OPTIONS.maxJsonDepth} levels`);
    parser()
      .parseLine(`{"a":[${'1,'.repeat(3000)}1],"TimeGenerated":"2024-05-08T08:10:31Z"}`)
      .reason.should.match(/more values than the limit of 1024 fields/);
    // brackets inside strings are text, not nesting
    const ok = parser().parseLine(`{"TimeGenerated":"2024-05-08T08:10:31Z","LocalIP":"${'['.repeat(100)}","n":{"a":[1,{"b":2}]}}`);
    ok.kind.should.equal('record');
    should(jsonShape('{"a":"\\"[[[[","b":[[1]]}', 3, 100)).be.null();
    jsonShape('{"a":"\\"[[[[","b":[[1]]}', 2, 100).should.equal('deep');
  });

  it('log parse stream framing: a frame trickled a few bytes at a time costs what its length says (bytes allocated, not its square)', function () {
    for (const wire of [`${'a'.repeat(200000)}\n`, `200000 <${'b'.repeat(199999)}`]) {
      const splitter = new FrameSplitter();
      const bytes = Buffer.from(wire);
      let allocated = 0;
      // every Buffer the splitter makes (a copy of the tail, a grown buffer, a concatenation) is counted
      const stubs = ['concat', 'from', 'allocUnsafe', 'alloc'].map((m) => {
        const real = Buffer[m];
        return sinon.stub(Buffer, m).callsFake((...args) => {
          const made = real.apply(Buffer, args);
          allocated += made.length;
          return made;
        });
      });
      const frames = [];
      try {
        for (let i = 0; i < bytes.length; i += 4) frames.push(...splitter.push(bytes.subarray(i, i + 4)).frames);
      } finally {
        stubs.forEach((st) => st.restore());
      }
      frames.should.have.length(1);
      frames[0].length.should.equal(200000);
      allocated.should.be.belowOrEqual(4 * bytes.length); // concatenating the tail at each push would be 5 GB
    }
  });

  it('a line starting with # is a header only where the format has them (Zeek); elsewhere it is unparsed, not silently skipped', function () {
    const auto = parser();
    auto.parseLine('#fields\tts\tid.orig_h').kind.should.equal('header');
    auto.parseLine('#separator \\x09').kind.should.equal('header');
    const comment = auto.parseLine('# CEF:0|a|b|c|d|e|f|src=1.2.3.4');
    comment.kind.should.equal('error');
    parser().parseLine('#close').kind.should.equal('header');
    parser({ format: 'cef' }).parseLine('#fields\tts').kind.should.equal('error');
    parser({ format: 'panos-csv' }).parseLine('#1,2024/05/08 08:10:31').kind.should.equal('error');
  });
});
