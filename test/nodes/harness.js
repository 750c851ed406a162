'use strict';
const should = require('should');
const helper = require('node-red-node-test-helper');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const node = (name) => require(path.join(ROOT, 'dist', 'nodes', `${name}.js`));
const { CORE_NODES } = require('../support/node-red');
const catchNode = require(path.join(CORE_NODES, 'core', 'common', '25-catch.js'));

/** A flow: the node under test (id n1) wired to probes o1, o2, with a Catch node feeding c1. */
function flowWith(type, config) {
  return [
    { id: 'f1', type: 'tab' },
    { id: 'n1', z: 'f1', type, name: 'under test', ...config, wires: [['o1'], ['o2']] },
    { id: 'o1', z: 'f1', type: 'helper' },
    { id: 'o2', z: 'f1', type: 'helper' },
    { id: 'k1', z: 'f1', type: 'catch', scope: null, uncaught: false, wires: [['c1']] },
    { id: 'c1', z: 'f1', type: 'helper' },
  ];
}

/**
 * Sends messages to n1, ending with a flush, and collects what each probe
 * received until the flush comes out (output 1; the scorer's output 2, which
 * keeps control messages away from its alert hand-offs).
 */
function exchange(messages, { flush = true } = {}) {
  const n1 = helper.getNode('n1');
  const got = { o1: [], o2: [], c1: [] };
  return new Promise((resolve, reject) => {
    for (const id of ['o1', 'o2', 'c1']) {
      helper.getNode(id).on('input', (msg) => {
        got[id].push(msg);
        if (id !== 'c1' && msg.flush) setImmediate(() => resolve(got));
      });
    }
    for (const m of messages) n1.receive(m);
    if (flush) n1.receive({ flush: true });
    else setImmediate(() => setImmediate(() => setImmediate(() => resolve(got))));
    setTimeout(() => reject(new Error('no flush came out')), 5000).unref();
  });
}

/** Payload records of the messages, flattened (arrays and singles alike), control messages left out. */
const records = (msgs) => msgs.filter((m) => !m.flush && !m.reset).flatMap((m) => [].concat(m.payload));

/** The error messages node `id` logged so far. */
const errorsOf = (id) =>
  helper
    .log()
    .args.filter((a) => a[0].level === helper.log().ERROR && a[0].id === id)
    .map((a) => a[0].msg);

module.exports = { helper, should, node, catchNode, flowWith, exchange, records, errorsOf };
