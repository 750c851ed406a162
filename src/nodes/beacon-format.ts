import * as os from 'os';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { ALERT_FORMATS, AlertFormat, formatAlerts, FormatOptions, framed, Framing, FRAMINGS } from '../core/alert/formats';
import { isRecord } from '../core/common/records';
import { compact, numberSetting, translate } from './node-support';

interface FormatDef extends NodeDef {
  format?: AlertFormat;
  /** the rule's name in the text; empty: the scorer's title (msg.rule.name) */
  title?: string;
  /** syslog HOSTNAME; empty: this machine's name */
  hostname?: string;
  appName?: string;
  facility?: string | number;
  /** e-mail and chat: one message for all rows of a scorer message */
  digest?: boolean;
  /** SIEM formats on a TCP stream: '' (none), 'newline' or 'octet' (RFC 6587) */
  framing?: Framing;
}

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

function formatSetting(value: unknown): AlertFormat {
  if (value === undefined || value === null || value === '') return 'email';
  if ((ALERT_FORMATS as readonly unknown[]).includes(value)) return value as AlertFormat;
  throw new Error(`format must be one of ${ALERT_FORMATS.join(', ')}, not "${String(value).slice(0, 20)}"`);
}

function framingSetting(value: unknown, format: AlertFormat): Framing {
  if (value === undefined || value === null || value === '') return '';
  if (!(FRAMINGS as readonly unknown[]).includes(value)) throw new Error(`framing must be none, newline or octet, not "${String(value).slice(0, 20)}"`);
  // e-mail and chat messages are not lines on a stream: framing them would corrupt the body
  return format === 'ecs' || format === 'cef' || format === 'syslog' ? (value as Framing) : '';
}

function facilitySetting(value: unknown): number {
  const f = numberSetting(value, 'facility', 4, 4) as number;
  if (!Number.isInteger(f) || f < 0 || f > 23) throw new Error(`facility must be a whole number from 0 to 23, not ${String(value).slice(0, 20)}`);
  return f;
}

/**
 * beacon-format: turns the scorer's alert messages into e-mail, chat,
 * ECS, CEF or RFC 5424 syslog messages. An adapter only: the words and
 * fields come from core/alert. Control messages (flush, reset, checkpoint)
 * end here: a hand-off node must never receive one.
 */
export = function register(RED: NodeAPI): void {
  function BeaconFormat(this: Node, config: FormatDef) {
    RED.nodes.createNode(this, config);
    let format: AlertFormat;
    let base: FormatOptions;
    let framing: Framing;
    try {
      format = formatSetting(config.format);
      framing = framingSetting(config.framing, format);
      base = {
        title: (config.title ?? '').trim() || undefined,
        hostname: (config.hostname ?? '').trim() || os.hostname(),
        appName: (config.appName ?? '').trim() || 'netbeacon',
        facility: facilitySetting(config.facility),
        digest: config.digest === true || (config.digest as unknown) === 'true',
        version: VERSION,
      };
    } catch (err) {
      this.status({ fill: 'red', shape: 'ring', text: translate(RED, 'beacon-format.status.invalid', 'invalid settings') });
      this.error(translate(RED, 'beacon-format.errors.config', 'invalid setting: __reason__', { reason: (err as Error).message }));
      this.on('input', (_msg: NodeMessageInFlow, _send: unknown, done: (err?: Error) => void) => done());
      return;
    }
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
      if (bad !== undefined) return done(new Error(`msg.payload must be an alert row or an array of rows, not ${typeof bad === 'string' ? `"${bad.slice(0, 40)}"` : typeof bad}`));
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
