// Reliable provisional responses (RFC 3262) for a caller whose INVITE requires 100rel, sent by
// the server itself for an app that never asks (test/standin/reliable.ts): a caller on a raw
// socket, so the test times each PRACK. Runs on the stand-in and, with TEST_DRACHTIO_BIN, on the
// real drachtio-server, whose sofia stack does all of it.
import t, { type Test } from 'tap';
import { againstRealDrachtio } from '../helpers/drachtio-peer.js';
import { inDialog } from '../helpers/raw-peer.js';
import { SDP } from '../helpers/srf-app.js';
import { type BedOptions, datagrams, heldInvite, respond, toApp } from '../helpers/standin-bed.js';

const REQUIRES = ['Require: 100rel', 'Supported: 100rel'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rseqOf = (m: string) => Number(/^RSeq: *(\d+)\r?$/m.exec(m)?.[1]);

/** A caller's INVITE held by the app, and a PRACK for a reliable answer of its early dialog. */
async function call(t: Test, name: string, extra = REQUIRES, options: BedOptions = {}) {
  // drachtio-server's ACK timeout is a fixed 32 s
  const held = await heldInvite(t, name, extra, againstRealDrachtio() ? {} : options);
  /** A PRACK for the reliable answer `answer` (its RSeq), in the early dialog it opened. */
  const prack = (answer: string, cseq: number) =>
    inDialog('PRACK', held.peer, answer, cseq, `z9hG4bK-${name}-prack-${cseq}`).replace(
      /^Contact:/m,
      `RAck: ${rseqOf(answer)} 1 INVITE\r\nContact:`,
    );
  return { ...held, prack };
}

t.test(
  'a caller that requires 100rel: each provisional goes reliably, the next waits for its PRACK, which the server answers',
  async (t) => {
    const { standin, peer, port, res, prack } = await call(t, 'rel-each');
    const echo180 = await respond(res, 180);
    const echo183 = await respond(res, 183, { body: SDP });
    const ringing = await peer.next((m) => m.startsWith('SIP/2.0 180'), 'the 180');
    t.match(ringing, /^Require: 100rel\r?$/m, 'the 180 requires 100rel');
    t.ok(rseqOf(ringing) > 0, `with an RSeq (${rseqOf(ringing)})`);
    t.match(echo180.get('RSeq'), String(rseqOf(ringing)), "the app's echo is what went out");
    await sleep(300);
    t.notOk(
      peer.received.some((m) => m.startsWith('SIP/2.0 183')),
      'the 183 waits while the 180 is not PRACKed',
    );
    t.ok(
      peer.received.filter((m) => m.startsWith('SIP/2.0 180')).length >= 3,
      'the 180 is resent meanwhile',
    );
    t.equal(echo183.status, 180, "the app's 183 was echoed as the last response sent, the 180");

    peer.send(prack(ringing, 2), port);
    const prackOk = await peer.next((m) => /^CSeq: 2 PRACK\r?$/m.test(m), "the PRACK's answer");
    t.match(prackOk, /^SIP\/2\.0 200 OK/, 'the PRACK gets 200');
    const progress = await peer.next((m) => m.startsWith('SIP/2.0 183'), 'the 183 after it');
    t.equal(rseqOf(progress), rseqOf(ringing) + 1, 'the next RSeq');
    t.match(progress, /^Require: 100rel\r?$/m, 'the 183 requires 100rel too');

    peer.send(prack(progress, 3), port);
    await peer.next((m) => /^CSeq: 3 PRACK\r?$/m.test(m), "the second PRACK's answer");
    await respond(res, 200, { body: SDP });
    const ok = await peer.next((m) => /^SIP\/2\.0 200 OK[\s\S]*CSeq: 1 INVITE/m.test(m), 'the 200');
    t.notMatch(ok, /^(RSeq|Require):/m, 'the 200 is an ordinary one');
    t.notOk(
      toApp(standin.trace, 'sip').some((f) => f.sip.startsWith('PRACK')),
      'no PRACK reaches the app',
    );
  },
);

t.test(
  "a 2xx waits while a reliable answer with SDP is not PRACKed; the app's echo is the last response sent",
  async (t) => {
    const { peer, port, res, prack } = await call(t, 'rel-held');
    await respond(res, 183, { body: SDP });
    const progress = await peer.next((m) => m.startsWith('SIP/2.0 183'), 'the 183');
    const echo200 = await respond(res, 200, {
      body: SDP,
      headers: { Contact: '<sip:app@127.0.0.1>' },
    });
    t.equal(echo200.status, 183, 'the 200 is echoed as the 183 that went out last');
    await sleep(300);
    t.notOk(
      peer.received.some((m) => /^SIP\/2\.0 200[\s\S]*CSeq: 1 INVITE/m.test(m)),
      'no 200 before the PRACK',
    );
    peer.send(prack(progress, 2), port);
    await peer.next((m) => /^CSeq: 2 PRACK\r?$/m.test(m), "the PRACK's answer");
    const ok = await peer.next((m) => /^SIP\/2\.0 200[\s\S]*CSeq: 1 INVITE/m.test(m), 'the 200');
    t.match(ok, /^Contact: <sip:app@127\.0\.0\.1>\r?$/m, "the app's 200 once PRACKed");
    const order = peer.firstLines();
    t.ok(
      order.lastIndexOf('SIP/2.0 183 Session Progress') < order.indexOf('SIP/2.0 200 OK'),
      'no 183 after the 200',
    );
  },
);

t.test(
  'no PRACK in 64×T1: the caller gets 503 from the server, and the app, never told, is refused its answer',
  async (t) => {
    const { standin, peer, res } = await call(t, 'rel-lost');
    await respond(res, 180);
    const refused = await peer.next(
      (m) => m.startsWith('SIP/2.0 503'),
      'the 503',
      // 64×T1 with the tests' T1 of 50 ms
      6000,
    );
    t.match(refused, /^SIP\/2\.0 503 Reliable Response Time-Out/, 'sofia names why');
    t.match(refused, /^To: .*;tag=/m, 'in the early dialog of the 180');
    t.ok(
      peer.received.filter((m) => m.startsWith('SIP/2.0 180')).length >= 6,
      'the 180 was sent again, the interval doubling each time',
    );
    t.notOk(
      toApp(standin.trace, 'sip').some((f) => /^(CANCEL|BYE)/.test(f.sip)),
      'nothing tells the app',
    );
    await t.rejects(
      respond(res, 200, { body: SDP }),
      /unknown transaction/,
      "the app's 200 is refused",
    );
  },
);

t.test(
  'an app that asks for reliability a caller lacks is refused by the server, nothing sent',
  async (t) => {
    const { standin, peer, res } = await call(t, 'rel-unsupported', []);
    await t.rejects(
      respond(res, 183, { body: SDP, headers: { Require: '100rel' } }),
      /does not support 100rel/,
    );
    await sleep(200);
    t.notOk(
      datagrams(standin.trace, 'out').some((d) => d.firstLine.startsWith('SIP/2.0 183')),
      'no 183 on the wire',
    );
    t.notOk(
      peer.received.some((m) => m.startsWith('SIP/2.0 183')),
      'and none at the caller',
    );
  },
);

t.test(
  "a 2xx held for a PRACK that never comes: the caller gets 503, and the app's dialog stays, with no word from the server",
  { timeout: 60_000 },
  async (t) => {
    // drachtio-server's ACK timeout, a fixed 32 s: the 2xx's timers it would end the dialog by
    const ackTimeout = againstRealDrachtio() ? 32_000 : 4000;
    const { peer, app, req, res, port } = await call(t, 'rel-held-lost', REQUIRES, { ackTimeout });
    // srf makes the dialog from the echo, the 183 here: it needs a Contact (as the gateway's has)
    await respond(res, 183, { body: SDP, headers: { Contact: `<sip:app@127.0.0.1:${port}>` } });
    const dialog = await app.createUAS(req, res, { localSdp: SDP });
    let ended = false;
    dialog.on('destroy', () => {
      ended = true;
    });
    const refused = await peer.next((m) => m.startsWith('SIP/2.0 503'), 'the 503', 6000);
    t.match(refused, /^SIP\/2\.0 503 Reliable Response Time-Out/);
    await sleep(ackTimeout + 1000);
    t.notOk(
      peer.received.some((m) => /^SIP\/2\.0 200[\s\S]*CSeq: 1 INVITE/m.test(m)),
      'the held 200 never went out',
    );
    t.notOk(ended, "past the ACK timeout the server has not ended the app's dialog");
    t.notOk(
      peer.received.some((m) => m.startsWith('BYE ')),
      'nor sent the caller a BYE',
    );
    await dialog.destroy();
    await peer.next((m) => m.startsWith('BYE '), 'the BYE once the app hangs up');
  },
);
