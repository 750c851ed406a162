/**
 * Lays out an example flow the way the editor shows it best, and checks a
 * flow against the same rules: left to right (every wire goes to a node
 * further right, none doubles back), one row per stage (a chain continues on
 * its row, a branch opens the row below), comments directly above the node
 * they explain, nothing overlapping. Node sizes are estimated from the label
 * as the editor computes them (14 px text, 20 px grid, icon and port room);
 * the browser test checks the real ones.
 */

export type FlowNode = Record<string, unknown> & { id: string; type: string; x?: number; y?: number; z?: string; wires?: string[][] };

const GRID = 20;
const NODE_H = 30;
const COLUMN_GAP = 60; // room for a wire between two columns
const ROW_GAP = 30; // between a row's nodes and the comments (or nodes) of the next
const LANE = 40; // one line of comments
const LEFT = 40;
const TOP = 40;

/** Characters a label is drawn with; the editor's Helvetica 14 px averages under 8 px. */
function textWidth(text: string): number {
  return [...text].length * 8;
}

/** What the editor writes on the node (name, else a type-specific label); `labels` supplies ours. */
export type LabelOf = (node: FlowNode) => string;

export function defaultLabel(node: FlowNode): string {
  const name = typeof node.name === 'string' ? node.name : '';
  if (name) return name;
  if ((node.type === 'file' || node.type === 'file in') && typeof node.filename === 'string' && node.filename) return node.filename;
  return node.type;
}

/** The editor's node width: label plus icon and ports, at least 100, rounded up to the grid. */
export function nodeWidth(node: FlowNode, labelOf: LabelOf = defaultLabel): number {
  if (node.type === 'junction') return 10;
  return Math.max(100, GRID * Math.ceil((textWidth(labelOf(node)) + 50 + 7) / GRID));
}

export interface Box {
  id: string;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export function box(node: FlowNode, labelOf?: LabelOf): Box {
  const w = nodeWidth(node, labelOf);
  const x = Number(node.x);
  const y = Number(node.y);
  return { id: node.id, left: x - w / 2, right: x + w / 2, top: y - NODE_H / 2, bottom: y + NODE_H / 2 };
}

/** Nodes drawn on a tab's canvas (not the tab, groups or config nodes). */
export function canvasNodes(flow: FlowNode[], tab: string): FlowNode[] {
  return flow.filter((n) => n.z === tab && n.type !== 'group' && typeof n.x === 'number' && typeof n.y === 'number');
}

export function tabsOf(flow: FlowNode[]): string[] {
  const tabs = flow.filter((n) => n.type === 'tab').map((n) => n.id);
  return tabs.length ? tabs : [...new Set(flow.map((n) => n.z).filter((z): z is string => typeof z === 'string'))];
}

/**
 * The node a comment explains: the nearest below it among those under the comment's span, the
 * one whose left edge is nearest the comment's (comments start where their node starts).
 */
export function explainedNode(comment: FlowNode, nodes: FlowNode[], labelOf?: LabelOf): FlowNode | undefined {
  const span = box(comment, labelOf);
  const below = nodes.filter((n) => n.type !== 'comment' && Number(n.y) > Number(comment.y));
  const dx = (n: FlowNode) => Math.abs(box(n, labelOf).left - span.left);
  const under = below.filter((n) => Number(n.x) >= span.left && Number(n.x) <= span.right);
  const pool = under.length ? under : below;
  return pool.sort((a, b) => Number(a.y) - Number(b.y) || dx(a) - dx(b))[0];
}

/** Lays out every tab of `flow` in place (x, y of each canvas node); returns the flow. */
export function layoutFlow(flow: FlowNode[], labelOf: LabelOf = defaultLabel): FlowNode[] {
  for (const tab of tabsOf(flow)) layoutTab(canvasNodes(flow, tab), labelOf);
  return flow;
}

function layoutTab(nodes: FlowNode[], labelOf: LabelOf): void {
  const comments = nodes.filter((n) => n.type === 'comment');
  const stages = nodes.filter((n) => n.type !== 'comment');
  const explains = new Map(comments.map((c) => [c, explainedNode(c, stages, labelOf)]));
  const byId = new Map(stages.map((n) => [n.id, n]));
  const targets = (n: FlowNode) =>
    (n.wires || [])
      .flat()
      .filter((id) => byId.has(id))
      .map((id) => byId.get(id) as FlowNode);
  const parents = new Map<FlowNode, FlowNode[]>(stages.map((n) => [n, []]));
  for (const n of stages) for (const t of targets(n)) (parents.get(t) as FlowNode[]).push(n);
  const reading = (a: FlowNode, b: FlowNode) => Number(a.y) - Number(b.y) || Number(a.x) - Number(b.x);

  // columns: the longest chain of wires from a source (so every wire points right)
  const column = new Map<FlowNode, number>();
  const columnOf = (n: FlowNode, seen = new Set<FlowNode>()): number => {
    if (column.has(n)) return column.get(n) as number;
    if (seen.has(n)) return 0; // a loop: break it here
    seen.add(n);
    const c = Math.max(-1, ...(parents.get(n) as FlowNode[]).map((p) => columnOf(p, seen))) + 1;
    column.set(n, c);
    return c;
  };
  stages.forEach((n) => columnOf(n));

  // rows: a chain stays on its row, each further branch takes the first free row below;
  // a node fed by several waits for all of them (then takes the highest row offered);
  // connected parts one under another, in the order they were read
  const row = new Map<FlowNode, number>();
  const offered = new Map<FlowNode, number>();
  const taken = new Set<string>();
  let nextRow = 0;
  const place = (n: FlowNode, wanted: number) => {
    if (row.has(n)) return;
    let r = wanted;
    while (taken.has(`${r}:${column.get(n)}`)) r++;
    row.set(n, r);
    taken.add(`${r}:${column.get(n)}`);
    nextRow = Math.max(nextRow, r + 1);
    targets(n).forEach((t, i) => {
      offered.set(t, Math.min(offered.get(t) ?? Infinity, i === 0 ? r : r + 1));
      if ((parents.get(t) as FlowNode[]).every((p) => row.has(p))) place(t, offered.get(t) as number);
    });
  };
  const sources = stages.filter((n) => (parents.get(n) as FlowNode[]).length === 0).sort(reading);
  for (const s of sources) place(s, nextRow);
  // what a loop kept waiting
  for (const n of [...stages].sort(reading)) if (!row.has(n)) place(n, offered.get(n) ?? nextRow);

  // x: columns as wide as their widest node
  const columns = Math.max(0, ...column.values()) + 1;
  const widths = Array.from({ length: columns }, (_, c) => Math.max(0, ...stages.filter((n) => column.get(n) === c).map((n) => nodeWidth(n, labelOf))));
  const centre: number[] = [];
  widths.forEach((w, c) => (centre[c] = c === 0 ? LEFT + w / 2 : centre[c - 1] + widths[c - 1] / 2 + COLUMN_GAP + w / 2));
  for (const n of stages) n.x = snap(centre[column.get(n) as number]);

  // comments: over their node, starting where it starts, packed into lanes above its row
  const lanes = new Map<number, Box[][]>();
  const lane = new Map<FlowNode, number>();
  const order = [...comments].sort((a, b) => {
    const na = explains.get(a);
    const nb = explains.get(b);
    return (na ? Number(na.x) : 0) - (nb ? Number(nb.x) : 0) || Number(b.y) - Number(a.y);
  });
  for (const c of order) {
    const target = explains.get(c);
    const r = target ? (row.get(target) as number) : 0;
    const w = nodeWidth(c, labelOf);
    c.x = (target ? box(target, labelOf).left : LEFT) + w / 2;
    const span = { ...box(c, labelOf), left: Number(c.x) - w / 2 - GRID / 2, right: Number(c.x) + w / 2 + GRID / 2 };
    const used = lanes.get(r) || [];
    let l = 0;
    while ((used[l] || []).some((b) => b.left < span.right && span.left < b.right)) l++;
    (used[l] = used[l] || []).push(span);
    lanes.set(r, used);
    lane.set(c, l);
  }

  // y: rows top to bottom, each below the comments written over it
  const rowY: number[] = [];
  for (let r = 0, y = TOP; r < nextRow; r++) {
    y += (lanes.get(r) || []).length * LANE;
    rowY[r] = snap(y + NODE_H / 2);
    y = rowY[r] + NODE_H / 2 + ROW_GAP;
  }
  for (const n of stages) n.y = rowY[row.get(n) as number];
  for (const c of comments) {
    const target = explains.get(c);
    c.y = rowY[target ? (row.get(target) as number) : 0] - LANE * ((lane.get(c) as number) + 1);
  }
}

function snap(v: number): number {
  return Math.round(v / 10) * 10;
}

/** What breaks the layout rules, one sentence each (empty when the flow is laid out well). */
export function layoutProblems(flow: FlowNode[], labelOf: LabelOf = defaultLabel): string[] {
  const problems: string[] = [];
  for (const tab of tabsOf(flow)) {
    const nodes = canvasNodes(flow, tab);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const boxes = nodes.map((n) => box(n, labelOf));
    const name = (n: FlowNode) => `${n.type} "${labelOf(n)}"`.slice(0, 60);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i];
        const b = boxes[j];
        if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) problems.push(`${name(nodes[i])} overlaps ${name(nodes[j])}`);
      }
    }
    for (const n of nodes) {
      for (const id of (n.wires || []).flat()) {
        const t = byId.get(id);
        if (t && box(t, labelOf).left <= box(n, labelOf).right) problems.push(`the wire ${name(n)} → ${name(t)} does not run left to right`);
      }
      const first = byId.get((n.wires || [])[0]?.[0] ?? '');
      // a node fed by one node only continues its chain (one fed by several sits on one of their rows)
      const fedBy = first ? nodes.filter((p) => (p.wires || []).flat().includes(first.id)) : [];
      if (first && fedBy.length === 1 && first.y !== n.y) problems.push(`${name(first)} continues ${name(n)}'s chain but not on its row`);
    }
    const stages = nodes.filter((n) => n.type !== 'comment');
    for (const c of nodes.filter((n) => n.type === 'comment')) {
      const span = box(c, labelOf);
      const target = explainedNode(c, stages, labelOf);
      if (!target || Number(target.x) < span.left || Number(target.x) > span.right) problems.push(`${name(c)} is not above a node it explains`);
    }
  }
  return problems;
}
