import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { RecordError } from '../core/common/records';
import { ensureStream } from '../stream/connection';
import { StreamPublisher } from '../stream/publisher';
import { ZeekLinePartitioner } from '../stream/zeek-lines';
import type { NatsConfigNode } from './beacon-nats';
import { compact, configure, controlFlags, readIncoming, StatusReporter, summariseErrors } from './node-support';
import { readSettings } from './settings/read';
import { catalog } from './support/i18n';

interface IngestDef extends NodeDef {
  nats?: string;
  input?: string;
  keyFields?: string;
  /** seconds a batch refused by a full stream is retried before it is given up as an error */
  fullRetrySeconds?: string | number;
}

/**
 * beacon-nats-ingest: publishes records to the scale-out stream, each
 * partition's share of a message as one JetStream message acknowledged by
 * the server; flush, reset and checkpoint go to every partition after the
 * records before them. A message leaves (and its done() is called) once the
 * server holds all of it, so a flow that waits on it is paced by the broker.
 */
export = function register(RED: NodeAPI): void {
  function BeaconNatsIngest(this: Node, config: IngestDef) {
    RED.nodes.createNode(this, config);
    const nats = (config.nats ? RED.nodes.getNode(config.nats) : null) as NatsConfigNode | null;
    let publisher: StreamPublisher | null = null;
    let rejected = 0;
    let rejectedLines = 0;
    let connected = false;
    let failure = '';
    // checked against the settings table (settings/nats.ts), as the editor checks them
    const settings = configure(RED, this, 'beacon-nats-ingest', () => {
      const s = readSettings('beacon-nats-ingest', config, catalog(RED));
      const keyFields = s.fields('keyFields');
      // raw Zeek lines: split by partition here, parsed by the workers (a key it cannot find in place is refused now)
      const lines = s.text('input') === 'zeek-lines' ? new ZeekLinePartitioner(keyFields, nats?.partitions ?? 1) : null;
      return { keyFields, retry: s.number('fullRetrySeconds'), lines };
    });
    if (!settings) return;
    const { keyFields, retry, lines } = settings;
    const status = new StatusReporter(this, () => {
      if (!nats || nats.invalid) return { fill: 'red', shape: 'ring', text: 'no valid NATS configuration' };
      if (!publisher) return { fill: failure ? 'red' : 'grey', shape: 'ring', text: failure ? 'not connected' : 'connecting…' };
      const c = publisher.counts;
      const full = (c.fullRefusals > 0 ? ` · stream full ×${compact(c.fullRefusals)}` : '') + (c.retries > 0 ? ` · retried ×${compact(c.retries)}` : '');
      const dropped = c.dropped > 0 ? ` · ${compact(c.dropped)} given up` : '';
      return {
        fill: c.dropped > 0 ? 'red' : c.fullRefusals > 0 || rejected > 0 || rejectedLines > 0 ? 'yellow' : connected ? 'green' : 'grey',
        shape: 'dot',
        text:
          `${compact(c.records)} ${lines ? 'lines' : 'records'} → ${nats.stream} (${nats.partitions})${full}${dropped}` +
          (rejectedLines > 0 ? ` · ${compact(rejectedLines)} not published` : '') +
          (c.pending > 0 ? ` · ${compact(c.pending)} waiting` : ''),
      };
    });
    const ready: Promise<StreamPublisher> = (async () => {
      if (!nats) throw new Error('no NATS configuration (beacon-nats) selected');
      const clients = await nats.clients();
      await ensureStream(clients.jsm, { name: nats.stream, partitions: nats.partitions }, nats.limits);
      connected = true;
      publisher = new StreamPublisher(clients.js, { name: nats.stream, partitions: nats.partitions }, { keyFields, fullRetrySeconds: retry });
      status.now();
      return publisher;
    })();
    ready.catch((err: Error) => {
      failure = err.message;
      this.error(`cannot publish to the stream: ${err.message}`);
      status.now();
    });
    status.now();

    let lastBatch = false;
    this.on('input', (msg: NodeMessageInFlow, send, done) => {
      if (lines) return inputLines(msg, send, done);
      const incoming = readIncoming(msg, lastBatch);
      if (incoming instanceof Error) return done(incoming);
      if (incoming.records.length > 0) lastBatch = incoming.batch;
      ready
        .then(async (p) => {
          // both queued before either is awaited: a later message's records cannot slip in between
          const published = p.publishRecords(incoming.records);
          const control = incoming.control ? p.publishControl(incoming) : Promise.resolve();
          const [{ invalid }] = await Promise.all([published, control]);
          rejected += invalid.length;
          const error = summariseErrors(
            invalid.map((v) => new RecordError('record', v, 'is not an object')),
            incoming.records.length,
          );
          if (error) this.error(error, msg);
          send(msg);
          if (incoming.control) status.now();
          else status.update();
          done();
        })
        .catch((err: Error) => {
          status.now();
          done(err);
        });
    });
    /** Zeek TSV text (a chunk, lines cut anywhere): rows by partition, published as lines; the header lines travel with them. */
    const inputLines = (msg: NodeMessageInFlow, send: (m: NodeMessageInFlow) => void, done: (err?: Error) => void) => {
      const flags = controlFlags(msg);
      const text = msg.payload;
      if (typeof text !== 'string' && !Buffer.isBuffer(text) && !(flags.control && text === undefined))
        return done(new Error('msg.payload must be Zeek TSV text (a string or a Buffer)'));
      if (flags.reset) (lines as ZeekLinePartitioner).reset();
      // a flush ends the text: its unfinished last line is a line
      const { batches, rejected } = (lines as ZeekLinePartitioner).push(text === undefined ? '' : (text as string | Buffer), flags.flush);
      if (rejected.length > 0) {
        rejectedLines += rejected.length;
        this.error(`${rejected.length} line(s) not published; first: ${rejected[0].reason}: ${rejected[0].line.slice(0, 120)}`, msg);
      }
      ready
        .then(async (p) => {
          const published = p.publishLines(batches);
          const control = flags.control ? p.publishControl(flags) : Promise.resolve();
          await Promise.all([published, control]);
          send(msg);
          if (flags.control) status.now();
          else status.update();
          done();
        })
        .catch((err: Error) => {
          status.now();
          done(err);
        });
    };

    this.on('close', (done: () => void) => {
      const p = publisher;
      const finish = () => {
        p?.close();
        status.close();
        done();
      };
      if (!p) return finish();
      // what was handed over is published before the connection goes
      const drained = p.drain().catch(() => undefined);
      nats?.hold(drained);
      drained.then(finish);
    });
  }
  RED.nodes.registerType('beacon-nats-ingest', BeaconNatsIngest);
};
