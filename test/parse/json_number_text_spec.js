'use strict';
/**
 * A Zeek JSON line's ts is written as text from the digits in the line, not
 * by converting the parsed number back: that text must be String(number)
 * whatever the line holds (written microseconds, nanoseconds, trailing
 * zeros, exponents, a second ts key, values near the limits).
 */
const fc = require('fast-check');
const should = require('should');
const { jsonNumberText } = require('../../dist/core/parse/timestamps');

/** a number as a JSON writer may write it, and the line around it */
const written = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 9999999999 }), fc.integer({ min: 0, max: 9 }), fc.nat())
    .map(([s, digits, f]) => (digits === 0 ? String(s) : `${s}.${String(f).padStart(digits, '0').slice(-digits)}`)),
  fc.double({ min: 0, max: 5e9, noNaN: true }).map(String),
  fc.constantFrom('4294967295.999999', '4294967296.000001', '1715126400.000000', '1715126400.120000', '1e9', '1.7151264E9', '-1715126400.5', '0.5', '0.000001'),
);

describe('core/parse: epoch seconds text from the JSON digits', function () {
  it('is String(value) for every number written after the key, wherever the key is and whatever else the line holds', function () {
    fc.assert(
      fc.property(written, fc.constantFrom('', ' ', '"x":1,'), fc.constantFrom('}', ',"ts":2}', ',"y":3}'), (digits, before, after) => {
        const json = `{${before}"ts":${digits}${after}`;
        const value = JSON.parse(json).ts;
        should(jsonNumberText(json, '"ts":', value)).equal(String(value), json);
      }),
      { numRuns: 20000, seed: 23 },
    );
  });

  it('takes the written digits when they are the value, and String() of the value when they are not', function () {
    jsonNumberText('{"ts":1715126400.120000}', '"ts":', 1715126400.12).should.equal('1715126400.12');
    jsonNumberText('{"ts":1715126400.000000}', '"ts":', 1715126400).should.equal('1715126400');
    jsonNumberText('{"ts":1715126400.1}', '"ts":', 1715126400.2).should.equal('1715126400.2');
    jsonNumberText('{"uid":"x"}', '"ts":', 5).should.equal('5');
  });
});
