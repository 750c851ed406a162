'use strict';
/**
 * An example's shipped hand-offs switched on and aimed at the test's real
 * receivers (support/receivers.js), and what a person must get from them:
 * one mail, one chat message and one SIEM line per alerting cell, none
 * empty, subjects within 120 characters, every SIEM line read back to its
 * alert by this package's parser and by a plain reading of its structured data.
 */
const fs = require('fs');
const path = require('path');
const should = require('should');
const { handoffIds } = require('../../../dist/dev/example-handoffs');
const { flushMarker, flushMarks } = require('./file-probe');
const { LogParser, DEFAULT_PARSER_OPTIONS } = require('../../../dist/core/parse/parser');
const { parseStructuredData } = require('../../../dist/core/alert/formats');

/**
 * Enables the e-mail, chat and SIEM hand-offs of the example whose ids start
 * with `prefix`: the e-mail hand-off feeds a node-red-node-email *e-mail*
 * node sending to the SMTP receiver, the webhook posts to the webhook
 * receiver, the SIEM tcp out writes to rsyslog. Changes `flow` in place.
 */
function enableHandoffs(flow, prefix, receivers) {
  const ids = handoffIds(prefix);
  const z = flow.find((n) => n.id === ids.notify).z;
  for (const n of flow) {
    if (n.id === ids.mail) Object.assign(n, { d: false, wires: [[`${prefix}_test_email`]] });
    if (n.id === ids.webhook) Object.assign(n, { d: false, url: receivers.webhook.url });
    if (n.id === ids.siem) Object.assign(n, { d: false, host: '127.0.0.1', port: String(receivers.rsyslog.port) });
  }
  flow.push({
    id: `${prefix}_test_email`,
    type: 'e-mail',
    z,
    server: '127.0.0.1',
    port: String(receivers.smtp.port),
    secure: false,
    tls: false,
    authtype: 'NONE',
    name: '',
    dname: 'soc',
    wires: [],
  });
  return flow;
}

/**
 * A flush marker per scorer of the example: when the flush leaves a scorer (on
 * whichever output carries control messages), FLUSH_MARK is written into that
 * scorer's alert file, after every alert row it sent before the flush.
 */
function markFlushes(flow, prefix) {
  const z = flow.find((n) => n.id === handoffIds(prefix).notify).z;
  const files = new Set(flow.filter((n) => n.type === 'file').map((n) => n.id));
  flow
    .filter((n) => n.type === 'beacon-scorer')
    .forEach((s, i) => {
      const file = s.wires[0].find((id) => files.has(id));
      if (!file) throw new Error(`${s.id}: no file node on the alert output to mark the flush in`);
      for (const w of s.wires) w.push(`${prefix}_test${i}_flushed`);
      flow.push(...flushMarker(`${prefix}_test${i}`, z, [file]));
    });
  return flow;
}

/** How many flushes `markFlushes` has marked in the alert files in `dir`. */
const flushCount = (dir) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('beacon-alerts'))
    .reduce((n, f) => n + flushMarks(path.join(dir, f)), 0);

/** Alert rows the examples' file nodes wrote in `dir` (batches as arrays), early and final. */
function alertRows(dir) {
  const rows = [];
  for (const f of fs.readdirSync(dir).filter((f) => f.startsWith('beacon-alerts'))) {
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) if (/^[[{]/.test(line)) rows.push(...[].concat(JSON.parse(line)));
  }
  return rows;
}

/** The e-mail node as a user installs it: node-red-node-email in the user directory's node_modules. */
function installEmailNode(userDir) {
  fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  fs.symlinkSync(path.dirname(require.resolve('node-red-node-email/package.json')), path.join(userDir, 'node_modules', 'node-red-node-email'), 'dir');
}

/** How much each receiver holds now (to count what arrives after). */
function receiverCounts(receivers) {
  return { mails: receivers.smtp.mails.length, posts: receivers.webhook.posts.length, lines: receivers.rsyslog.lines().length };
}

/** What the receivers got since `before`. */
function receivedSince(receivers, before) {
  return {
    mails: receivers.smtp.mails.slice(before.mails),
    posts: receivers.webhook.posts.slice(before.posts),
    lines: receivers.rsyslog.lines().slice(before.lines),
  };
}

/** The AlertId a mail's text names. */
const mailAlertId = (mail) => mail.text.match(/Alert id:?\s*(\S+)/i)?.[1];

/** The AlertIds a chat post names (each attachment's footer). */
const postAlertIds = (post) => (post.body?.attachments ?? []).map((a) => String(a.footer ?? '').match(/AlertId (\S+)/)?.[1]).filter(Boolean);

/** What the receivers got that belongs to the cells of `cells` (a Set of AlertIds). */
function receivedFor(got, cells) {
  return {
    mails: got.mails.filter((m) => cells.has(mailAlertId(m))),
    posts: got.posts.filter((p) => postAlertIds(p).some((id) => cells.has(id))),
    lines: got.lines.filter((l) => cells.has(plainStructuredData(l)?.alertId)),
  };
}

/** The SIEM line's SD-PARAMs read with nothing of this package: a regular expression over the netbeacon SD-ELEMENT. */
function plainStructuredData(line) {
  const element = /\[netbeacon@32473((?:\s[^\s="\]]+="(?:[^"\\]|\\.)*")*)\]/.exec(line);
  if (!element) return null;
  const params = {};
  for (const m of element[1].matchAll(/\s([^\s="\]]+)="((?:[^"\\]|\\.)*)"/g)) params[m[1]] = m[2].replace(/\\(.)/g, '$1');
  return params;
}

/**
 * One mail, one chat post and one SIEM line per cell of `cells` (a Set of
 * AlertIds), none empty, each subject within 120 characters; each SIEM line
 * parses back (our parser: a record whose ExternalID is the AlertId; a plain
 * reading: the same alertId, source and destination).
 */
function expectOnePerCell({ mails, posts, lines }, cells, rows = []) {
  mails.length.should.equal(cells.size, 'one mail per alerting cell');
  for (const m of mails) {
    m.subject.length.should.be.within(1, 120);
    m.text.should.match(/Alert id/i);
    m.html.should.match(/<svg|<table/);
  }
  new Set(mails.map(mailAlertId)).should.eql(cells);

  posts.length.should.equal(cells.size, 'one chat post per alerting cell');
  for (const p of posts) {
    p.method.should.equal('POST');
    p.body.should.be.an.Object();
    String(p.body.text).length.should.be.above(0);
  }
  new Set(posts.flatMap(postAlertIds)).should.eql(cells);

  lines.length.should.equal(cells.size, 'one SIEM line per alerting cell');
  const parser = new LogParser({ ...DEFAULT_PARSER_OPTIONS });
  const ids = new Set();
  const byId = new Map(rows.map((r) => [r.AlertId, r]));
  for (const line of lines) {
    const sd = parseStructuredData(line);
    should.exist(sd, `structured data in ${line.slice(0, 120)}`);
    const plain = plainStructuredData(line);
    should.exist(plain, `a plain reading of ${line.slice(0, 120)}`);
    plain.should.eql(sd);
    ids.add(sd.alertId);
    const parsed = parser.parseLine(line);
    parsed.kind.should.equal('record', `our parser reads the SIEM line back: ${line.slice(0, 160)}`);
    parsed.record.ExternalID.should.equal(sd.alertId);
    const row = byId.get(sd.alertId);
    if (row) {
      plain.src.should.equal(String(row.SourceIP ?? row.LocalIP));
      plain.dst.should.startWith(String(row.DestinationIP ?? row.RemoteNetwork ?? row.RemoteIP).split('/')[0]);
    }
  }
  ids.should.eql(cells);
}

module.exports = {
  enableHandoffs,
  markFlushes,
  flushCount,
  alertRows,
  installEmailNode,
  receiverCounts,
  receivedSince,
  receivedFor,
  expectOnePerCell,
  mailAlertId,
  postAlertIds,
  plainStructuredData,
};
