import type { Node, NodeAPI, NodeDef } from 'node-red';
import { LogRecord, RecordError } from '../core/records';
import { parseEntities, scoreRow, ScorerOptions } from '../core/scorer';
import { compact, numberSetting, runRecordNode } from './node-support';

interface ScorerDef extends NodeDef {
  minTotalEvents: string | number;
  minModeCount: string | number;
  minBeaconPercent: string | number;
  entities: string;
  title: string;
}

interface ScorerState {
  options: ScorerOptions;
  scored: number;
  alerts: number;
  /** one-line summaries of the alerts of the message being handled, in order */
  summaries: string[];
}

/** beacon-scorer: most-frequent-delta share, thresholds, alert. */
export = function register(RED: NodeAPI): void {
  function BeaconScorer(this: Node, config: ScorerDef) {
    RED.nodes.createNode(this, config);
    const title = (config.title || 'Beaconing').trim();
    runRecordNode<ScorerState>(RED, this, {
      type: 'beacon-scorer',
      create: () => ({
        options: {
          minTotalEvents: numberSetting(config.minTotalEvents, 'minimum total events', 15, null),
          minModeCount: numberSetting(config.minModeCount, 'minimum mode count', null),
          minBeaconPercent: numberSetting(config.minBeaconPercent, 'minimum beacon percent', 95, null),
          entities: parseEntities(config.entities ?? 'IPCustomEntity=RemoteIP'),
        },
        scored: 0,
        alerts: 0,
        summaries: [],
      }),
      status: (s) => ({ fill: s.alerts > 0 ? 'red' : 'green', shape: 'dot', text: `${compact(s.scored)} scored · ${compact(s.alerts)} alerts` }),
      reset: (s) => {
        s.scored = s.alerts = 0;
      },
      handle: (s, incoming) => {
        const hits: LogRecord[] = [];
        const misses: LogRecord[] = [];
        const errors: RecordError[] = [];
        s.summaries = [];
        for (const input of incoming.records) {
          try {
            const result = scoreRow(input, s.options, title);
            s.scored++;
            if (result.alert) {
              s.alerts++;
              hits.push(result.row);
              s.summaries.push(result.summary);
            } else {
              result.row.FailedThresholds = result.failed;
              misses.push(result.row);
            }
          } catch (err) {
            errors.push(err instanceof RecordError ? err : new RecordError('row', input, String(err)));
          }
        }
        return { outputs: [hits, misses], errors };
      },
      reuseInput: (incoming) => !incoming.batch,
      // msg.topic of an alert: a one-line summary, ready for e-mail or chat nodes
      decorate: (s, messages, incoming, input) => {
        let i = 0;
        for (const m of messages[0] ?? []) {
          if (m === input && incoming.control) continue;
          m.topic = incoming.batch
            ? `${title}: ${(m.payload as unknown[]).length} alert(s); first: ${s.summaries[0]}`
            : s.summaries[i++];
        }
      },
    });
  }
  RED.nodes.registerType('beacon-scorer', BeaconScorer);
};
