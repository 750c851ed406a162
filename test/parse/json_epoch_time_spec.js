'use strict';
/**
 * A Zeek JSON line's time is read from the digits in the line, not by
 * converting the parsed number back to text: where that reading answers, it
 * must give the ISO text and ms that String(number) gives, whatever the line
 * holds (written microseconds, nanoseconds, trailing zeros, exponents, a
 * second ts key, values near the limits); and it answers for Zeek's usual ts.
 */
const fc = require('fast-check');
require('should');
const { jsonEpochTime, isoFromEpochSecondsText, epochMsOfSecondsText } = require('../../dist/core/parse/timestamps');

/** a number as a JSON writer may write it, and the line around it */
const written = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 9999999999 }), fc.integer({ min: 0, max: 9 }), fc.nat())
    .map(([s, digits, f]) => (digits === 0 ? String(s) : `${s}.${String(f).padStart(digits, '0').slice(-digits)}`)),
  fc.double({ min: 0, max: 5e9, noNaN: true }).map(String),
  fc.constantFrom('4294967295.999999', '4294967296.000001', '1715126400.000000', '1715126400.120000', '1e9', '1.7151264E9', '-1715126400.5', '0.5', '0.000001'),
);

describe('core/parse: a JSON epoch time from the digits written', function () {
  it('gives the ISO text and ms of String(value) for every number written after the key, wherever the key is and whatever else the line holds', function () {
    let read = 0;
    fc.assert(
      fc.property(written, fc.constantFrom('', ' ', '"x":1,'), fc.constantFrom('}', ',"ts":2}', ',"y":3}'), (digits, before, after) => {
        const json = `{${before}"ts":${digits}${after}`;
        const value = JSON.parse(json).ts;
        const time = { iso: '', ms: 0 };
        if (!jsonEpochTime(json, '"ts":', value, time)) return;
        read++;
        const text = String(value);
        time.should.eql({ iso: isoFromEpochSecondsText(text), ms: epochMsOfSecondsText(text) }, json);
      }),
      { numRuns: 20000, seed: 23 },
    );
    read.should.be.above(2000); // it answers for many, not only the trivial ones
  });

  it("answers for Zeek's ts (microseconds, trailing zeros) and leaves the rest to String()", function () {
    const time = { iso: '', ms: 0 };
    jsonEpochTime('{"ts":1715126400.120000,"uid":"C1"}', '"ts":', 1715126400.12, time).should.be.true();
    time.should.eql({ iso: '2024-05-08T00:00:00.1200000Z', ms: 1715126400120 });
    jsonEpochTime('{"ts":1715126400}', '"ts":', 1715126400, time).should.be.true();
    time.should.eql({ iso: '2024-05-08T00:00:00.0000000Z', ms: 1715126400000 });
    jsonEpochTime('{"ts":1715126400.1}', '"ts":', 1715126400.2, time).should.be.false();
    jsonEpochTime('{"ts":1715126400.123456789}', '"ts":', Number('1715126400.123456789'), time).should.be.false();
    jsonEpochTime('{"ts":1.7151264e9}', '"ts":', 1715126400, time).should.be.false();
    jsonEpochTime('{"uid":"x"}', '"ts":', 5, time).should.be.false();
  });
});
