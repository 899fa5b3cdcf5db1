/**
 * The two sides of a TCP proxy's connection live and die together: either one closing (or
 * failing) closes the other, as a peer behind the proxy would see it without one. What the closed
 * side sent before it went is still delivered (the other side is ended, not destroyed): a peer
 * without the proxy would read it from its own socket buffer. A side that does not close in turn
 * within `GRACE_MS` is cut off. `open` holds them while they are open, for the proxy's own close.
 */
import type { Socket } from 'node:net';

const GRACE_MS = 2000;

export function tieSockets(a: Socket, b: Socket, open: Set<Socket>): void {
  for (const [s, other] of [
    [a, b],
    [b, a],
  ] as const) {
    open.add(s);
    s.on('error', () => undefined);
    s.on('close', () => {
      open.delete(s);
      // the second of the two to close finds the first gone: nothing left to end
      if (other.destroyed) return;
      other.end();
      setTimeout(() => other.destroy(), GRACE_MS).unref();
    });
  }
}
