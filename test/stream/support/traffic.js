'use strict';
/** Generated Zeek conn.log traffic for the scale-out tests. */
const gen = require('../../../dist/tools/traffic-generator');
const { generateLines } = require('../../../dist/tools/log-lines');

/**
 * Zeek TSV lines (header first) of `noiseHosts` hosts and `count` beacons,
 * the i-th from 10.9.i.(10+i); `beacon(i)` gives its destination, port,
 * period and timing.
 */
function zeekTraffic({ seed, hours, count, beacon, noiseHosts = 8, noisePerHour = 30, disorderSeconds = 200 }) {
  const beacons = Array.from({ length: count }, (_, i) => ({
    src: `10.9.${i}.${10 + i}`,
    jitter: 0,
    jitterMode: 'one-sided',
    sentBytes: 300 + i,
    receivedBytes: 900 + i,
    user: '',
    ...beacon(i),
  }));
  return generateLines({ ...gen.DEFAULT_OPTIONS, seed, hours, beacons, noiseHosts, noisePerHour, disorderSeconds }, 'zeek-tsv');
}

module.exports = { zeekTraffic };
