'use strict';
const should = require('should');
const fc = require('fast-check');
const ipaddr = require('ipaddr.js');
const { kqlPublicDropReason, publicDropReason, CidrSet, dottedQuad } = require('../../dist/core/common/address');

describe('core/address', function () {
  describe('kql mode: ipv4_is_private(x) == false', function () {
    it('follows the documentation examples', function () {
      // ipv4_is_private('192.168.1.1/24') == true, ('10.1.2.3/24') == true → dropped
      kqlPublicDropReason('192.168.1.1/24').should.equal('private');
      kqlPublicDropReason('10.1.2.3/24').should.equal('private');
      // '202.1.2.3' and '127.0.0.1' are not private → kept
      should(kqlPublicDropReason('202.1.2.3')).equal(null);
      should(kqlPublicDropReason('127.0.0.1')).equal(null);
    });
    it('drops exactly RFC 1918 and keeps every other IPv4 range', function () {
      for (const priv of ['10.0.0.0', '10.255.255.255', '172.16.0.1', '172.31.255.255', '192.168.0.0', '192.168.255.255']) {
        kqlPublicDropReason(priv).should.equal('private', priv);
      }
      for (const kept of [
        '9.255.255.255',
        '11.0.0.0',
        '172.15.255.255',
        '172.32.0.0',
        '192.167.255.255',
        '192.169.0.0',
        '169.254.1.1',
        '100.64.0.1',
        '0.0.0.0',
        '224.0.0.1',
        '255.255.255.255',
        '8.8.8.8',
      ]) {
        should(kqlPublicDropReason(kept)).equal(null, kept);
      }
    });
    it('applies a prefix as a mask before testing', function () {
      should(kqlPublicDropReason('172.16.0.1/8')).equal(null); // → 172.0.0.0, not private
      should(kqlPublicDropReason('10.1.2.3/0')).equal(null); // → 0.0.0.0
      kqlPublicDropReason('192.168.1.1/16').should.equal('private');
      should(kqlPublicDropReason('203.0.113.9/24')).equal(null);
    });
    it('drops IPv6, empty, missing and unparseable values', function () {
      kqlPublicDropReason('2606:4700:4700::1111').should.equal('ipv6');
      kqlPublicDropReason('::ffff:8.8.8.8').should.equal('ipv6');
      kqlPublicDropReason('').should.equal('missing');
      kqlPublicDropReason(undefined).should.equal('missing');
      kqlPublicDropReason(null).should.equal('missing');
      for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '010.1.2.3', '1.2.3.4/33', '1.2.3.4/', ' 8.8.8.8', 'example.com', 42, {}]) {
        kqlPublicDropReason(bad).should.equal('invalid', String(bad));
      }
    });
  });

  describe('public mode: globally routable unicast only', function () {
    it('keeps routable IPv4 and IPv6', function () {
      should(publicDropReason('8.8.8.8')).equal(null);
      should(publicDropReason('2606:4700:4700::1111')).equal(null);
    });
    it('drops special ranges with their name', function () {
      publicDropReason('10.1.1.1').should.equal('private');
      publicDropReason('127.0.0.1').should.equal('loopback');
      publicDropReason('169.254.1.1').should.equal('linkLocal');
      publicDropReason('100.64.0.1').should.equal('carrierGradeNat');
      publicDropReason('224.0.0.1').should.equal('multicast');
      publicDropReason('0.0.0.0').should.equal('unspecified');
      publicDropReason('255.255.255.255').should.equal('broadcast');
      publicDropReason('fd00::1').should.equal('uniqueLocal');
      publicDropReason('fe80::1').should.equal('linkLocal');
      publicDropReason('::1').should.equal('loopback');
      publicDropReason('::ffff:10.0.0.1').should.equal('private');
      publicDropReason('1.2.3').should.equal('invalid');
    });
  });

  describe('CidrSet', function () {
    it('matches IPv4 and IPv6 blocks and single addresses', function () {
      const set = new CidrSet(['17.253.0.0/16', '2606:4700::/32', '91.189.91.157']);
      set.contains('17.253.4.125').should.be.true();
      set.contains('17.254.0.1').should.be.false();
      set.contains('2606:4700:4700::1111').should.be.true();
      set.contains('91.189.91.157').should.be.true();
      set.contains('::ffff:17.253.1.1').should.be.true();
      set.contains('garbage').should.be.false();
      set.contains(undefined).should.be.false();
    });
    it('names the entry it cannot read', function () {
      (() => new CidrSet(['10.0.0.0/8', 'nonsense/99'])).should.throw(/nonsense\/99/);
    });
  });

  it('reads dotted quads by character code exactly as ipaddr.js validates and parses them (property)', function () {
    const text = fc.oneof(
      fc.stringMatching(/^[0-9.]{0,16}$/),
      fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300), fc.nat(300)).map((o) => o.join('.')),
      fc.string({ maxLength: 16 }),
    );
    fc.assert(
      fc.property(text, (s) => {
        const ours = dottedQuad(s);
        const valid = ipaddr.IPv4.isValidFourPartDecimal(s);
        should(ours >= 0).equal(valid, s);
        if (valid)
          should(ours).equal(
            ipaddr.IPv4.parse(s)
              .toByteArray()
              .reduce((a, b) => a * 256 + b, 0),
          );
      }),
      { numRuns: 20000 },
    );
    dottedQuad('01.2.3.4').should.equal(-1);
    dottedQuad('255.255.255.255').should.equal(4294967295);
  });
});
