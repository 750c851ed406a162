'use strict';
/**
 * An ASCII CEF line's record is made in one pass over its '=' signs; a line
 * that pass hands to the object reader (a repeated key, a key starting with
 * a digit) or refuses for its field count must answer as the reader over
 * the list of pairs did: the cap checked first, with the count of every pair
 * of the line, and otherwise the object reader's record. Held here against
 * that rule written out with the parse core's own pieces, on PAN-OS lines
 * repeating a key order (so the expected key is used) with changes, under
 * caps just below and above their pair counts.
 */
const fc = require('fast-check');
const should = require('should');
const { cefRecord } = require('../../dist/core/parse/cef-record');
const { parseCef, scanExtension, splitHeader, ExtensionPairs } = require('../../dist/core/parse/cef');
const { cefToCommonSecurityLog } = require('../../dist/core/parse/mappings');
const nameLines = require('../../dist/dev/name-lines');

/** The rule: the field cap over every pair, then the object reader's record (what the fast readers must equal). */
function expected(line, bytes, maxFields) {
  const at = line.indexOf('CEF:');
  const ext = splitHeader(line, [], at + 4);
  const pairs = new ExtensionPairs();
  scanExtension(line, pairs, undefined, ext);
  if (pairs.count > maxFields) return `CEF extension has ${pairs.count} fields, more than the limit of ${maxFields}`;
  const cef = parseCef(line);
  return { record: cefToCommonSecurityLog(cef, bytes), rt: cef.extension.rt, start: cef.extension.start };
}

describe('CEF one pass: fallbacks and the field cap as before', function () {
  const lines = ['panos-cef', 'panos-threat-cef', 'panos-url-cef'].map((f) =>
    f === 'panos-cef'
      ? 'CEF:0|Palo Alto Networks|PAN-OS|10.1.11|end|TRAFFIC|1|rt=May 08 2024 00:00:00 GMT deviceExternalId=0132 src=10.0.0.7 dst=185.225.17.40 cs1Label=Rule cs1=allow web \\= any suser= duser= app=ssl cn1Label=SessionID cn1=884800 cnt=1 spt=50217 dpt=8443 proto=tcp act=allow in=300 out=200 start=May 08 2024 00:00:00 GMT dvchost=PA-220'
      : nameLines.nameLines(f, 1)[0].slice(nameLines.nameLines(f, 1)[0].indexOf('CEF:')),
  );
  const change = fc.constantFrom(
    (w) => `${w} ${w}`, // a repeated key (known or not)
    (w) => `${w} 9x=1`, // a key starting with a digit
    (w) => `${w} unknownKey=${w.length}`,
    (w) => `${w} unknownKey=again`, // repeated when it comes twice
    (w) => w.replace('=', '\\='),
    (w) => `${w}  `,
    (w) => `${w}é`,
    (w) => `${w} a=b`,
    () => '',
  );
  const line = fc.tuple(fc.constantFrom(...lines), fc.array(fc.tuple(fc.nat(200), change), { maxLength: 3 })).map(([base, changes]) => {
    const words = base.split(' ');
    for (const [at, f] of changes) words[8 + (at % (words.length - 8))] = f(words[8 + (at % (words.length - 8))]);
    return words.join(' ');
  });

  it("answers each line as the field cap and then the object reader do (property, caps around each line's pair count)", function () {
    let refused = 0;
    let records = 0;
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: -3, max: 3 }),
        fc.constantFrom('microsoft', 'client'),
        (stream, slack, bytes) => {
          for (const l of stream) {
            const ext = splitHeader(l, [], l.indexOf('CEF:') + 4);
            const pairs = new ExtensionPairs();
            scanExtension(l, pairs, undefined, ext);
            const cap = Math.max(1, pairs.count + slack);
            const ours = cefRecord(l, bytes, cap);
            const theirs = expected(l, bytes, cap);
            if (typeof theirs === 'string') refused++;
            else records++;
            should(JSON.stringify(ours)).equal(JSON.stringify(theirs), `line ${JSON.stringify(l)} cap ${cap}`);
            if (typeof ours === 'object') should(Object.getPrototypeOf(ours.record)).equal(Object.prototype);
          }
        },
      ),
      { numRuns: 400, seed: 21 },
    );
    refused.should.be.above(100);
    records.should.be.above(100);
  });
});
