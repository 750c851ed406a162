import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { LogRecord, RecordError } from '../core/common/records';
import { AlertGate, PairMemory, parseAllowList } from '../core/scorer/alert-gate';
import { EarlyAlerts } from '../core/scorer/early-alerts';
import { parseEntities, ScoreMethod, ScorerOptions, thresholdTexts } from '../core/scorer/scorer';
import { batchSubject } from '../core/alert/text';
import { RITA_WEIGHTS, ScoreWeights } from '../core/scorer/stats';
import { compact, numberSetting, outputWired, runRecordNode } from './node-support';
import { persistenceSettings } from './persistence';

interface ScorerDef extends NodeDef {
  minTotalEvents: string | number;
  minModeCount: string | number;
  minBeaconPercent: string | number;
  entities: string;
  title: string;
  method?: ScoreMethod;
  windowSeconds?: string | number;
  windowPercent?: string | number;
  minScore?: string | number;
  /** stats method: "timestamp, data size, duration, histogram" weights summing to 1 (RITA: 0.25 each) */
  weights?: string;
  /** periodic method: p-value threshold of the periodicity test */
  maxPValue?: string | number;
  strobePerHour?: string | number;
  /** the alert gate (hunt profile): allow-list text, prevalence, repeat suppression */
  allow?: string;
  maxSources?: string | number;
  rearmHours?: string | number;
  srcField?: string;
  dstField?: string;
  portField?: string;
  store?: string;
  checkpointEvery?: string | number;
}

interface ScorerState {
  options: ScorerOptions;
  scored: number;
  alerts: number;
  /** one-line summaries of the alerts of the message being handled, in order */
  summaries: string[];
  /** null when no allow-list, prevalence limit or re-arm time is set (the Sentinel rules) */
  gate: AlertGate | null;
  suppressed: number;
  /** early (certain) verdicts and the cells already notified */
  early: EarlyAlerts;
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
          method: scoreMethod(config.method),
          windowSeconds: numberSetting(config.windowSeconds, 'band seconds', 0, 0) as number,
          windowPercent: numberSetting(config.windowPercent, 'band percent', 10, 0) as number,
          minScore: numberSetting(config.minScore, 'minimum score', 0.8, null),
          weights: parseWeights(config.weights),
          maxPValue: pValueSetting(config.maxPValue),
          strobePerHour: numberSetting(config.strobePerHour, 'strobe connections per hour', null, null),
        },
        scored: 0,
        alerts: 0,
        summaries: [],
        gate: makeGate(config, this),
        suppressed: 0,
        early: new EarlyAlerts(100_000, this.id),
      }),
      status: (s) => ({
        fill: s.alerts > 0 ? 'red' : 'green',
        shape: 'dot',
        text:
          `${compact(s.scored)} scored · ${compact(s.alerts)} alerts` +
          (s.early.counts.earlyAlerts > 0 ? ` (${compact(s.early.counts.earlyAlerts)} early)` : '') +
          (s.suppressed > 0 ? ` · ${compact(s.suppressed)} suppressed` : '') +
          (s.early.counts.contradicted > 0 ? ` · ${compact(s.early.counts.contradicted)} early verdicts contradicted` : ''),
      }),
      reset: (s) => {
        s.scored = s.alerts = s.suppressed = 0;
        s.gate?.reset();
        s.early.reset();
      },
      handle: (s, incoming) => {
        const hits: LogRecord[] = [];
        const misses: LogRecord[] = [];
        const errors: RecordError[] = [];
        s.summaries = [];
        // misses (output 2) with no wire: nobody can read them, so rows certainly below threshold are not made
        // (read per message: a deploy of changed wires rewires a running node without restarting it)
        const missesRead = outputWired(this, 1);
        for (const input of incoming.records) {
          try {
            if (!missesRead && s.early.quietWithoutScoring(input, s.options)) {
              s.scored++;
              continue;
            }
            const window = input as { BinSeconds?: unknown; HopSeconds?: unknown; FirstSeen?: unknown; LastSeen?: unknown };
            const gate = (row: LogRecord) =>
              s.gate?.check(row, { binSeconds: window.BinSeconds, hopSeconds: window.HopSeconds, firstSeen: window.FirstSeen, lastSeen: window.LastSeen }).suppressed ?? null;
            // an early row sends nothing until its verdict is certain; a final row after an early alert is not notified again
            const decision = s.early.decide(input, s.options, title, gate);
            if (!decision) continue;
            const { result, suppressed } = decision;
            s.scored++;
            // hand-offs route on it: an alert already notified (early, or before a reset) says so
            if (result.alert && (result.row.Final !== undefined || (!suppressed && !decision.notify))) result.row.Notify = decision.notify;
            if (suppressed) {
              // held back, not lost: on output 2 with the reason
              s.suppressed++;
              result.row.Suppressed = suppressed;
              result.row.FailedThresholds = [];
              misses.push(result.row);
            } else if (result.alert) {
              if (decision.first) s.alerts++; // alerted cells: a final row after an early alert is not counted again
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
      persist: {
        // the alert gate's pairs already reported, and the cells alerted early (so a restart does not notify twice)
        settings: () => persistenceSettings(config.store, config.checkpointEvery),
        snapshot: (s) => ({ format: 'netbeacon-scorer', gate: s.gate?.snapshot() ?? null, early: s.early.snapshot() }),
        restore: (s, saved) => {
          if (!saved) return;
          const both = saved as { format?: unknown; gate?: unknown; early?: unknown };
          // state saved before early verdicts existed is the alert gate's alone
          if (both.format !== 'netbeacon-scorer') {
            if (s.gate) s.gate.restore(saved);
            return;
          }
          if (s.gate && both.gate) s.gate.restore(both.gate);
          if (both.early) s.early.restore(both.early);
        },
      },
      // msg.topic of an alert: a one-line summary, ready for e-mail or chat nodes
      decorate: (s, messages, incoming, input) => {
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
          const summaries = s.summaries.slice(i, (i += rows.length));
          // hand-offs (e-mail, chat) route on msg.notify: true once per cell; a batch's rows already notified early go in a message of their own
          const fresh = rows.filter((row) => row.Notify !== false);
          const repeat = rows.filter((row) => row.Notify === false);
          for (const part of [fresh, repeat]) {
            if (part.length === 0) continue;
            const first = summaries[rows.indexOf(part[0])];
            const payload = incoming.batch ? part : part[0];
            const topic = incoming.batch ? batchSubject(part, { title }) : first;
            const notify = part === fresh;
            // what decided, for formatters (beacon-format) that word the alert's "why"
            const rule = { name: title, method: s.options.method ?? 'kql', thresholds: thresholdTexts(s.options) };
            out.push(part.length === rows.length ? Object.assign(m, { payload, topic, notify, rule }) : ({ ...m, payload, topic, notify, rule } as NodeMessage));
          }
        }
        messages[0] = out.length > 0 ? out : null;
      },
    });
  }
  RED.nodes.registerType('beacon-scorer', BeaconScorer);
};

/** "0.4, 0.2, 0.2, 0.2" → RITA's four weights (timestamp, data size, duration, histogram); '' → 0.25 each. */
function parseWeights(text: unknown): ScoreWeights {
  const t = String(text ?? '').trim();
  if (t === '') return RITA_WEIGHTS;
  const w = t.split(/[\s,;]+/).map(Number);
  if (w.length !== 4 || w.some((x) => !(x >= 0)) || Math.abs(w.reduce((a, b) => a + b, 0) - 1) > 1e-9) {
    throw new Error(`weights must be four numbers ≥ 0 summing to 1 (timestamp, data size, duration, histogram), not "${t.slice(0, 40)}"`);
  }
  return { timestamp: w[0], dataSize: w[1], duration: w[2], histogram: w[3] };
}

function scoreMethod(value: unknown): ScoreMethod {
  if (value === undefined || value === null || value === '' || value === 'kql') return 'kql';
  if (value === 'window' || value === 'stats' || value === 'periodic') return value;
  throw new Error(`method must be kql, window, stats or periodic, not "${String(value).slice(0, 20)}"`);
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

/** The alert gate from the settings, or null when none of its parts is set. */
function makeGate(config: ScorerDef, node: Node): AlertGate | null {
  const allow = parseAllowList(config.allow ?? '');
  const maxSources = numberSetting(config.maxSources, 'prevalence limit', 0, 0) as number;
  const rearmHours = numberSetting(config.rearmHours, 're-arm hours', 0, 0) as number;
  if (!(maxSources >= 0) || !(rearmHours >= 0)) throw new Error('prevalence limit and re-arm hours must be ≥ 0');
  if (allow.length === 0 && maxSources === 0 && rearmHours === 0) return null;
  const srcField = (config.srcField || 'LocalIP').trim();
  const dstField = (config.dstField || 'RemoteIP').trim();
  const portField = (config.portField || 'RemotePortNumber').trim();
  const options = { allow, srcField, dstField, portField, maxSourcesPerDestination: maxSources, rearmSeconds: rearmHours * 3600, maxRemembered: 100_000 };
  if (rearmHours === 0) return new AlertGate(options);
  return new AlertGate(options, pairMemory(JSON.stringify([config.z ?? '', srcField, dstField, portField, rearmHours]), node));
}

/** The periodic method's threshold: 0 < p ≤ 1; absent or blank = 0.001. */
function pValueSetting(value: unknown): number {
  const p = numberSetting(value, 'maximum p-value', 0.001, 0.001) as number;
  if (!(p > 0 && p <= 1)) throw new Error(`maximum p-value must be above 0 and at most 1, not ${p}`);
  return p;
}
