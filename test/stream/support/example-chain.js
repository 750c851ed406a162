'use strict';
/** The detection the scale-out worker example runs, built as its worker node builds it (profile and changes). */
const fs = require('fs');
const path = require('path');
const { chainIdentity, chainNodes, chainSpec } = require('../../../dist/nodes/support/worker-profile');

function exampleWorker() {
  const file = path.join(__dirname, '..', '..', '..', 'examples', 'Scale-out on NATS worker.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')).find((n) => n.type === 'beacon-nats-worker');
}

/** `{ chain, chainId }` of a profile with changes (default: the worker example's), as StreamWorker options take them. */
function profileChain(profile = exampleWorker().profile, changes = exampleWorker().chain) {
  const nodes = chainNodes(profile, changes);
  return { chain: chainSpec(nodes), chainId: chainIdentity(nodes) };
}

module.exports = { exampleWorker, profileChain, EXAMPLE_CHAIN: profileChain() };
