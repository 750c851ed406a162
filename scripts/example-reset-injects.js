#!/usr/bin/env node
// Gives every example flow a "reset" inject and makes each replay inject reset
// first, so that a second replay starts from clean state instead of sending
// every record to the late output (the watermark stays at the end of the first
// replay otherwise). The reset enters the first node after the file reader,
// along the wires the records take, before the reader has sent any line.
// Idempotent; run `node dist/dev/complete-examples.js` afterwards for the layout.
'use strict';
const fs = require('fs');
const path = require('path');

const dir = path.join(__dirname, '..', 'examples');
const RESET = { p: 'reset', v: 'true', vt: 'bool' };

for (const name of fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const file = path.join(dir, name);
  const flow = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(flow.map((n) => [n.id, n]));
  const injects = flow.filter((n) => n.type === 'inject');
  const replays = injects.filter((n) => /^replay\b/.test(n.name || ''));
  const flush = injects.find((n) => (n.props || []).some((p) => p.p === 'flush'));
  // where a reset goes in: after the file reader for a replay, else where the flush inject sends
  let target = null;
  for (const inject of replays) {
    const reader = byId.get(inject.wires[0][0]);
    const after = reader && reader.type === 'file in' ? reader.wires[0][0] : null;
    if (!after) continue;
    target = target || after;
    if (!inject.props.some((p) => p.p === 'reset')) inject.props.push({ ...RESET });
    if (!inject.wires[0].includes(after)) inject.wires[0].push(after);
  }
  target = target || (flush && flush.wires[0][0]);
  const changed = replays.length > 0 || target;
  if (target && !injects.some((n) => n.name === 'reset')) {
    const anchor = replays[0] || flush;
    flow.splice(flow.indexOf(anchor) + 1, 0, {
      id: `${anchor.id.replace(/_[^_]+$/, '')}_reset`,
      type: 'inject',
      z: anchor.z,
      name: 'reset',
      props: [{ ...RESET }],
      repeat: '',
      crontab: '',
      once: false,
      onceDelay: 0.1,
      topic: '',
      x: anchor.x,
      y: anchor.y + 60,
      wires: [[target]],
    });
  }
  if (changed) fs.writeFileSync(file, `${JSON.stringify(flow, null, 4)}\n`);
  console.log(`${changed ? 'reset inject' : 'no replay or flush inject'}  ${name}`);
}
