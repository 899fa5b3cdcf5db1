/**
 * The two sides of a TCP proxy's connection live and die together: either one closing (or
 * failing) closes the other, as a peer behind the proxy would see it without one. `open` holds
 * them while they are open, for the proxy's own close.
 */
import type { Socket } from 'node:net';

export function tieSockets(a: Socket, b: Socket, open: Set<Socket>): void {
  for (const s of [a, b]) {
    open.add(s);
    s.on('error', () => undefined);
    s.on('close', () => {
      open.delete(s);
      a.destroy();
      b.destroy();
    });
  }
}
