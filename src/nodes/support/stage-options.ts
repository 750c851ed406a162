import { CidrSet, splitList } from '../../core/common/address';
import type { DeltaOptions } from '../../core/delta/delta';
import { parsePrefixes } from '../../core/filter/destination-group';
import { type FilterMode, type IpFilterOptions, parseMatch } from '../../core/filter/ip-filter';
import { type HistogramOptions, parseDeltaBucket, parsePrevalenceFields } from '../../core/histogram';
import type { PairHuntOptions } from '../../core/pairs';
import type { GateOptions } from '../../core/scorer/alert-gate';
import { readAllowLists } from '../../core/scorer/benign-pack';
import { parseEntities, type ScoreMethod, type ScorerOptions } from '../../core/scorer/scorer';
import { RITA_WEIGHTS, type ScoreWeights } from '../../core/scorer/stats';
import type { NodeSettings } from '../settings/read';

/**
 * Each detection node's checked settings turned into its core stage's
 * options, in one place: the nodes build their stage with them, and the
 * scale-out worker builds its per-partition chain from the same node
 * settings, so a profile means the same thing in one Node-RED and in a
 * cluster.
 */

export function ipFilterOptions(s: NodeSettings): IpFilterOptions {
  const networkField = s.text('networkField');
  return {
    field: s.text('field'),
    mode: s.text('mode') as FilterMode,
    exclude: new CidrSet(splitList(s.text('exclude'))),
    match: parseMatch(s.text('match')),
    sourceField: s.text('sourceField'),
    internal: new CidrSet(splitList(s.text('internal'))),
    grouping: networkField ? { field: networkField, ...parsePrefixes(s.text('networkPrefix')) } : null,
  };
}

export function deltaOptions(s: NodeSettings): DeltaOptions {
  return {
    keyFields: s.fields('keyFields'),
    timeField: s.text('timeField'),
    tieFields: s.fields('tieFields'),
    latenessSeconds: s.number('lateness'),
    deltaField: s.text('deltaField'),
    nextTimeField: s.text('nextTimeField'),
    maxKeys: s.number('maxKeys'),
    maxBuffered: s.number('maxBuffered'),
    futureToleranceSeconds: s.number('futureTolerance'),
  };
}

const MB = 1024 * 1024;

/** what an eviction pass of the hunt node's store leaves, as a fraction of its cap */
export const NODE_EVICT_TO = 7 / 8;

export function pairsOptions(s: NodeSettings): PairHuntOptions {
  const maxMegabytes = s.number('maxMegabytes');
  const prevalence = s.fields('prevalence');
  return {
    history: {
      keyFields: s.fields('keyFields'),
      timeField: s.text('timeField'),
      bytesField: s.text('bytesField') || null,
      ringSize: s.number('intervals'),
      horizonSeconds: Math.round(s.number('horizonDays') * 86400),
      maxBytes: maxMegabytes > 0 ? Math.round(maxMegabytes * MB) : null,
      strobePerDay: s.number('strobePerDay'),
      sweepSeconds: 3600,
      // a pass evicts an eighth of the cap, not half: the arrays stay near the cap, so the memory the allocator keeps
      // for their regrowth is what they hold (RSS follows the retained heap)
      evictTo: NODE_EVICT_TO,
    },
    hunt: {
      minIntervals: s.number('minIntervals'),
      prevalence: prevalence.length === 2 ? { source: prevalence[0], destination: prevalence[1] } : null,
    },
    scoreEverySeconds: s.number('scoreEvery'),
    batchRows: s.number('batchRows'),
    skipZeroField: s.text('skipZero'),
    // the scorer's strobe class is per hour; the store's label per day: the same rate
    send: { maxPValue: s.number('sendPValue'), strobePerHour: s.number('strobePerDay') / 24 },
  };
}

export function histogramOptions(s: NodeSettings): HistogramOptions {
  return {
    deltaBucket: parseDeltaBucket(s.text('deltaBucket')),
    prevalence: parsePrevalenceFields(s.text('prevalence')),
    binSeconds: s.number('binSeconds'),
    groupFields: s.fields('groupFields'),
    minDelta: s.number('minDelta'),
    sumFields: s.fields('sumFields'),
    closeAfterSeconds: s.number('closeAfter'),
    timeField: s.text('timeField'),
    deltaField: s.text('deltaField'),
    nextTimeField: s.text('nextTimeField'),
    maxOpenCells: s.number('maxOpenCells'),
    skipZeroField: s.text('skipZero'),
    hopSeconds: s.number('hopSeconds'),
    bytesField: s.text('bytesField'),
    subBins: s.number('subBins'),
    countConnections: s.flag('countConnections'),
    certainAfterSeconds: s.numberOrNull('certainAfter'),
    certainKeyFields: s.fields('certainKey'),
  };
}

/** "0.4, 0.2, 0.2, 0.2" → RITA's four weights (timestamp, data size, duration, histogram); '' → 0.25 each (the table checked the rest). */
function parseWeights(text: string): ScoreWeights {
  if (text === '') return RITA_WEIGHTS;
  const w = text.split(/[\s,;]+/).map(Number);
  return { timestamp: w[0], dataSize: w[1], duration: w[2], histogram: w[3] };
}

export function scorerOptions(s: NodeSettings): ScorerOptions {
  return {
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
  };
}

/** The alert gate's options, or null when none of its parts (allow-list, prevalence limit, re-arm time) is set. */
export function gateOptions(s: NodeSettings): GateOptions | null {
  const { address: allow, names } = readAllowLists(s.text('allow'), s.flag('benignPack'));
  const maxSources = s.number('maxSources');
  const rearmHours = s.number('rearmHours');
  if (allow.length === 0 && names.size === 0 && maxSources === 0 && rearmHours === 0) return null;
  return {
    allow,
    names: names.size > 0 ? names : null,
    srcField: s.text('srcField'),
    dstField: s.text('dstField'),
    portField: s.text('portField'),
    maxSourcesPerDestination: maxSources,
    rearmSeconds: rearmHours * 3600,
    maxRemembered: 100_000,
  };
}

/** Pair memories of the re-arm clock are shared by the scorers that watch the same pair fields with the same re-arm time. */
export const pairMemoryKey = (gate: GateOptions): string => JSON.stringify([gate.srcField, gate.dstField, gate.portField, gate.rearmSeconds]);
