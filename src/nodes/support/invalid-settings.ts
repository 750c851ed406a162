import type { Node, NodeAPI } from 'node-red';
import { translate } from './i18n';
import { errorMessage } from './messages';

/**
 * A node whose settings cannot be used: the reason in the log (and the
 * Debug sidebar), a red ring on the node, and no work done.
 */
export function refuseSettings(RED: NodeAPI, node: Node, type: string, err: unknown): void {
  node.error(translate(RED, `${type}.errors.config`, 'invalid setting: __reason__', { reason: (err as Error).message }));
  node.status({ fill: 'red', shape: 'ring', text: 'invalid settings' });
}

/** The error every input message of a refused node ends with (Catch nodes see it). */
export function refusedInput(type: string): Error {
  return new Error(`${type}: invalid settings, see the node`);
}

/**
 * Builds what a node needs from its settings; when that throws, the node
 * is refused (see refuseSettings), answers each input message with an
 * error (carrying the message's id and topic, not its payload), and null
 * comes back.
 */
export function configure<T>(RED: NodeAPI, node: Node, type: string, build: () => T): T | null {
  try {
    return build();
  } catch (err) {
    refuseSettings(RED, node, type, err);
    node.on('input', (msg, _send, done) => {
      // to Catch without a copy of the message (see errorMessage)
      const error = refusedInput(type);
      node.error(error, errorMessage(msg, error));
      done();
    });
    return null;
  }
}
