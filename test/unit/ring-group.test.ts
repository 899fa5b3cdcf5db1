/**
 * A ringAll group in CallSession over fake ports: every member dialled at once, the first answer
 * wins and the others are cancelled with "Call completed elsewhere", a loser that answered anyway
 * is released, one member's early media only, and a group that fails hands on to the next route.
 */
import t from 'tap';
import { CallSession } from '../../src/call/call-session.js';
import { CALLER_CANCEL_REASON, COMPLETED_ELSEWHERE_REASON } from '../../src/call/cancel-reasons.js';
import type {
  ConnectedLeg,
  Dialer,
  DialRequest,
  DialResult,
  InboundLeg,
  Provisional,
} from '../../src/call/ports.js';
import { createLogger } from '../../src/observability/logger.js';
import { type Destination, destinationGroup, type Route } from '../../src/routing/destination.js';

const sip = (user: string): Destination => ({
  type: 'sip',
  uri: `sip:${user}@pbx.example`,
  ringTimeoutMs: 2000,
});
const group = (...users: string[]): Route => destinationGroup(users.map(sip), 2);

const leg = (): ConnectedLeg & { hungUp: boolean } => {
  const l = {
    hungUp: false,
    ended: new Promise<'hangup'>((resolve) => setTimeout(() => resolve('hangup'), 40)),
    remoteSdp: 'sdp',
    hangup: async () => {
      l.hungUp = true;
    },
    onRequest: () => undefined,
    onRefer: () => undefined,
    alive: async () => true,
    request: async () => ({ status: 200 }),
  };
  return l;
};

/** What a fake dealer does once dialled: answer, fail, or ring until cancelled. */
type Script = (r: DialRequest) => Promise<DialResult> | 'ring';

const answer = (delayMs: number, provisional?: Provisional): Script => {
  return (r) =>
    new Promise((resolve) => {
      if (provisional) r.onProvisional(provisional);
      setTimeout(() => {
        const l = leg();
        resolve({ kind: 'answered', leg: l, sdp: `sdp-${r.uri}`, release: () => l.hangup() });
      }, delayMs);
    });
};
/** Scripts that answer in one and the same instant (the same timer callback). */
function together(n: number, delayMs: number): Script[] {
  const answers: (() => void)[] = [];
  setTimeout(() => {
    for (const a of answers) a();
  }, delayMs);
  return Array.from(
    { length: n },
    () => () =>
      new Promise<DialResult>((resolve) => {
        answers.push(() => {
          const l = leg();
          resolve({ kind: 'answered', leg: l, sdp: 'sdp', release: () => l.hangup() });
        });
      }),
  );
}

const fail =
  (status: number, cause: 'busy' | 'unreachable', delayMs = 5): Script =>
  () =>
    new Promise((resolve) => setTimeout(() => resolve({ kind: 'failed', status, cause }), delayMs));

async function run(
  routes: Route[],
  scripts: Record<string, Script>,
  cancelAfterMs?: number,
  lateOffer = false,
) {
  const dialled: DialRequest[] = [];
  const reasons: Record<string, unknown> = {};
  const released: string[] = [];
  const dialer: Dialer = {
    dial: (r) => {
      dialled.push(r);
      const script = scripts[r.uri] ?? (() => 'ring' as const);
      return new Promise<DialResult>((resolve) => {
        r.signal.addEventListener('abort', () => {
          reasons[r.uri] = r.signal.reason;
          resolve({ kind: 'failed', status: 487, cause: 'cancelled' });
        });
        const outcome = script(r);
        if (outcome === 'ring') return;
        void outcome.then((res) => {
          if (res.kind === 'failed') return resolve(res);
          const release = async () => {
            released.push(r.uri);
            await res.release();
          };
          // like the real dialer: an answer after the attempt was cancelled is released by it
          if (r.signal.aborted) void release();
          else resolve({ ...res, release });
        });
      });
    },
  };
  const provisionals: Provisional[] = [];
  let cancel: () => void = () => undefined;
  const rejected: number[] = [];
  const offered: string[] = [];
  const inbound: InboundLeg = {
    sdp: lateOffer ? undefined : 'caller-sdp',
    provisional: (p) => void provisionals.push(p),
    earlyMedia: () => undefined,
    reject: (s) => void rejected.push(s),
    answer: async () => leg(),
    answerWithOffer: async (offer) => {
      offered.push(offer);
      return { leg: leg(), answer: 'caller-answer' };
    },
    onCancel: (h) => {
      cancel = h;
    },
  };
  if (cancelAfterMs !== undefined) setTimeout(() => cancel(), cancelAfterMs);
  const result = await new CallSession(
    inbound,
    routes,
    { callingNumber: '+4917612345678', headers: {} },
    {
      dialer,
      trunk: { route: { scheme: 'sip', hostPort: 'trunk.example', transport: 'udp' } },
      now: Date.now,
      logger: createLogger('silent'),
      maxDurationMs: 30,
      keepaliveMs: 0,
    },
  ).run();
  return { result, dialled, reasons, released, provisionals, rejected, offered };
}

t.test('the second member answers: the first gets CANCEL with completed elsewhere', async (t) => {
  const r = await run([group('a', 'b')], { 'sip:b@pbx.example': answer(20) });
  t.same(
    r.dialled.map((d) => [d.uri, d.timeoutMs]),
    [
      ['sip:a@pbx.example', 2000],
      ['sip:b@pbx.example', 2000],
    ],
    'both members dialled at once with the group ring timeout',
  );
  t.equal(r.reasons['sip:a@pbx.example'], COMPLETED_ELSEWHERE_REASON);
  t.equal(COMPLETED_ELSEWHERE_REASON, 'SIP;cause=200;text="Call completed elsewhere"');
  t.notOk('sip:b@pbx.example' in r.reasons, 'the winner is not cancelled');
  t.match(r.result, { outcome: 'answered', destinationIndex: 0 });
  t.equal(r.result.destination, 'sip:b@pbx.example', 'the member that answered is the one reached');
  t.same(r.result.attempts, [
    { index: 0, member: 0, status: 487, cause: 'completed-elsewhere' },
    { index: 0, member: 1, status: 200, cause: 'answered' },
  ]);
});

t.test('every member busy: the next destination follows', async (t) => {
  const r = await run([group('a', 'b'), sip('c')], {
    'sip:a@pbx.example': fail(486, 'busy'),
    'sip:b@pbx.example': fail(486, 'busy', 15),
    'sip:c@pbx.example': answer(5),
  });
  t.match(r.result, { outcome: 'answered', destinationIndex: 1, destination: 'sip:c@pbx.example' });
  t.same(r.result.attempts, [
    { index: 0, member: 0, status: 486, cause: 'busy' },
    { index: 0, member: 1, status: 486, cause: 'busy' },
    { index: 1, status: 200, cause: 'answered' },
  ]);
  t.same(r.reasons, {}, 'nobody was cancelled');
});

t.test("the group's causes feed the final answer like single destinations", async (t) => {
  const busy = await run([group('a', 'b')], {
    'sip:a@pbx.example': fail(486, 'busy'),
    'sip:b@pbx.example': fail(486, 'busy'),
  });
  t.match(busy.result, { outcome: 'busy', sipStatus: 486 });
  t.notOk('destination' in busy.result, 'nobody answered: no destination reached');
  t.same(busy.rejected, [486]);
  const mixed = await run([group('a', 'b'), sip('c')], {
    'sip:a@pbx.example': fail(486, 'busy'),
    'sip:b@pbx.example': fail(503, 'unreachable'),
    'sip:c@pbx.example': fail(503, 'unreachable'),
  });
  t.match(mixed.result, { outcome: 'failed', sipStatus: 480 });
});

t.test('two members answer at once: one wins, the other is released', async (t) => {
  const [a, b] = together(2, 10);
  const r = await run([group('a', 'b')], { 'sip:a@pbx.example': a!, 'sip:b@pbx.example': b! });
  t.match(r.result, { outcome: 'answered', destinationIndex: 0 });
  t.same(r.released, ['sip:b@pbx.example'], 'the second answer got ACK and BYE');
  t.same(r.result.attempts, [
    { index: 0, member: 0, status: 200, cause: 'answered' },
    { index: 0, member: 1, status: 200, cause: 'completed-elsewhere' },
  ]);
});

t.test("only the first member's early media reaches the caller", async (t) => {
  const r = await run([group('a', 'b', 'c')], {
    'sip:a@pbx.example': answer(30, { status: 180 }),
    'sip:b@pbx.example': answer(40, { status: 183, sdp: 'early-b' }),
    'sip:c@pbx.example': answer(50, { status: 183, sdp: 'early-c' }),
  });
  t.same(r.provisionals, [{ status: 180 }, { status: 183, sdp: 'early-b' }, { status: 183 }]);
  t.match(r.result, { outcome: 'answered' });
});

t.test('the caller cancels: every member gets its CANCEL, the call is cancelled', async (t) => {
  const r = await run([group('a', 'b'), sip('c')], {}, 20);
  t.same(r.reasons, {
    'sip:a@pbx.example': CALLER_CANCEL_REASON,
    'sip:b@pbx.example': CALLER_CANCEL_REASON,
  });
  t.match(r.result, { outcome: 'cancelled', sipStatus: 487 });
  t.equal(r.dialled.length, 2, 'the next destination is not dialled');
  t.same(
    r.result.attempts.map((a) => a.cause),
    ['cancelled', 'cancelled'],
  );
});

t.test(
  "late offer: only the winner's offer reaches the caller, its answer goes back",
  async (t) => {
    const accepted: string[] = [];
    const offers: Script = (r) =>
      new Promise((resolve) => {
        r.onProvisional({ status: 183, sdp: 'early-b' });
        setTimeout(
          () =>
            resolve({
              kind: 'offered',
              offer: `offer-${r.uri}`,
              accept: async (answer) => {
                accepted.push(answer);
                return leg();
              },
              release: async () => undefined,
            }),
          10,
        );
      });
    const r = await run([group('a', 'b')], { 'sip:b@pbx.example': offers }, undefined, true);
    t.same(
      r.dialled.map((d) => d.sdp),
      [undefined, undefined],
      'every member is asked for an offer',
    );
    t.same(r.provisionals, [{ status: 183 }], 'no SDP in an unreliable 18x to a late-offer caller');
    t.same(r.offered, ['offer-sip:b@pbx.example'], "the winner's offer in the caller's 200");
    t.same(accepted, ['caller-answer'], "the caller's answer in the winner's ACK");
    t.equal(r.reasons['sip:a@pbx.example'], COMPLETED_ELSEWHERE_REASON);
    t.match(r.result, { outcome: 'answered' });
  },
);
