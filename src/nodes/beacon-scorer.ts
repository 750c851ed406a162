import type { Node, NodeAPI, NodeDef } from 'node-red';
import { LogRecord, RecordError } from '../core/records';
import { parseEntities, scoreRow, ScorerOptions } from '../core/scorer';
import { compact, numberSetting, readIncoming, shapeOutputs, StatusReporter, summariseErrors, translate } from './node-support';

interface ScorerDef extends NodeDef {
  minTotalEvents: string | number;
  minModeCount: string | number;
  minBeaconPercent: string | number;
  entities: string;
  title: string;
}

/** beacon-scorer: most-frequent-delta share, thresholds, alert. */
export = function register(RED: NodeAPI): void {
  function BeaconScorer(this: Node, config: ScorerDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    let options: ScorerOptions | null = null;
    try {
      options = {
        minTotalEvents: numberSetting(config.minTotalEvents, 'minimum total events', 15, null),
        minModeCount: numberSetting(config.minModeCount, 'minimum mode count', null),
        minBeaconPercent: numberSetting(config.minBeaconPercent, 'minimum beacon percent', 95, null),
        entities: parseEntities(config.entities ?? 'IPCustomEntity=RemoteIP'),
      };
    } catch (err) {
      node.error(translate(RED, 'beacon-scorer.errors.config', 'invalid setting: __reason__', { reason: (err as Error).message }));
      node.status({ fill: 'red', shape: 'ring', text: 'invalid settings' });
    }
    const title = (config.title || 'Beaconing').trim();
    let scored = 0;
    let alerts = 0;
    const status = new StatusReporter(node, () => ({
      fill: alerts > 0 ? 'red' : 'green',
      shape: 'dot',
      text: `${compact(scored)} scored · ${compact(alerts)} alerts`,
    }));

    let lastBatch = false; // shape of the last records, for what a flush releases
    node.on('input', (msg, send, done) => {
      if (!options) return done(new Error('beacon-scorer: invalid settings, see the node'));
      const incoming = readIncoming(msg, lastBatch);
      if (incoming instanceof Error) return done(incoming);
      if (incoming.records.length > 0) lastBatch = incoming.batch;
      if (incoming.reset) scored = alerts = 0;
      const hits: LogRecord[] = [];
      const summaries: string[] = [];
      const misses: LogRecord[] = [];
      const errors: RecordError[] = [];
      for (const input of incoming.records) {
        try {
          const result = scoreRow(input, options, title);
          scored++;
          if (result.alert) {
            alerts++;
            hits.push(result.row);
            summaries.push(result.summary);
          } else {
            result.row.FailedThresholds = result.failed;
            misses.push(result.row);
          }
        } catch (err) {
          errors.push(err instanceof RecordError ? err : new RecordError('row', input, String(err)));
        }
      }
      const outputs = shapeOutputs(msg, [hits, misses], incoming, !incoming.batch);
      // msg.topic of an alert: a one-line summary, ready for e-mail or chat nodes
      let i = 0;
      for (const m of outputs[0] ?? []) {
        if (m === msg && (incoming.flush || incoming.reset)) continue;
        m.topic = incoming.batch
          ? `${title}: ${hits.length} alert(s); first: ${summaries[0]}`
          : summaries[i++];
      }
      send(outputs);
      const error = summariseErrors(errors, incoming.records.length);
      if (error) node.error(error, msg);
      if (incoming.flush || incoming.reset) status.now();
      else status.update();
      done();
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      status.close();
      done();
    });
  }
  RED.nodes.registerType('beacon-scorer', BeaconScorer);
};
