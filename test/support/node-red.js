'use strict';
/**
 * The Node-RED the tests run against: this project's dev dependency (4.1),
 * or the install named by NODE_RED_DIR (a node-red package directory; the
 * Node-RED 5 matrix step of .ci/run sets it). Loaded first by mocha
 * (.mocharc.json "require"), so node-red-node-test-helper, the core nodes
 * the tests borrow and the e2e/browser processes all use the same one.
 */
const path = require('path');
const helper = require('node-red-node-test-helper');

const ROOT = path.join(__dirname, '..', '..');
const NODE_RED_DIR = process.env.NODE_RED_DIR
  ? path.resolve(process.env.NODE_RED_DIR)
  : path.dirname(require.resolve('node-red/package.json', { paths: [ROOT] }));

/** Resolves a module as the chosen Node-RED sees it (e.g. '@node-red/nodes/package.json'). */
const resolveInNodeRed = (id) => require.resolve(id, { paths: [NODE_RED_DIR] });

/** The directory of Node-RED's core nodes (@node-red/nodes). */
const CORE_NODES = path.dirname(resolveInNodeRed('@node-red/nodes/package.json'));

const VERSION = require(path.join(NODE_RED_DIR, 'package.json')).version;

// the helper found the project's own Node-RED when first required; point it at the chosen one
// (the first stays loaded, unused: no flow ever runs on it)
if (process.env.NODE_RED_DIR) {
  helper.init(require.resolve(NODE_RED_DIR));
  if (helper._RED.version() !== VERSION) throw new Error(`node-red-node-test-helper loaded Node-RED ${helper._RED.version()}, not ${VERSION}`);
  console.log(`  tests run against Node-RED ${VERSION} (${NODE_RED_DIR}) under Node ${process.version}`);
}

module.exports = { NODE_RED_DIR, CORE_NODES, VERSION, resolveInNodeRed, redScript: path.join(NODE_RED_DIR, 'red.js') };
