/**
 * A caller's INVITE without SDP (late offer), end to end: signalling only, the dealer's offer
 * travels in the caller's 200 and the caller's answer in the dealer's ACK; media-anchored, the
 * caller gets FreeSWITCH's offer and its answer moves the caller's endpoint. An INVITE for a
 * dialog the gateway does not know yet gets 481.
 */
import t from 'tap';
import {
  callThrough as call,
  dealerSipp as dealer,
  oneCall,
  received,
  receivedAnswer,
} from '../helpers/call-bed.js';
import { released, startMediaGateway } from '../helpers/media-bed.js';
import { passed } from '../helpers/sipp.js';

t.test(
  'signalling only: the dealer offers in its 200, the caller answers in its ACK',
  async (t) => {
    const {
      gw,
      caller: c,
      dealer: dealerSaw,
    } = await oneCall(t, {
      caller: 'uac-late-offer-expect-200-offer-ack-answer.xml',
      dealer: 'uas-answer-offer-expect-ack-answer.xml',
    });
    t.match(received(dealerSaw, 'INVITE')?.text, /^Content-Length: *0/m, 'the dealer got no offer');
    const ok = c.messages.find(
      (m) => m.dir === 'received' && m.firstLine.startsWith('SIP/2.0 200'),
    );
    t.match(ok?.text, /^o=dealer 11111 22222 /m, "the caller's 200 carries the dealer's offer");
    t.match(ok?.text, /^a=rtpmap:8 PCMA/m, 'whole, both codecs');
    t.match(
      received(dealerSaw, 'ACK')?.text,
      /^o=caller /m,
      "the dealer's ACK carries the caller's answer",
    );
    t.match((await gw.records(1))[0], { outcome: 'answered', sipStatus: 200, endedBy: 'caller' });
  },
);

t.test(
  "a SIP-I dealer offers in a multipart 200: the caller's 200 carries the SDP part alone",
  async (t) => {
    const { caller, dealer } = await oneCall(t, {
      caller: 'uac-late-offer-expect-200-offer-ack-answer.xml',
      dealer: 'uas-answer-sipi-offer-expect-ack-answer.xml',
    });
    const ok = receivedAnswer(caller, 200);
    t.match(ok?.text, /^Content-Type: application\/sdp\r?$/m);
    t.match(ok?.text, /^o=dealer 11111 22222 /m, "the dealer's offer");
    t.notMatch(ok?.text, /boundary|ISUP/i, 'nothing of the multipart body');
    t.match(received(dealer, 'ACK')?.text, /^o=caller /m, "the dealer's ACK: the caller's answer");
  },
);

t.test(
  "media-anchored: FreeSWITCH offers to the caller, the caller's answer moves its endpoint",
  async (t) => {
    const d = await dealer('uas-answer-200.xml');
    const gw = await startMediaGateway(t, [{ port: d.port }]);
    const c = await call(gw, 'uac-late-offer-expect-200-offer-ack-answer.xml');
    t.match(c, { exitCode: 0, counts: { successful: 1 } }, `caller: ${c.errors}`);
    const got = c.messages.filter((m) => m.dir === 'received').map((m) => m.firstLine);
    t.notOk(
      got.some((l) => l.startsWith('SIP/2.0 183')),
      'no early media offer in an unreliable 183',
    );
    t.ok(got.includes('SIP/2.0 180 Ringing'), 'a 180 instead');
    const ok = c.messages.find(
      (m) => m.dir === 'received' && m.firstLine.startsWith('SIP/2.0 200'),
    );
    t.notMatch(ok?.text, /o=dealer/, "the caller is offered FreeSWITCH's media, not the dealer's");
    await passed(t, d, 'dealer');
    const movedTo = gw.fs.trace.find(
      (r) =>
        r.kind === 'sip' &&
        r.dir === 'in' &&
        r.firstLine.startsWith('INVITE ') &&
        /o=caller/.test(r.text),
    );
    t.ok(movedTo, "FreeSWITCH got the caller's answer (re-INVITE of the caller's endpoint)");
    t.notOk(
      gw.fs.trace.some((r) => r.kind === 'sip' && /RTP\/SAVP/.test(r.text) && r.dir === 'out'),
      'FreeSWITCH never offered SRTP to itself',
    );
    t.match((await gw.records(1))[0], {
      outcome: 'answered',
      endedBy: 'caller',
      media: { anchored: true, whisper: 'played' },
    });
    await released(t, gw);
  },
);

t.test('an INVITE for a dialog the gateway does not know gets 481, never a new call', async (t) => {
  // drachtio knows the dealer's dialog from its 200; the gateway makes it its own only with the
  // ACK, after the caller's answer: a re-INVITE in between names no dialog of the gateway's
  // the dealer's scenario expects the 481 for its re-INVITE
  const { gw } = await oneCall(t, {
    caller: 'uac-late-offer-ack-after-1s-caller-bye.xml',
    dealer: 'uas-answer-offer-reinvite-before-ack-expect-481.xml',
  });
  const records = await gw.records(1);
  t.equal(records.length, 1, 'one call, one record: the stray INVITE was no call');
  t.match(records[0], { outcome: 'answered', endedBy: 'caller' });
  t.match(await gw.metrics(), /^calltrack_unmatched_requests_total\{method="INVITE"\} 1$/m);
});
