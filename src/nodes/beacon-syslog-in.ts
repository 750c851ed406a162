import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from 'node-red';
import type { TlsOptions } from 'tls';
import { Framing } from '../input/frame-reader';
import type { ParseIn } from '../input/parse-place';
import { IngestSettings, SyslogIngest } from '../input/syslog-ingest';
import { Transport } from '../input/syslog-listener';
import { compact, configure, controlFlags } from './node-support';
import { parserOptions, unparsedMessage } from './parse-settings';
import { NodeSettings, readSettings } from './settings/read';
import { catalog } from './support/i18n';

/** Node-RED's tls-config node, as far as this node uses it. */
interface TlsConfigNode {
  addTLSOptions(opts: TlsOptions): TlsOptions & { ca?: unknown };
  verifyservercert?: boolean;
}

/** The ingest's settings from the node's; the parser's only when the node parses. */
function settingsOf(s: NodeSettings, tls: TlsOptions | undefined): IngestSettings {
  return {
    transport: s.text('transport') as Transport,
    host: s.text('host'),
    port: s.number('port'),
    framing: s.text('framing') as Framing,
    maxConnections: s.number('maxConnections'),
    maxPerSender: s.number('maxPerSender'),
    handshakeTimeoutSeconds: s.number('handshakeTimeout'),
    progressTimeoutSeconds: s.number('progressTimeout'),
    maxFrameBytes: s.number('maxFrameBytes'),
    idleTimeoutSeconds: s.number('idleTimeout'),
    receiveBufferBytes: s.number('receiveBuffer') * 1024,
    queueBytes: s.number('queueMegabytes') * 1024 * 1024,
    batchLines: s.number('batchLines'),
    batchMs: s.number('batchMs'),
    tls,
    parser: s.flag('parse') ? parserOptions(s) : null,
    parseIn: s.text('parseIn') as ParseIn,
  };
}

/** Where a UDP input parses, for the status: one short word pair (the log line says why). */
function placeOf(ingest: SyslogIngest): string[] {
  const place = ingest.parsePlace;
  return place ? [place.thread ? 'parse thread' : 'parsed on flow'] : [];
}

/** The node's status: starting, listening with its counts and problems (red once lines were dropped), or stopped. */
function statusOf(ingest: SyslogIngest, failed: string | null): NodeStatus {
  const s = ingest.settings;
  const info = ingest.info;
  if (failed) return { fill: 'red', shape: 'ring', text: failed };
  if (!info) return { fill: 'grey', shape: 'ring', text: `starting ${s.transport} ${s.host}:${s.port}` };
  const counters = ingest.counters;
  const t = counters.total;
  const drops = (ingest.kernel().socketDrops ?? 0) + t.queueDropped;
  const problems = [
    t.parseErrors && `${compact(t.parseErrors)} unparsed`,
    t.oversized && `${compact(t.oversized)} oversized`,
    t.incomplete && `${compact(t.incomplete)} incomplete`,
    drops && `${compact(drops)} dropped`,
    counters.connectionsRejected && `${compact(counters.connectionsRejected)} refused`,
    t.handshakeFailed && `${compact(t.handshakeFailed)} TLS failed`,
    t.stalled && `${compact(t.stalled)} stalled`,
  ].filter(Boolean);
  return {
    fill: drops > 0 ? 'red' : problems.length ? 'yellow' : 'green',
    shape: 'dot',
    text: [`${s.transport} ${info.address}:${info.port}`, ...placeOf(ingest), `${compact(t.lines)} lines`, `${counters.senderCount} senders`, ...problems].join(
      ' · ',
    ),
  };
}

/** beacon-syslog-in: a syslog listener (UDP, TCP, TLS) handing on batches of lines or parsed records. */
export = function register(RED: NodeAPI): void {
  function BeaconSyslogIn(this: Node, config: NodeDef & { tls?: string }) {
    RED.nodes.createNode(this, config);
    const node = this;
    const s = configure(RED, node, 'beacon-syslog-in', () => {
      const table = readSettings('beacon-syslog-in', config, catalog(RED));
      let tlsOptions: TlsOptions | undefined;
      if (table.text('transport') === 'tls') {
        const tlsNode = config.tls ? (RED.nodes.getNode(config.tls) as unknown as TlsConfigNode | null) : null;
        if (!tlsNode) throw new Error('TLS needs a TLS configuration (key and certificate)');
        const o = tlsNode.addTLSOptions({});
        // the TLS node's "verify" with a CA: clients must show a certificate signed by it (RFC 5425 §5.2)
        tlsOptions = { ...o, requestCert: Boolean(tlsNode.verifyservercert && o.ca), rejectUnauthorized: Boolean(tlsNode.verifyservercert && o.ca) };
      }
      return settingsOf(table, tlsOptions);
    });
    if (!s) return;
    const send = (out: Array<NodeMessage | null>) => node.send(out as NodeMessage[]);
    let failed: string | null = null;
    const ingest = new SyslogIngest(s, {
      batch: (payload, sender) => send([(sender === undefined ? { payload } : { payload, ip: sender }) as NodeMessage, null, null]),
      unparsed: (line, reason, sender) => send([null, unparsedMessage(line, reason, { ip: sender }), null]),
      // reaches Catch nodes with the text only (never the lines themselves)
      parseErrors: (text) => node.error(text, { topic: 'unparsed', payload: text } as NodeMessage),
      failed: (err) => {
        failed = 'input stopped: see the log';
        node.error(err.message);
        showStatus();
      },
    });

    let lastStatus = '';
    function showStatus(): void {
      const status = statusOf(ingest, failed);
      const text = JSON.stringify(status);
      if (text !== lastStatus) node.status(status);
      lastStatus = text;
    }
    // wall clock paces the display only
    const ticker = setInterval(showStatus, 1000);
    ticker.unref?.();
    showStatus();

    ingest.start().then(
      (started) => {
        for (const w of started.warnings) node.warn(w);
        const priority =
          started.readerPriority === undefined
            ? ''
            : started.readerPriority === null
              ? ' (reader thread at normal priority: raising it needs CAP_SYS_NICE)'
              : ` (reader thread at nice ${started.readerPriority})`;
        const place = ingest.parsePlace ? `; parsing in ${ingest.parsePlace.why}` : '';
        node.log(`listening on ${s.transport} ${started.address}:${started.port}${priority}${place}`);
        showStatus();
      },
      (err: NodeJS.ErrnoException) => {
        failed = err.code === 'EADDRINUSE' ? `port ${s.port} in use` : err.code === 'EADDRNOTAVAIL' ? `no address ${s.host} here` : 'cannot listen';
        node.error(`cannot listen on ${s.transport} ${s.host}:${s.port}: ${err.message}`);
        showStatus();
      },
    );

    node.on('input', (msg, sendOut, done) => {
      const flags = controlFlags(msg);
      // lines received before the message go out before it
      if (flags.control) ingest.drain();
      if (flags.reset) ingest.reset();
      if (flags.control) {
        delete msg.payload;
        sendOut([msg, null, null]);
      }
      sendOut([null, null, { topic: 'counters', payload: ingest.stats() }]);
      showStatus();
      done();
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      clearInterval(ticker);
      node.status({});
      ingest.close().then(
        () => done(),
        () => done(),
      );
    });
  }
  RED.nodes.registerType('beacon-syslog-in', BeaconSyslogIn);
};
