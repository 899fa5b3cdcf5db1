/** The node's registry of calls and each drachtio-server's view of it (call/registry.ts). */
import t from 'tap';
import type { CallSession } from '../../src/call/call-session.js';
import { ActiveCalls } from '../../src/call/registry.js';

const session = () => {
  const s = { lost: 0, signallingLost: () => s.lost++, terminate: () => undefined };
  return s;
};

t.test('a lost server ends its own calls only; the node counts every call', async (t) => {
  const node = new ActiveCalls();
  const [a, b] = [node.forServer(), node.forServer()];
  const [onA, onB] = [session(), session()];
  let endB: () => void = () => undefined;
  const runA = a.track(onA as unknown as CallSession, new Promise<void>(() => undefined));
  const runB = b.track(
    onB as unknown as CallSession,
    new Promise<void>((resolve) => {
      endB = resolve;
    }),
  );
  t.equal(node.size, 2);
  t.equal(a.size, 2, "a server's view counts the node's calls (the node's limits)");
  a.signallingLost();
  t.same([onA.lost, onB.lost], [1, 0], "only a's call is told");
  endB();
  await runB;
  t.equal(node.size, 1, 'an ended call leaves the node too');
  b.signallingLost();
  t.same([onA.lost, onB.lost], [1, 0], 'b has nothing left to end');
  void runA;
});
