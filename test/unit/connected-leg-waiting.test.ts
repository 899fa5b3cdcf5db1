/**
 * A request inside a dialog that comes before the call path has a handler for it (read together
 * with the answer that made the dialog, or while a whisper plays) waits for the handler; one still
 * waiting when the leg ends gets 481. A REFER waits the same way. A leg made of a dialog that has already ended ends at once.
 * srf's dialog is stood in for by an emitter with the fields the leg reads.
 */
import t from 'tap';
import { connectedLeg } from '../../src/sip/connected-leg.js';
import { InFlight } from '../../src/sip/in-flight.js';
import type { SrfDialog, SrfRequest, SrfResponse } from '../../src/sip/srf-types.js';
import { fakeDialog } from '../helpers/fake-dialog.js';

const OFFER = 'v=0\r\no=caller 1 2 IN IP4 127.0.0.1\r\nm=audio 40002 RTP/AVP 0\r\na=sendonly\r\n';

/** A re-INVITE with `OFFER`, and the statuses its response was sent with. */
function reInvite() {
  const sent: number[] = [];
  const req = {
    method: 'INVITE',
    body: OFFER,
    get: (name: string) => (name.toLowerCase() === 'content-type' ? 'application/sdp' : undefined),
    has: () => false,
  } as unknown as SrfRequest;
  const res = { send: (status: number) => sent.push(status) } as unknown as SrfResponse;
  return { req, res, sent };
}

const tick = () => new Promise((r) => setImmediate(r));

t.test('a re-INVITE before the handler waits for it, then gets its answer', async (t) => {
  const dialog = fakeDialog();
  const leg = connectedLeg(dialog, new InFlight());
  const { req, res, sent } = reInvite();
  dialog.emit('modify', req, res);
  await tick();
  t.same(sent, [], 'not answered while nobody can answer it');
  const seen: string[] = [];
  leg.onRequest(async (r) => {
    seen.push(r.body ?? '');
    return { status: 200, body: 'v=0\r\no=dealer 1 2 IN IP4 127.0.0.1\r\na=recvonly\r\n' };
  });
  await tick();
  t.same(seen, [OFFER], 'the handler got the offer');
  t.same(sent, [200], "answered with the handler's answer");
});

t.test('a re-INVITE still waiting when the far end hangs up gets 481', async (t) => {
  const dialog = fakeDialog();
  const leg = connectedLeg(dialog, new InFlight());
  const { req, res, sent } = reInvite();
  dialog.emit('modify', req, res);
  dialog.emit('destroy', req);
  await tick();
  t.same(sent, [481]);
  t.equal(await leg.ended, 'hangup');
});

t.test('a re-INVITE still waiting when we hang up gets 481', async (t) => {
  const dialog = fakeDialog();
  const leg = connectedLeg(dialog, new InFlight());
  const { req, res, sent } = reInvite();
  dialog.emit('modify', req, res);
  await leg.hangup();
  await tick();
  t.same(sent, [481]);
});

t.test('a dialog that ended before the leg was made: the leg has ended', async (t) => {
  const leg = connectedLeg(fakeDialog(false), new InFlight());
  t.equal(await leg.ended, 'hangup');
});

/** A REFER to a German number, and the statuses its response was sent with. */
function referRequest(dialog: SrfDialog) {
  const sent: number[] = [];
  (dialog as unknown as { request: () => Promise<unknown> }).request = async () => ({});
  const req = {
    method: 'REFER',
    get: (name: string) =>
      name.toLowerCase() === 'refer-to' ? '<sip:+4930123456@127.0.0.1>' : undefined,
    has: () => false,
  } as unknown as SrfRequest;
  const res = { send: (status: number) => sent.push(status) } as unknown as SrfResponse;
  return { req, res, sent };
}

t.test("a REFER before the call path took the leg waits for the path's answer", async (t) => {
  const dialog = fakeDialog();
  const leg = connectedLeg(dialog, new InFlight());
  const { req, res, sent } = referRequest(dialog);
  dialog.emit('refer', req, res);
  await tick();
  t.same(sent, [], 'not refused while the whisper plays');
  const targets: string[] = [];
  leg.onRequest(async () => ({ status: 200 }));
  leg.onRefer((refer) => {
    targets.push(refer.target);
    return { accept: true };
  });
  await tick();
  t.same(targets, ['sip:+4930123456@127.0.0.1'], 'the transfer handler got the target');
  t.same(sent, [202]);
});

t.test(
  'a REFER that waited: 403 when the path takes no transfers, 481 when the leg ended',
  async (t) => {
    const taken = fakeDialog();
    const noTransfers = connectedLeg(taken, new InFlight());
    const refused = referRequest(taken);
    taken.emit('refer', refused.req, refused.res);
    noTransfers.onRequest(async () => ({ status: 200 }));
    await tick();
    t.same(refused.sent, [403], 'voicemail takes no transfers');

    const hungUp = fakeDialog();
    const ended = connectedLeg(hungUp, new InFlight());
    const late = referRequest(hungUp);
    hungUp.emit('refer', late.req, late.res);
    await ended.hangup();
    await tick();
    t.same(late.sent, [481], 'the call is over');
  },
);
