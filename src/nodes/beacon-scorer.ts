import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { LogRecord } from '../core/common/records';
import { batchSubject } from '../core/alert/text';
import { AlertGate, PairMemory } from '../core/scorer/alert-gate';
import { thresholdTexts } from '../core/scorer/scorer';
import { ScorerStage } from '../core/scorer/scorer-stage';
import { compact, outputWired, runRecordNode, SELF_SNAPSHOT } from './node-support';
import { NodeSettings } from './settings/read';
import { gateOptions, pairMemoryKey, scorerOptions } from './support/stage-options';

/** beacon-scorer: most-frequent-delta share, thresholds, alert. */
export = function register(RED: NodeAPI): void {
  function BeaconScorer(this: Node, config: NodeDef) {
    RED.nodes.createNode(this, config);
    let summaries: string[] = []; // of the alerts of the message being handled, in order
    runRecordNode<ScorerStage>(RED, this, config, {
      type: 'beacon-scorer',
      create: (s) => new ScorerStage(scorerOptions(s), makeGate(s, this, (config as NodeDef & { z?: string }).z ?? ''), s.text('title'), this.id),
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
  const options = gateOptions(s);
  if (!options) return null;
  if (options.rearmSeconds === 0) return new AlertGate(options);
  return new AlertGate(options, pairMemory(tab + pairMemoryKey(options), node));
}
