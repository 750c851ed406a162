'use strict';
// The site mix of pairs the memory test measures (pair_memory_spec.js, pair_memory-measure.js).
const { PairHistory } = require('../../../dist/core/pairs');
const { Random } = require('../../../dist/tools/random');

const T0 = Date.UTC(2024, 4, 6) / 1000;
const HOURS = 72;

/**
 * n pairs of a site's mix over 72 h: 80 % seen once (browsing), 15 % seen
 * 2-6 times, 5 % seen 7-2,000 times (pollers and beacons, log-uniform).
 */
function siteMix(n, options = {}) {
  const h = new PairHistory(options);
  const rnd = new Random(n);
  const key = [null, null, 443];
  for (let i = 0; i < n; i++) {
    key[0] = `10.${i % 250}.${(i >> 8) & 255}.${i & 255}`;
    key[1] = `${40 + (i % 150)}.${(i >> 8) & 255}.${i & 255}.0/24`;
    const kind = i % 100;
    const connections = kind < 80 ? 1 : kind < 95 ? rnd.int(2, 6) : Math.round(Math.exp(rnd.next() * Math.log(2000 / 7)) * 7);
    const span = HOURS * 3600;
    let t = T0 + rnd.next() * span * 0.1;
    const step = (span * 0.9) / connections;
    for (let c = 0; c < connections; c++, t += step * (0.8 + 0.4 * rnd.next())) h.addEvent(key, t);
  }
  return h;
}

module.exports = { siteMix };
