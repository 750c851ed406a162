'use strict';
/**
 * A Zeek JSON line's time is read from the parsed number, not by writing it
 * back as text: where that reading answers, it must give the ISO text and ms
 * that String(number) gives, whatever number the line held (written
 * microseconds, nanoseconds, trailing zeros, exponents, values near the
 * limits); and it answers for Zeek's usual ts.
 */
const fc = require('fast-check');
require('should');
const { epochTimeOfSeconds, isoFromEpochSecondsText, epochMsOfSecondsText } = require('../../dist/core/parse/timestamps');

/** a number as a JSON writer may write it */
const written = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 9999999999 }), fc.integer({ min: 0, max: 9 }), fc.nat())
    .map(([s, digits, f]) => (digits === 0 ? String(s) : `${s}.${String(f).padStart(digits, '0').slice(-digits)}`)),
  fc.double({ min: 0, max: 5e9, noNaN: true }).map(String),
  fc.constantFrom(
    '4294967295.999999',
    '4294967295.9999999',
    '4294967296.000001',
    '1715126400.000000',
    '1715126400.120000',
    '1715126400.9999996',
    '1e9',
    '1.7151264E9',
    '-1715126400.5',
    '0.5',
    '0.000001',
    '1',
  ),
);

describe('core/parse: a JSON epoch time from the parsed number', function () {
  it('gives the ISO text and ms of String(value) for every number a line may hold', function () {
    let read = 0;
    fc.assert(
      fc.property(written, (digits) => {
        const value = JSON.parse(digits);
        const time = { iso: '', ms: 0 };
        if (!epochTimeOfSeconds(value, time)) return;
        read++;
        const text = String(value);
        time.should.eql({ iso: isoFromEpochSecondsText(text), ms: epochMsOfSecondsText(text) }, digits);
      }),
      { numRuns: 20000, seed: 23 },
    );
    read.should.be.above(2000); // it answers for many, not only the trivial ones
  });

  it("answers for Zeek's ts (microseconds, trailing zeros) and leaves the rest to String()", function () {
    const time = { iso: '', ms: 0 };
    epochTimeOfSeconds(1715126400.12, time).should.be.true();
    time.should.eql({ iso: '2024-05-08T00:00:00.1200000Z', ms: 1715126400120 });
    epochTimeOfSeconds(1715126400, time).should.be.true();
    time.should.eql({ iso: '2024-05-08T00:00:00.0000000Z', ms: 1715126400000 });
    epochTimeOfSeconds(1715126401.988041, time).should.be.true();
    time.should.eql({ iso: '2024-05-08T00:00:01.9880410Z', ms: 1715126401988 });
    epochTimeOfSeconds(Number('1715126400.123456789'), time).should.be.false();
    epochTimeOfSeconds(Number('1715126400.9999996'), time).should.be.false();
    epochTimeOfSeconds(0.5, time).should.be.false();
    epochTimeOfSeconds(4294967296, time).should.be.false();
    epochTimeOfSeconds(NaN, time).should.be.false();
  });
});
