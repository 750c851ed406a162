'use strict';
// Prints the heap growth per pair of the site mix (pair_memory_spec.js), measured in a fresh process with --expose-gc.
const { bytesPerEntry } = require('../../../dist/dev/memory-growth');

global.describe = () => {}; // the spec's describe blocks are not run here: only its siteMix is used
const { siteMix } = require('./pair_memory_spec');
process.stdout.write(`${bytesPerEntry((n) => siteMix(n), 20_000, 200_000, 3)}\n`);
