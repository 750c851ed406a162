import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { RECORD_COLUMNS } from '../core/parse/columns';
import { LogParser } from '../core/parse/parser';
import { FrameSplitter } from '../core/parse/syslog';
import { describeValue, LogRecord } from '../core/common/records';
import { carried, compact, configure, controlFlags, errorMessage, sendEach, StatusReporter } from './node-support';
import { parseOne, parserOptions, unparsedMessage } from './parse-settings';
import { readSettings } from './settings/read';
import { catalog } from './support/i18n';

const MAX_SESSIONS = 1000;

/** Lines of a message: a string or Buffer (split on new lines), or an array of them. */
function linesOf(payload: unknown): string[] | null {
  if (typeof payload === 'string') return payload.split('\n');
  if (Buffer.isBuffer(payload)) return payload.toString('utf8').split('\n');
  if (Array.isArray(payload)) {
    const out: string[] = [];
    for (const item of payload) {
      if (typeof item === 'string') out.push(...item.split('\n'));
      else if (Buffer.isBuffer(item)) out.push(...item.toString('utf8').split('\n'));
      else return null;
    }
    return out;
  }
  return null;
}

/** beacon-parse: syslog / CEF / PAN-OS CSV / Zeek lines → records. */
export = function register(RED: NodeAPI): void {
  function BeaconParse(this: Node, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const s = configure(RED, node, 'beacon-parse', () => readSettings('beacon-parse', config, catalog(RED)));
    if (!s) return;
    const parser = new LogParser(parserOptions(s));
    const stream = s.text('input') === 'stream';
    const batch = s.text('output') === 'batch';
    const splitters = new Map<string, FrameSplitter>();
    let parsed = 0;
    let failed = 0;
    const status = new StatusReporter(node, () => ({
      fill: failed > 0 ? 'yellow' : 'green',
      shape: 'dot',
      text: `${compact(parsed)} parsed · ${compact(failed)} failed`,
    }));

    /** Complete frames of a TCP chunk, per connection (msg._session.id). */
    function framesOf(msg: NodeMessage, payload: unknown): string[] | null {
      if (!stream) return linesOf(payload);
      const chunk = Buffer.isBuffer(payload) ? payload : typeof payload === 'string' ? payload : null;
      if (chunk === null) return linesOf(payload);
      const session = String((msg as { _session?: { id?: unknown } })._session?.id ?? 'default');
      let splitter = splitters.get(session);
      if (!splitter) {
        if (splitters.size >= MAX_SESSIONS) splitters.delete(splitters.keys().next().value as string);
        splitters.set(session, (splitter = new FrameSplitter()));
      }
      const { frames, overflow } = splitter.push(chunk);
      if (overflow > 0) node.warn(`dropped ${overflow} bytes of an oversized frame (session ${describeValue(session, 40)})`);
      return frames;
    }

    node.on('input', (msg, send, done) => {
      const fail = (err: Error) => {
        node.error(err, errorMessage(msg, err));
        done();
      };
      const flags = controlFlags(msg);
      if (flags.reset) {
        parser.reset();
        splitters.clear();
        parsed = failed = 0;
      }
      const control = flags.control;
      let lines = msg.payload === undefined && control ? [] : framesOf(msg, msg.payload);
      if (lines === null) {
        if (!control) return fail(new Error(`msg.payload must be a string, a Buffer or an array of them, not ${describeValue(msg.payload, 40)}`));
        lines = [];
      }
      if (flags.flush) for (const s of splitters.values()) lines.push(...s.end());

      const records: LogRecord[] = [];
      const rejected: NodeMessage[] = [];
      let firstError = '';
      for (const line of lines) {
        const reason = parseOne(parser, line, records);
        if (reason === null) continue;
        failed++;
        rejected.push(unparsedMessage(line, reason));
        if (!firstError) firstError = `${reason}: ${describeValue(line, 120)}`;
      }
      parsed += records.length;
      const base = carried(msg);
      const out1: NodeMessage[] = batch
        ? records.length
          ? [{ ...base, payload: records } as NodeMessage]
          : []
        : records.map((r) => ({ ...base, payload: r }) as NodeMessage);
      if (control) {
        delete msg.payload;
        out1.push(msg as NodeMessage);
      }
      sendEach(send, [out1, rejected]);
      if (rejected.length) {
        const err = new Error(`${rejected.length} of ${lines.length} lines not parsed; first: ${firstError}`);
        node.error(err, errorMessage(msg, err));
      }
      if (control) status.now();
      else status.update();
      done();
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      splitters.clear();
      status.close();
      done();
    });
  }
  // the column names for the editor's field-name completion (RED.settings.beaconParseColumns);
  // a settings.js entry of that name replaces them, e.g. to add a log's own columns
  RED.nodes.registerType('beacon-parse', BeaconParse, { settings: { beaconParseColumns: { value: RECORD_COLUMNS, exportable: true } } });
};
