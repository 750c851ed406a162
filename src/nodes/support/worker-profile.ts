import { DEFAULT_ALLOW_LIST } from '../../core/scorer/alert-gate';
import type { ChainSpec, ScorerSpec } from '../../stream/detection-chain';
import { WORKER_PROFILES } from '../settings/nats';
import { type NodeSettings, readSettings, type Translate } from '../settings/read';
import { deltaOptions, gateOptions, histogramOptions, ipFilterOptions, pairsOptions, scorerOptions } from './stage-options';

/**
 * The detection a stream worker runs, told as the detection nodes' own
 * settings: a named profile (the settings of the Sentinel-rule and hunt
 * examples), changed per node type with JSON, or the user's own nodes
 * exported from the editor. Each node's settings are checked and read by
 * its table and turned into stage options by the code the node itself
 * uses, so the worker detects exactly what the same nodes wired in one
 * Node-RED would.
 */

/** One detection node as the editor exports it: its type, settings, and (for histograms) which scorers it feeds. */
export interface ChainNode {
  type: string;
  id?: string;
  wires?: string[][];
  [setting: string]: unknown;
}

const DETECTION_TYPES = ['beacon-ip-filter', 'beacon-delta', 'beacon-histogram', 'beacon-pairs', 'beacon-scorer'];

const HUNT_GATE = {
  allow: DEFAULT_ALLOW_LIST,
  maxSources: 5,
  rearmHours: 24,
  dstField: 'RemoteNetwork',
  entities: 'IPCustomEntity=RemoteNetwork, HostCustomEntity=LocalIP',
};

/** The hunt's address filter (public destinations, grouped by network) and its periodicity scorer, in both of its profiles. */
const HUNT_FILTER: ChainNode = { type: 'beacon-ip-filter', mode: 'public', sourceField: 'LocalIP', networkField: 'RemoteNetwork' };
const HUNT_PERIODIC: ChainNode = {
  type: 'beacon-scorer',
  ...HUNT_GATE,
  minTotalEvents: 10,
  minBeaconPercent: '',
  title: 'Beacon hunt',
  method: 'periodic',
  strobePerHour: 3600,
};

/** The examples' detection nodes, as the settings that differ from each table's defaults. */
export const PROFILES: Readonly<Record<string, readonly ChainNode[]>> = {
  // examples/WireData beaconing (Sentinel rule).json
  wiredata: [
    { type: 'beacon-ip-filter' },
    { type: 'beacon-delta', lateness: 300, futureTolerance: 0 },
    { type: 'beacon-histogram', closeAfter: 86400, certainAfter: 300, certainKey: 'LocalIP', skipZero: 'RemotePortNumber' },
    { type: 'beacon-scorer', title: 'WireData beaconing' },
  ],
  // examples/Palo Alto beaconing (Sentinel rule).json
  paloalto: [
    { type: 'beacon-ip-filter', field: 'DestinationIP', match: 'DeviceVendor=Palo Alto Networks, Activity=TRAFFIC' },
    { type: 'beacon-delta', keyFields: 'SourceIP', tieFields: 'DestinationIP, DestinationPort', lateness: 300, futureTolerance: 0 },
    {
      type: 'beacon-histogram',
      groupFields: 'DeviceName, SourceUserID, SourceIP, DestinationIP, DestinationPort',
      minDelta: 25,
      closeAfter: 86400,
      certainAfter: 300,
      certainKey: 'SourceIP',
    },
    {
      type: 'beacon-scorer',
      minTotalEvents: 30,
      minModeCount: 25,
      minBeaconPercent: 80,
      entities: 'IPCustomEntity=DestinationIP, AccountCustomEntity=SourceUserID, HostCustomEntity=DeviceName',
      title: 'Palo Alto beaconing',
    },
  ],
  // examples/Beacon hunt (per pair, 7-day history).json: each pair's last intervals over 7 days, scored twice a day
  pairs: [
    HUNT_FILTER,
    { type: 'beacon-pairs', prevalence: 'LocalIP, RemoteNetwork', skipZero: 'RemotePortNumber', bytesField: 'SentBytes', batchRows: 100 },
    HUNT_PERIODIC,
  ],
  // the hunt on 72 h windows scored for periodicity and hourly bins for bursts (the hunt example before it moved onto the pair
  // history; kept as test/fixtures/flows/hunt-72h-windows.json, for clusters that ran it)
  hunt: [
    HUNT_FILTER,
    { type: 'beacon-delta', keyFields: 'LocalIP, RemoteNetwork, RemotePortNumber', tieFields: '', lateness: 300, futureTolerance: 0 },
    {
      type: 'beacon-histogram',
      id: 'hunt-72h',
      wires: [['hunt-periodic']],
      binSeconds: 259200,
      groupFields: 'LocalIP, RemoteNetwork, RemotePortNumber',
      minDelta: 0,
      closeAfter: 7200,
      hopSeconds: 43200,
      bytesField: 'SentBytes',
      prevalence: 'LocalIP, RemoteNetwork',
      deltaBucket: '1s',
      subBins: 24,
      skipZero: 'RemotePortNumber',
    },
    {
      type: 'beacon-histogram',
      id: 'hunt-1h',
      wires: [['hunt-burst']],
      groupFields: 'LocalIP, RemoteNetwork, RemotePortNumber',
      minDelta: 2,
      closeAfter: 7200,
      countConnections: true,
      prevalence: 'LocalIP, RemoteNetwork',
      skipZero: 'RemotePortNumber',
    },
    { ...HUNT_PERIODIC, id: 'hunt-periodic' },
    {
      type: 'beacon-scorer',
      id: 'hunt-burst',
      ...HUNT_GATE,
      minTotalEvents: 30,
      minBeaconPercent: 80,
      title: 'Beacon hunt (hourly burst)',
      method: 'window',
      minScore: '',
      strobePerHour: 3600,
    },
  ],
};

/**
 * The chain's nodes: the profile's, each changed by the settings given for
 * its type (`{"beacon-delta": {"lateness": 21600}}`), or, for `custom`, the
 * detection nodes of an exported flow (a JSON array).
 */
export function chainNodes(profile: string, changes: unknown): ChainNode[] {
  const given = typeof changes === 'string' ? (changes.trim() === '' ? null : JSON.parse(changes)) : (changes ?? null);
  if (profile === 'custom') {
    if (!Array.isArray(given)) throw new Error('a custom chain is the detection nodes exported from the editor (a JSON array)');
    return (given as ChainNode[]).filter((n) => n !== null && typeof n === 'object' && DETECTION_TYPES.includes(n.type));
  }
  const base = PROFILES[profile];
  if (!base) throw new Error(`no profile "${profile}" (${WORKER_PROFILES.join(', ')})`);
  if (given !== null && (typeof given !== 'object' || Array.isArray(given))) throw new Error('changes to a profile are a JSON object by node type');
  const byType = (given ?? {}) as Record<string, unknown>;
  for (const type of Object.keys(byType)) {
    if (!DETECTION_TYPES.includes(type)) throw new Error(`changes for "${type}": only ${DETECTION_TYPES.join(', ')} can be changed`);
    if (byType[type] === null || typeof byType[type] !== 'object') throw new Error(`changes for "${type}" must be an object of its settings`);
  }
  // ids name the scorers in AlertIds: `<profile>-<n>` where the profile gives none
  return base.map((n, i) => ({ id: `${profile}-${i}`, ...n, ...(byType[n.type] as object | undefined) }));
}

/**
 * The chain the nodes describe: at most one address filter, one delta, its
 * histograms, and the scorers each histogram is wired to (when the
 * histograms have no wires, every scorer scores the only histogram); or,
 * instead of delta and histograms, one pair history whose rows every
 * scorer scores. Each node's settings are checked by its table; the first
 * refused one throws.
 */
export function chainSpec(nodes: readonly ChainNode[], translate?: Translate): ChainSpec {
  const of = (type: string) => nodes.filter((n) => n.type === type);
  const filters = of('beacon-ip-filter');
  const deltas = of('beacon-delta');
  const histograms = of('beacon-histogram');
  const scorers = of('beacon-scorer');
  const pairs = of('beacon-pairs');
  if (filters.length > 1) throw new Error('a chain has at most one beacon-ip-filter');
  const read = (n: ChainNode) => readSettings(n.type, n, translate);
  if (pairs.length > 0) {
    if (pairs.length > 1 || deltas.length > 0 || histograms.length > 0)
      throw new Error('a chain on the pair history has one beacon-pairs, and no beacon-delta or beacon-histogram');
    if (scorers.length === 0) throw new Error('a chain needs a beacon-scorer');
    return {
      filter: filters.length === 1 ? ipFilterOptions(read(filters[0])) : null,
      delta: null,
      histograms: [],
      pairs: pairsOptions(read(pairs[0])),
      scorers: scorers.map((n, i) => scorerSpec(read(n), 0, n, i)),
    };
  }
  if (deltas.length !== 1) throw new Error(`a chain has one beacon-delta (${deltas.length} given)`);
  if (histograms.length === 0 || scorers.length === 0) throw new Error('a chain needs a beacon-histogram and a beacon-scorer');
  const wired = histograms.some((h) => Array.isArray(h.wires));
  const scorerSpecs: ScorerSpec[] = scorers.map((n, i) => {
    const s = read(n);
    const histogram = wired ? histograms.findIndex((h) => (h.wires?.[0] ?? []).includes(String(n.id))) : histograms.length === 1 ? 0 : -1;
    if (histogram < 0) throw new Error(`scorer "${s.text('title')}" is wired from no histogram of the chain`);
    return scorerSpec(s, histogram, n, i);
  });
  return {
    filter: filters.length === 1 ? ipFilterOptions(read(filters[0])) : null,
    delta: deltaOptions(read(deltas[0])),
    histograms: histograms.map((n) => histogramOptions(read(n))),
    scorers: scorerSpecs,
  };
}

function scorerSpec(s: NodeSettings, histogram: number, n: ChainNode, i: number): ScorerSpec {
  // the same in every worker (the flow is theirs in common): a re-read alert keeps its AlertId
  return { histogram, options: scorerOptions(s), gate: gateOptions(s), title: s.text('title'), rule: n.id ? String(n.id) : `scorer-${i}` };
}

const LAYOUT = new Set(['x', 'y', 'z', 'g', 'name']);

/** What a checkpoint's state depends on: the chain's node settings, without layout and names. */
export function chainIdentity(nodes: readonly ChainNode[]): string {
  return JSON.stringify(nodes, (key, value) => (LAYOUT.has(key) ? undefined : value));
}
