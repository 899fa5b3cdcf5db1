/**
 * How a voicemail call ends, by how the caller's leg went: its BYE (`caller`, no BYE back), or our
 * 200 never confirmed (`caller-lost`, as on a connected call; the leg still gets a BYE, which a
 * dialog drachtio-server already ended does not send).
 */
import t from 'tap';
import { leaveVoicemail } from '../../src/call/leave-voicemail.js';
import type { LegEnd } from '../../src/call/ports.js';
import { createLogger } from '../../src/observability/logger.js';
import { fakeLeg } from '../helpers/fake-leg.js';

async function ended(how: LegEnd) {
  let hangups = 0;
  const leg = {
    ...fakeLeg('caller-sdp'),
    ended: Promise.resolve(how),
    hangup: async () => {
      hangups++;
    },
  };
  const end = await leaveVoicemail(
    Promise.resolve({ leg, local: 'fs-sdp' }),
    // the recording runs until the caller goes
    {
      mediaAnchor: undefined,
      voicemail: async (stop) => {
        await stop;
        return 'left';
      },
    },
    new Promise(() => undefined),
    { logger: createLogger('silent'), now: () => 0, onAnswered: () => undefined },
  );
  return { end, hangups };
}

t.test("the caller's BYE: ended by the caller, nothing sent back", async (t) => {
  t.match(await ended('hangup'), { end: { sipStatus: 200, endedBy: 'caller' }, hangups: 0 });
});

t.test('a caller that never confirmed our 200: caller-lost, and released', async (t) => {
  t.match(await ended('lost'), { end: { sipStatus: 200, endedBy: 'caller-lost' }, hangups: 1 });
});

t.test('a session nobody refreshed: session-expired', async (t) => {
  t.match(await ended('session-expired'), { end: { endedBy: 'session-expired' } });
});
