'use strict';
// Prints the heap growth per pair of the site mix (pair_memory_spec.js), measured in a fresh process with --expose-gc.
const { bytesPerEntry } = require('../../../dist/dev/memory-growth');

const { siteMix } = require('./site-mix');
process.stdout.write(`${bytesPerEntry((n) => siteMix(n), 20_000, 200_000, 3)}\n`);
