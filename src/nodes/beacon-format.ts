import * as os from 'os';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { AlertFormat, formatAlerts, FormatOptions, framed, Framing } from '../core/alert/formats';
import { isRecord } from '../core/common/records';
import { compact, refuseSettings } from './node-support';
import { readSettings } from './settings/read';
import { catalog } from './support/i18n';

/** What the scorer puts on an alert message beside the row(s): what decided. */
interface RuleInfo {
  name?: unknown;
  thresholds?: unknown;
}

const VERSION = (() => {
  try {
    return String((require('../../package.json') as { version?: unknown }).version ?? '0');
  } catch {
    return '0';
  }
})();

/**
 * beacon-format: turns the scorer's alert messages into e-mail, chat,
 * ECS, CEF or RFC 5424 syslog messages. An adapter only: the words and
 * fields come from core/alert. Control messages (flush, reset, checkpoint)
 * end here: a hand-off node must never receive one.
 */
export = function register(RED: NodeAPI): void {
  function BeaconFormat(this: Node, config: NodeDef) {
    RED.nodes.createNode(this, config);
    // checked against the settings table (settings/format.ts), as the editor checks them
    let settings: { format: AlertFormat; framing: Framing; base: FormatOptions };
    try {
      const s = readSettings('beacon-format', config, catalog(RED));
      const format = s.text('format') as AlertFormat;
      // e-mail and chat messages are not lines on a stream: framing them would corrupt the body
      const framing = format === 'ecs' || format === 'cef' || format === 'syslog' ? (s.text('framing') as Framing) : '';
      const base: FormatOptions = {
        title: s.text('title') || undefined,
        hostname: s.text('hostname') || os.hostname(),
        appName: s.text('appName'),
        facility: s.number('facility'),
        digest: s.flag('digest'),
        version: VERSION,
      };
      settings = { format, framing, base };
    } catch (err) {
      refuseSettings(RED, this, 'beacon-format', err);
      // a refused formatter swallows its input: nothing, not even an error message, may reach a hand-off
      this.on('input', (_msg: NodeMessageInFlow, _send: unknown, done: (err?: Error) => void) => done());
      return;
    }
    const { format, framing, base } = settings;
    let sent = 0;
    this.status({ fill: 'grey', shape: 'dot', text: format });

    this.on('input', (msg: NodeMessageInFlow, send: (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void, done: (err?: Error) => void) => {
      const flags = msg as { flush?: unknown; reset?: unknown; checkpoint?: unknown };
      // control messages travel the detection chain, never to a person or a SIEM
      if (flags.flush || flags.reset || flags.checkpoint) return done();
      const payload = msg.payload;
      const rows = (Array.isArray(payload) ? payload : [payload]).filter((r) => r !== undefined && r !== null);
      // an empty alert is no alert: nothing is sent (an e-mail node would complain, a webhook post nothing)
      if (rows.length === 0) return done();
      const bad = rows.find((r) => !isRecord(r));
      if (bad !== undefined)
        return done(new Error(`msg.payload must be an alert row or an array of rows, not ${typeof bad === 'string' ? `"${bad.slice(0, 40)}"` : typeof bad}`));
      const rule = (msg as { rule?: RuleInfo }).rule;
      const options: FormatOptions = {
        ...base,
        title: base.title ?? (rule && typeof rule.name === 'string' ? rule.name : undefined),
        thresholds: rule && Array.isArray(rule.thresholds) ? rule.thresholds.map(String) : undefined,
      };
      try {
        const formatted = formatAlerts(rows as Array<Record<string, unknown>>, format, options);
        // the input's other properties (notify, rule …) ride along: copies without the rows, the first reuses the input
        const rest = { ...msg, payload: undefined } as NodeMessage;
        const copies = formatted.map((_m, i) => (i === 0 ? msg : RED.util.cloneMessage(rest)));
        const out = formatted.map((m, i) => {
          const next = copies[i] as NodeMessage & { html?: string; plaintext?: string };
          next.topic = m.topic;
          next.payload = framed(m.payload, framing);
          if (m.html !== undefined) next.html = m.html;
          else delete next.html;
          if (m.plaintext !== undefined) next.plaintext = m.plaintext;
          else delete next.plaintext;
          return next;
        });
        sent += out.length;
        this.status({ fill: 'green', shape: 'dot', text: `${format} · ${compact(sent)} sent` });
        send([out]);
        done();
      } catch (err) {
        done(err as Error);
      }
    });
  }
  RED.nodes.registerType('beacon-format', BeaconFormat);
};
