/**
 * Runtime half of the "Beacons" sidebar (editor half: beacons-sidebar.html).
 * Watches what every beacon-scorer sends (an onSend hook: no change to the
 * scorer, a type check per message otherwise), keeps the newest groups in a
 * bounded BeaconsBoard, and pushes the board to the editors over RED.comms at
 * most twice a second. Admin routes, behind RED.auth.needsPermission:
 * GET  <admin>/netbeacon/beacons        the board (beacon-scorer.read)
 * POST <admin>/netbeacon/beacons/clear  empties it (beacon-scorer.write)
 */
import { BeaconsBoard, ScorerRow } from './beacons-board';

const TOPIC = 'netbeacon/beacons';
const PUSH_EVERY_MS = 500; // editor refresh, not event time: detection never reads this clock

interface SendEvent {
  msg: { payload?: unknown; reset?: unknown };
  source?: { id?: string; port?: number; node?: { type?: string } };
}
/** What the admin routes use of Express's response. */
interface AdminResponse {
  json(body: unknown): void;
  sendStatus(code: number): void;
}
// biome-ignore lint/suspicious/noExplicitAny: the runtime API object, untyped for plugins in @types/node-red
type Red = any;

export = function register(RED: Red): void {
  const board = new BeaconsBoard(Number(RED.settings?.netbeaconSidebarGroups) || 200);
  let timer: NodeJS.Timeout | null = null;
  const push = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      RED.comms.publish(TOPIC, { groups: board.list() }, true);
    }, PUSH_EVERY_MS);
    timer.unref();
  };

  RED.plugins.registerPlugin('netbeacon-beacons-sidebar', {});
  RED.hooks.add('onSend.netbeacon-beacons', (events: SendEvent[]) => {
    let changed = false;
    for (const ev of events) {
      const source = ev.source;
      if (!source || !source.node || source.node.type !== 'beacon-scorer' || !source.id) continue;
      // a reset leaves on one output only (the second: control messages keep off the alert hand-offs)
      if (ev.msg.reset) changed = board.clear(source.id) || changed;
      const payload = ev.msg.payload;
      if (payload === undefined) continue;
      for (const row of Array.isArray(payload) ? payload : [payload]) changed = board.offer(source.id, row as ScorerRow, source.port === 0) || changed;
    }
    if (changed) push();
  });
  // scorers removed by a deploy leave the board
  RED.events.on('flows:started', () => {
    let changed = false;
    for (const id of board.scorers()) if (!RED.nodes.getNode(id)) changed = board.clear(id) || changed;
    if (changed) push();
  });
  RED.httpAdmin.get('/netbeacon/beacons', RED.auth.needsPermission('beacon-scorer.read'), (_req: unknown, res: AdminResponse) => {
    res.json({ groups: board.list() });
  });
  RED.httpAdmin.post('/netbeacon/beacons/clear', RED.auth.needsPermission('beacon-scorer.write'), (_req: unknown, res: AdminResponse) => {
    board.clear();
    push();
    res.sendStatus(200);
  });
};
