'use strict';
const should = require('should');
const { parseEventTime, datetimeDiffSeconds, binStart, isoFromSeconds, compareTime, fromEpochSeconds } = require('../../dist/core/common/time');

const t = (text) => {
  const v = parseEventTime(text);
  should.exist(v, text);
  return v;
};

describe('core/time', function () {
  describe("datetime_diff('second') — the KQL documentation's vectors", function () {
    it("'second', 2017-10-30 23:00:10.100 − 23:00:00.900 = 10 (boundaries, not 9.2 s)", function () {
      datetimeDiffSeconds(t('2017-10-30 23:00:10.100'), t('2017-10-30 23:00:00.900')).should.equal(10);
    });
    it('counts second boundaries for the minute, hour and day examples expressed in seconds', function () {
      // 'minute' 23:05:01 vs 23:00:59 is 5 minutes of boundaries; in seconds the floors differ by 242
      datetimeDiffSeconds(t('2017-10-30 23:05:01'), t('2017-10-30 23:00:59')).should.equal(242);
      datetimeDiffSeconds(t('2017-10-31 01:00'), t('2017-10-30 23:59')).should.equal(3660);
      datetimeDiffSeconds(t('2017-10-29 00:00'), t('2017-09-30 23:59')).should.equal(28 * 86400 + 60);
    });
    it('is negative when the first datetime is earlier (sign convention of the nanosecond example)', function () {
      datetimeDiffSeconds(t('2017-10-30 23:00:00.0000000'), t('2017-10-30 23:00:00.0000007')).should.equal(0);
      datetimeDiffSeconds(t('2017-10-30 23:00:00'), t('2017-10-30 23:00:10')).should.equal(-10);
    });
    it('12:00:00.900 → 12:00:11.100 is 11 and passes > 10 (elapsed time would give 10)', function () {
      datetimeDiffSeconds(t('2024-01-01T12:00:11.100Z'), t('2024-01-01T12:00:00.900Z')).should.equal(11);
    });
    it('keeps 7 fractional digits for ordering (the millisecond and microsecond examples)', function () {
      compareTime(t('2017-10-30 23:00:00.200100'), t('2017-10-30 23:00:00.100900')).should.be.above(0);
      compareTime(t('2017-10-30 23:00:00.1009001'), t('2017-10-30 23:00:00.1008009')).should.be.above(0);
      t('2017-10-30 23:00:00.1009001').ticks.should.equal(1009001);
    });
    it('floors before 1970 (floor, not truncation)', function () {
      datetimeDiffSeconds(t('1969-12-31T23:59:59.500Z'), t('1969-12-31T23:59:58.900Z')).should.equal(1);
      t('1969-12-31T23:59:59.500Z').sec.should.equal(-1);
    });
  });

  describe('parseEventTime', function () {
    it('reads ISO 8601 in UTC, with offsets, without a zone (UTC), epoch ms and Date', function () {
      const base = Date.UTC(2024, 4, 8, 10, 0, 0) / 1000;
      t('2024-05-08T10:00:00Z').should.eql({ sec: base, ticks: 0 });
      t('2024-05-08T12:00:00+02:00').should.eql({ sec: base, ticks: 0 });
      t('2024-05-08T05:30:00-0430').should.eql({ sec: base, ticks: 0 });
      t('2024-05-08 10:00:00').should.eql({ sec: base, ticks: 0 });
      parseEventTime(base * 1000 + 250).should.eql({ sec: base, ticks: 2500000 });
      parseEventTime(new Date(base * 1000)).should.eql({ sec: base, ticks: 0 });
      fromEpochSeconds(1517336047.123456).should.eql({ sec: 1517336047, ticks: 1234560 });
    });
    it('rejects garbage, impossible dates and non-finite numbers', function () {
      for (const bad of [
        '',
        'yesterday',
        '2024-02-30T00:00:00Z',
        '2024-13-01T00:00:00Z',
        '2024-05-08T24:00:00Z',
        '2024-05-08T10:00:00+25:00',
        NaN,
        Infinity,
        null,
        undefined,
        {},
        [],
        true,
        'x'.repeat(1e6),
      ]) {
        should(parseEventTime(bad)).equal(null, String(bad).slice(0, 30));
      }
    });
    it('accepts leap days', function () {
      should.exist(parseEventTime('2024-02-29T00:00:00Z'));
      should(parseEventTime('2023-02-29T00:00:00Z')).equal(null);
    });
  });

  it('reads the common UTC form exactly like the general parser (property over 20,000 timestamps)', function () {
    const fc = require('fast-check');
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-12-31T23:59:59Z'), noInvalidDate: true }),
        fc.constantFrom('', '.', '.1', '.12', '.1234567', '.123456789'),
        fc.constantFrom('Z', '+00:00'),
        (d, frac, zone) => {
          const base = d.toISOString().slice(0, 19);
          const digits = frac === '.' ? '' : frac;
          const fast = parseEventTime(base + digits + 'Z'); // fast path
          const general = parseEventTime(base + digits + '+00:00'); // regex path, same instant
          should(fast).eql(general);
          fast.sec.should.equal(Math.floor(d.getTime() / 1000));
        },
      ),
      { numRuns: 20000, seed: 7 },
    );
  });

  it('bins floor to UTC hours and print as ISO', function () {
    const s = t('2024-05-08T10:59:59.9999999Z').sec;
    isoFromSeconds(binStart(s, 3600)).should.equal('2024-05-08T10:00:00Z');
    isoFromSeconds(binStart(s + 1, 3600)).should.equal('2024-05-08T11:00:00Z');
    isoFromSeconds(binStart(s, 86400)).should.equal('2024-05-08T00:00:00Z');
  });
});
