/**
 * The caller's offers while it leaves a message: each moves its FreeSWITCH endpoint and gets
 * FreeSWITCH's answer; a second offer while FreeSWITCH still answers the first gets 500 (RFC 3261
 * 14.2) and the endpoint is not moved twice at once; INFO is taken; without an anchor, 488.
 */
import t from 'tap';
import { leaveVoicemail } from '../../src/call/leave-voicemail.js';
import type { MediaAnchor } from '../../src/call/media-port.js';
import type { DialogRequest } from '../../src/call/ports.js';
import { createLogger } from '../../src/observability/logger.js';
import { fakeLeg } from '../helpers/fake-leg.js';

const hold: DialogRequest = {
  method: 'INVITE',
  body: 'sdp sendonly',
  contentType: 'application/sdp',
};
const tick = () => new Promise((r) => setImmediate(r));

/** A caller leaving a message on a media flow with `anchor`: the caller's leg. */
async function leaving(anchor: MediaAnchor | undefined) {
  const caller = fakeLeg('caller-sdp');
  void leaveVoicemail(
    Promise.resolve({ leg: caller, local: 'fs-sdp' }),
    { mediaAnchor: anchor, voicemail: () => new Promise<'left'>(() => undefined) },
    new Promise(() => undefined),
    { logger: createLogger('silent'), now: () => 0, onAnswered: () => undefined },
  );
  await tick();
  return caller;
}

/** A FreeSWITCH that answers an offer when `answer` is called; `moved`: the offers it got. */
function slowAnchor() {
  const moved: string[] = [];
  const pending: ((sdp: string) => void)[] = [];
  const anchor = {
    updateCaller: (sdp: string) => {
      moved.push(sdp);
      return new Promise<string>((resolve) => pending.push(resolve));
    },
  } as unknown as MediaAnchor;
  return { anchor, moved, answer: (sdp: string) => pending.shift()?.(sdp) };
}

t.test('a second offer while FreeSWITCH answers the first gets 500', async (t) => {
  const { anchor, moved, answer } = slowAnchor();
  const caller = await leaving(anchor);
  const first = caller.send(hold);
  t.same(await caller.send(hold), { status: 500 }, 'the crossing offer is refused');
  t.same(moved, ['sdp sendonly'], 'FreeSWITCH was asked once');
  answer('fs recvonly');
  t.same(await first, { status: 200, body: 'fs recvonly' });
  const again = caller.send({ ...hold, body: 'sdp sendrecv' });
  answer('fs sendrecv');
  t.same(await again, { status: 200, body: 'fs sendrecv' }, 'once answered, offers pass again');
  t.same(await caller.send({ method: 'INFO', body: 'Signal=1' }), { status: 200 }, 'INFO taken');
});

t.test('an offer FreeSWITCH fails on frees the way for the next one', async (t) => {
  let fail = true;
  const anchor = {
    updateCaller: async (sdp: string) => {
      if (fail) throw new Error('modify failed');
      return `fs for ${sdp}`;
    },
  } as unknown as MediaAnchor;
  const caller = await leaving(anchor);
  await t.rejects(caller.send(hold), /modify failed/, 'the failure reaches the leg (500 there)');
  fail = false;
  t.same(await caller.send(hold), { status: 200, body: 'fs for sdp sendonly' });
});

t.test('without a media anchor an offer gets 488', async (t) => {
  const caller = await leaving(undefined);
  t.same(await caller.send(hold), { status: 488 });
});
