'use strict';
// The site bench's split of CPU by thread: the main thread's own time, and every thread's on the same clock.

const assert = require('assert');
const fs = require('fs');
const { Worker } = require('worker_threads');
const { threadCpuSeconds, processCpuSeconds } = require('../../dist/dev/bench-site-red');

/** Busy work: a thread's CPU time has to move by it (a count, not a duration). */
const SPIN = 'let x = 0; for (let i = 0; i < 3e7; i++) x = (x + i * 7) % 1000003;';

describe('CPU by thread (bench-site-red)', function () {
  this.timeout(30000);

  before(function () {
    if (!fs.existsSync('/proc/thread-self/schedstat')) {
      console.log('      (skipped: no /proc/thread-self/schedstat on this system)');
      this.skip();
    }
  });

  it("counts a worker thread's work in every thread's time and not in the main thread's", async function () {
    const main0 = threadCpuSeconds();
    const all0 = processCpuSeconds();
    assert.ok(all0 >= main0, `every thread's ${all0} s, the main thread's ${main0} s`);
    const worker = new Worker(`${SPIN} require('worker_threads').parentPort.postMessage(x);`, { eval: true });
    // the worker's time is read before it ends: an ended thread leaves the listing
    const workerCpu = await new Promise((resolve, reject) => {
      worker.once('message', () => resolve(processCpuSeconds() - all0 - (threadCpuSeconds() - main0)));
      worker.once('error', reject);
    });
    await worker.terminate();
    const mainSpent = threadCpuSeconds() - main0;
    // the main thread only waited; the worker spun 3e7 rounds, far more than the main thread's waiting
    assert.ok(workerCpu > mainSpent, `other threads ${workerCpu} s, the main thread ${mainSpent} s`);
  });

  it("counts the main thread's own work in both", function () {
    // every thread's time read first at the start and last at the end, so its interval holds the main
    // thread's (read the other way round, the reads' own time on the main thread could tip it, by ~50 µs)
    const all0 = processCpuSeconds();
    const main0 = threadCpuSeconds();
    new Function(SPIN)();
    const main = threadCpuSeconds() - main0;
    const all = processCpuSeconds() - all0;
    assert.ok(main > 0, `the main thread's ${main} s`);
    assert.ok(all >= main, `every thread's ${all} s, the main thread's ${main} s`);
  });
});
