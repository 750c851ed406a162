'use strict';
const { StreamWorker } = require('../../../dist/stream/worker');

/**
 * A StreamWorker with what it hands over collected: every row (alerts and
 * the rest), the partitions whose flush came out, errors with their
 * partition. Its `abandon` (a crash: no checkpoint, no release) is pushed on
 * `open` for the suite to call after the test.
 */
function collectingWorker(clients, options, open) {
  const got = { rows: [], flushed: new Set(), errors: [] };
  const worker = new StreamWorker(
    clients,
    { leaseSeconds: 2, checkpointMessages: 3, ...options },
    {
      output: (p, out) => got.rows.push(...out.alerts, ...out.rows),
      control: (p, flags) => flags.flush && got.flushed.add(p),
      warn: () => undefined,
      error: (err, p) => got.errors.push({ err, p }),
    },
  );
  open.push(() => worker.abandon());
  return { worker, got };
}

module.exports = { collectingWorker };
