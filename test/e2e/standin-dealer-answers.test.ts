/**
 * A dealer's answers the way some PBXs give them, to an INVITE of the app's: a reliable 183
 * (PRACKed by srf, its retransmission dropped by sofia), a 200 without Contact, a strict
 * Record-Route, a 100 whose To has an empty tag. Each case was seen on drachtio-server v0.9.10
 * (`TEST_DRACHTIO_BIN`) and runs on it unchanged.
 */
import t from 'tap';
import { answeringPeer, peerResponse } from '../helpers/raw-peer.js';
import { SDP, type SrfMessage, type SrfRequest } from '../helpers/srf-app.js';
import { replyTo, standUp } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

const ok = (request: string, extra: string[] = [], body = '') =>
  peerResponse(
    request,
    '200 OK',
    [...extra, ...(body ? ['Content-Type: application/sdp'] : [])],
    body,
    'd1',
  );
const method = (text: string) => text.split(' ')[0];
const cseqOf = (text: string) => Number(/^CSeq: (\d+)/m.exec(text)?.[1]);

t.test('a reliable 183: srf PRACKs it, a retransmission after the PRACK is dropped', async (t) => {
  const { app } = await standUp(t);
  let invite = '';
  const peer = await answeringPeer(t, (request, reply) => {
    const contact = `Contact: <sip:dealer@127.0.0.1:${peer.port}>`;
    const progress = () =>
      peerResponse(
        invite,
        '183 Session Progress',
        ['Require: 100rel', 'RSeq: 1', contact, 'Content-Type: application/sdp'],
        SDP,
        'd1',
      );
    if (method(request) === 'INVITE') {
      invite = request;
      reply(progress());
    } else if (method(request) === 'PRACK') {
      reply(ok(request));
      reply(progress()); // sent again after the PRACK: sofia's RSeq check drops it
      setTimeout(() => reply(ok(invite, [contact], SDP)), 200);
    } else if (method(request) !== 'ACK') reply(ok(request));
  });
  const provisionals: number[] = [];
  const dialog = await app.createUAC(
    `sip:dealer@127.0.0.1:${peer.port}`,
    { localSdp: SDP },
    { cbProvisional: (res: SrfMessage) => provisionals.push(res.status) },
  );
  await dialog.destroy();
  await peer.next((m) => m.startsWith('BYE'), 'the BYE');
  const got = peer.received.filter((m) => !m.startsWith('SIP/2.0'));
  t.same(got.map(method), ['INVITE', 'PRACK', 'ACK', 'BYE']);
  const prack = got[1] ?? '';
  t.match(prack, new RegExp(`^RAck: 1 ${cseqOf(invite)} INVITE$`, 'm'), 'RAck names the 183');
  t.ok(cseqOf(got[3] ?? '') > cseqOf(prack), 'the BYE’s CSeq goes on from the PRACK’s');
  t.same(provisionals, [183], 'the app heard the 183 once');
});

t.test('a 200 without Contact: srf refuses it, the ACK has no target and is refused', async (t) => {
  const { standin, app } = await standUp(t);
  const peer = await answeringPeer(t, (request, reply) => {
    if (method(request) === 'INVITE') reply(ok(request, [], SDP));
  });
  const err = await app.createUAC(`sip:dealer@127.0.0.1:${peer.port}`, { localSdp: SDP }).then(
    () => undefined,
    (e: Error & { status?: number }) => e,
  );
  t.equal(err?.status, 500, 'srf: no Contact header in response');
  await waitFor(() => replyTo(standin.trace, /^ACK /), 3000, 'the ACK asked for');
  t.equal(replyTo(standin.trace, /^ACK /)?.tokens[3], 'NOK', 'refused: no route');
  await new Promise((r) => setTimeout(r, 300));
  t.same(peer.received.map(method), ['INVITE'], 'the dealer never gets an ACK');
});

t.test(
  'a strict Record-Route: the route is the Request-URI, the Contact the last Route',
  async (t) => {
    const { app } = await standUp(t);
    const peer = await answeringPeer(t, (request, reply) => {
      const contact = `Contact: <sip:dealer@127.0.0.1:${peer.port}>`;
      const route = `Record-Route: <sip:127.0.0.1:${peer.port}>`;
      if (method(request) === 'INVITE') reply(ok(request, [contact, route], SDP));
      else if (method(request) !== 'ACK') reply(ok(request));
    });
    const dialog = await app.createUAC(`sip:dealer@127.0.0.1:${peer.port}`, { localSdp: SDP });
    await dialog.destroy();
    await peer.next((m) => m.startsWith('BYE'), 'the BYE');
    for (const m of peer.received.filter((r) => /^(ACK|BYE) /.test(r))) {
      t.match(m, new RegExp(`^${method(m)} sip:127\\.0\\.0\\.1:${peer.port} SIP/2\\.0\\r\\n`));
      t.match(m, new RegExp(`^Route: <sip:dealer@127\\.0\\.0\\.1:${peer.port}>\\r$`, 'm'));
    }
  },
);

t.test(
  'a 100 whose To has an empty tag does not parse: dropped, the CANCEL never goes',
  async (t) => {
    const { app } = await standUp(t);
    const peer = await answeringPeer(t, (request, reply) => {
      if (method(request) !== 'INVITE') return;
      reply(peerResponse(request, '100 Trying').replace(/^(To: .*)$/m, '$1;tag='));
    });
    let request: SrfRequest | undefined;
    const outcome = app
      .createUAC(
        `sip:dealer@127.0.0.1:${peer.port}`,
        { localSdp: SDP },
        { cbRequest: (_err: unknown, req: SrfRequest) => (request = req) },
      )
      .then(
        () => 200,
        (e: { status?: number }) => e.status,
      );
    (await waitFor(() => request, 3000, 'the INVITE sent')).cancel();
    t.equal(await outcome, 408, 'the INVITE times out (timer B)');
    const got = peer.received.map(method);
    t.ok(
      got.filter((m) => m === 'INVITE').length > 1,
      'the INVITE sent again: no provisional came',
    );
    t.notOk(got.includes('CANCEL'), 'the CANCEL held for a provisional that never came');
  },
);
