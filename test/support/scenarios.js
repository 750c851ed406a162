'use strict';
/**
 * Traffic scenarios the live and forged-time tests share: three hours with
 * one steady 60 s beacon among a little noise.
 */
const { DEFAULT_OPTIONS } = require('../../dist/tools/traffic-generator');

/** One 60 s beacon from `src` to `dst`:443 (user corp\\svc), three noise hosts at 20 connections an hour. */
function beaconScenario(seed, src = '10.0.0.4', dst = '52.239.1.10') {
  return {
    ...DEFAULT_OPTIONS,
    seed,
    hours: 3,
    noiseHosts: 3,
    noisePerHour: 20,
    beacons: [
      {
        src,
        dst,
        port: 443,
        periodSeconds: 60,
        jitter: 0,
        jitterMode: 'one-sided',
        startOffsetSeconds: 120,
        durationSeconds: 10000,
        sentBytes: 500,
        receivedBytes: 900,
        user: 'corp\\svc',
      },
    ],
  };
}

module.exports = { beaconScenario };
