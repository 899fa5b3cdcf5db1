/**
 * Timer C: drachtio-server's sofia-sip runs it on every INVITE it sends (nta.c: no NTATAG_UA, so
 * as a proxy would). An INVITE that had a provisional and then none for 185 s is cancelled by
 * the stack without the app's asking; each provisional starts the wait anew. The app hears only
 * the 487. Seen on v0.9.10: a 180 at 0.5 s, the CANCEL at 185.5 s. Against it
 * (`TEST_DRACHTIO_BIN`) this case takes 185 s and more; the stand-in's timer C is shortened.
 */
import t from 'tap';
import { againstRealDrachtio } from '../helpers/drachtio-peer.js';
import { answeringPeer, peerResponse } from '../helpers/raw-peer.js';
import { dialed, standUp } from '../helpers/standin-bed.js';

/** drachtio-server's timer C, a constant of its build; the stand-in's, shortened. */
const TIMER_C_MS = againstRealDrachtio() ? 185_000 : 2000;

t.test(
  'a dealer ringing without another provisional for timer C: the stack’s CANCEL, the app gets 487',
  { timeout: TIMER_C_MS * 3 },
  async (t) => {
    const { app } = await standUp(t, againstRealDrachtio() ? {} : { timerC: TIMER_C_MS });
    const at: Record<string, number> = {};
    const started = Date.now();
    const peer = await answeringPeer(t, (request, reply, self) => {
      const method = request.split(' ', 1)[0] ?? '';
      if (method === 'INVITE' && at.INVITE === undefined) {
        at.INVITE = Date.now() - started;
        reply(peerResponse(request, '180 Ringing', ['Contact: <sip:d@127.0.0.1>']));
        // a second provisional halfway: timer C starts again from it
        setTimeout(() => {
          at.progress = Date.now() - started;
          reply(peerResponse(request, '183 Session Progress', ['Contact: <sip:d@127.0.0.1>']));
        }, TIMER_C_MS / 2);
      } else if (method === 'CANCEL') {
        at.CANCEL = Date.now() - started;
        reply(peerResponse(request, '200 OK'));
        const invite = self.received.find((m) => m.startsWith('INVITE ')) ?? '';
        reply(peerResponse(invite, '487 Request Terminated'));
      }
    });
    t.equal(await dialed(app, `sip:d@127.0.0.1:${peer.port}`), 487, 'the app gets the 487');
    const cancel = peer.received.find((m) => m.startsWith('CANCEL ')) ?? '';
    t.ok(cancel, 'a CANCEL the app never asked for');
    t.notMatch(cancel, /^Reason:/m, 'with none of the app’s headers');
    const sinceProgress = (at.CANCEL ?? 0) - (at.progress ?? Number.POSITIVE_INFINITY);
    t.ok(sinceProgress >= TIMER_C_MS - 50, `${sinceProgress} ms after the 183: restarted by it`);
    await peer.next((m) => m.startsWith('ACK '), 'the stack’s ACK of the 487');
  },
);
