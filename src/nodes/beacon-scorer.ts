import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { LogRecord } from '../core/common/records';
import { batchSubject } from '../core/alert/text';
import { AlertGate, PairMemory } from '../core/scorer/alert-gate';
import { readAllowLists } from '../core/scorer/benign-pack';
import { parseEntities, ScoreMethod, thresholdTexts } from '../core/scorer/scorer';
import { ScorerStage } from '../core/scorer/scorer-stage';
import { RITA_WEIGHTS, ScoreWeights } from '../core/scorer/stats';
import { compact, outputWired, runRecordNode, SELF_SNAPSHOT } from './node-support';
import { NodeSettings } from './settings/read';

/** beacon-scorer: most-frequent-delta share, thresholds, alert. */
export = function register(RED: NodeAPI): void {
  function BeaconScorer(this: Node, config: NodeDef) {
    RED.nodes.createNode(this, config);
    let summaries: string[] = []; // of the alerts of the message being handled, in order
    runRecordNode<ScorerStage>(RED, this, config, {
      type: 'beacon-scorer',
      create: (s) =>
        new ScorerStage(
          {
            minTotalEvents: s.numberOrNull('minTotalEvents'),
            minModeCount: s.numberOrNull('minModeCount'),
            minBeaconPercent: s.numberOrNull('minBeaconPercent'),
            entities: parseEntities(s.text('entities')),
            method: s.text('method') as ScoreMethod,
            windowSeconds: s.number('windowSeconds'),
            windowPercent: s.number('windowPercent'),
            minScore: s.numberOrNull('minScore'),
            weights: parseWeights(s.text('weights')),
            maxPValue: s.number('maxPValue'),
            strobePerHour: s.numberOrNull('strobePerHour'),
          },
          makeGate(s, this, (config as NodeDef & { z?: string }).z ?? ''),
          s.text('title'),
          this.id,
        ),
      status: ({ counts, early }) => ({
        fill: counts.alerts > 0 ? 'red' : 'green',
        shape: 'dot',
        text:
          `${compact(counts.scored)} scored · ${compact(counts.alerts)} alerts` +
          (early.counts.earlyAlerts > 0 ? ` (${compact(early.counts.earlyAlerts)} early)` : '') +
          (counts.suppressed > 0 ? ` · ${compact(counts.suppressed)} suppressed` : '') +
          (early.counts.contradicted > 0 ? ` · ${compact(early.counts.contradicted)} early verdicts contradicted` : ''),
      }),
      reset: (stage) => stage.reset(),
      handle: (stage, incoming) => {
        // misses (output 2) with no wire: nobody can read them, so rows certainly below threshold are not made
        // (read per message: a deploy of changed wires rewires a running node without restarting it)
        const scored = stage.score(incoming.records, outputWired(this, 1));
        summaries = scored.summaries;
        return { outputs: [scored.hits, scored.misses], errors: scored.errors };
      },
      reuseInput: (incoming) => !incoming.batch,
      persist: SELF_SNAPSHOT,
      // msg.topic of an alert: a one-line summary, ready for e-mail or chat nodes
      decorate: (stage, messages, incoming, input) => {
        const alerts = messages[0];
        if (!alerts) return;
        const out: NodeMessage[] = [];
        let i = 0;
        for (const m of alerts) {
          if (m === input && incoming.control) {
            // hand-offs hang on the alert output: a flush, reset or checkpoint goes on with the other rows instead
            messages[1] = [...(messages[1] ?? []), m];
            continue;
          }
          const rows = ([] as LogRecord[]).concat(m.payload as LogRecord);
          const rowSummaries = summaries.slice(i, (i += rows.length));
          // hand-offs (e-mail, chat) route on msg.notify: true once per cell; a batch's rows already notified early go in a message of their own
          const fresh = rows.filter((row) => row.Notify !== false);
          const repeat = rows.filter((row) => row.Notify === false);
          for (const part of [fresh, repeat]) {
            if (part.length === 0) continue;
            const first = rowSummaries[rows.indexOf(part[0])];
            const payload = incoming.batch ? part : part[0];
            const topic = incoming.batch ? batchSubject(part, { title: stage.title }) : first;
            const notify = part === fresh;
            // what decided, for formatters (beacon-format) that word the alert's "why"
            const rule = { name: stage.title, method: stage.options.method ?? 'kql', thresholds: thresholdTexts(stage.options) };
            out.push(
              part.length === rows.length ? Object.assign(m, { payload, topic, notify, rule }) : ({ ...m, payload, topic, notify, rule } as NodeMessage),
            );
          }
        }
        messages[0] = out.length > 0 ? out : null;
      },
    });
  }
  RED.nodes.registerType('beacon-scorer', BeaconScorer);
};

/** "0.4, 0.2, 0.2, 0.2" → RITA's four weights (timestamp, data size, duration, histogram); '' → 0.25 each (the table checked the rest). */
function parseWeights(text: string): ScoreWeights {
  if (text === '') return RITA_WEIGHTS;
  const w = text.split(/[\s,;]+/).map(Number);
  return { timestamp: w[0], dataSize: w[1], duration: w[2], histogram: w[3] };
}

/**
 * Pair memories of the re-arm clock, shared by the scorers of one flow tab
 * that watch the same pair fields with the same re-arm time: the hunt's long
 * windows and its hourly bursts see the same pairs, and a person hears of a
 * pair once per re-arm period whichever of them found it.
 */
const sharedPairs = new Map<string, { pairs: PairMemory; users: Set<string> }>();

function pairMemory(key: string, node: Node): PairMemory {
  let entry = sharedPairs.get(key);
  if (!entry) sharedPairs.set(key, (entry = { pairs: new Map(), users: new Set() }));
  entry.users.add(node.id);
  const held = entry;
  node.on('close', () => {
    held.users.delete(node.id);
    if (held.users.size === 0 && sharedPairs.get(key) === held) sharedPairs.delete(key);
  });
  return held.pairs;
}

/** The alert gate from the settings, or null when none of its parts is set. `tab`: the flow tab, whose scorers share pair memories. */
function makeGate(s: NodeSettings, node: Node, tab: string): AlertGate | null {
  const { address: allow, names } = readAllowLists(s.text('allow'), s.flag('benignPack'));
  const maxSources = s.number('maxSources');
  const rearmHours = s.number('rearmHours');
  if (allow.length === 0 && names.size === 0 && maxSources === 0 && rearmHours === 0) return null;
  const srcField = s.text('srcField');
  const dstField = s.text('dstField');
  const portField = s.text('portField');
  const options = {
    allow,
    names: names.size > 0 ? names : null,
    srcField,
    dstField,
    portField,
    maxSourcesPerDestination: maxSources,
    rearmSeconds: rearmHours * 3600,
    maxRemembered: 100_000,
  };
  if (rearmHours === 0) return new AlertGate(options);
  return new AlertGate(options, pairMemory(JSON.stringify([tab, srcField, dstField, portField, rearmHours]), node));
}
