// Requests with a header sofia cannot parse, as drachtio-server v0.9.10 answers them (each row
// below was sent to it; test/standin/sanity.ts): nta refuses the headers of its error mask with
// "400 Bad <Name> Header" in or out of a dialog; drachtio-server refuses any other header sofia
// parses with "400 Bad Request", but only in a new request; headers sofia does not know pass
// whatever they hold. Runs on the stand-in and, with TEST_DRACHTIO_BIN, on the real server.
import t from 'tap';
import { inDialog, UdpPeer } from '../helpers/raw-peer.js';
import { baseInvite } from '../helpers/sip-fuzz.js';
import { SDP } from '../helpers/srf-app.js';
import { heldInvite, routesTaken, standUp, toApp } from '../helpers/standin-bed.js';

/** A header line in an INVITE, and the first line of what the caller gets (486: the app's). */
const ROWS: [string, string][] = [
  ['Content-Disposition: session;handling=required', '486 Busy Here'],
  ['Content-Disposition: ;handling=optional', '400 Bad Content-Disposition Header'],
  ['Content-Disposition: "session"', '400 Bad Content-Disposition Header'],
  ['Record-Route: sip:p.example.com;lr', '486 Busy Here'],
  ['Record-Route: <sip:p.example.com;lr', '400 Bad Record-Route Header'],
  ['RAck: one 1 INVITE', '400 Bad RAck Header'],
  ['RSeq: x', '400 Bad RSeq Header'],
  ['Event: "presence"', '400 Bad Event Header'],
  ['Subscription-State: "active"', '400 Bad Subscription-State Header'],
  ['Session-Expires: 1800;refresher', '486 Busy Here'],
  ['Session-Expires: soon', '400 Bad Session-Expires Header'],
  ['Session-Expires: -5', '400 Bad Session-Expires Header'],
  ['Min-SE: x', '400 Bad Min-SE Header'],
  ['SIP-ETag: "x"', '400 Bad SIP-ETag Header'],
  ['Expires: soon', '400 Bad Expires Header'],
  ['Route: <sip:p.example.com;lr', '400 Bad Request'],
  ['Max-Forwards: many', '400 Bad Request'],
  ['Privacy: "id"', '400 Bad Request'],
  ['Supported: "timer"', '400 Bad Request'],
  ['Proxy-Require: "x"', '400 Bad Request'],
  ['Accept: sdp', '400 Bad Request'],
  ['Allow: "INVITE"', '400 Bad Request'],
  ['Refer-To: <sip:x', '400 Bad Request'],
  ['Reason: "x"', '400 Bad Request'],
  ['P-Asserted-Identity: <sip:x', '400 Bad Request'],
  ['Replaces: ;x', '400 Bad Request'],
  // two bad headers, the first outside the mask: nta refuses the request and names the first
  ['Privacy: "id"\r\nSession-Expires: soon', '400 Bad Privacy Header'],
  // sofia's parsers that take these shapes, and headers it does not parse at all
  ['Content-Encoding: gzip deflate', '486 Busy Here'],
  ['SIP-If-Match: a b', '486 Busy Here'],
  ['History-Info: <sip:x', '486 Busy Here'],
  ['Diversion: <sip:x', '486 Busy Here'],
];

t.test('a new INVITE: refused as drachtio-server refuses it, or handed to the app', async (t) => {
  const { standin, app } = await standUp(t);
  app.invite((_req, res) => res.send(486));
  await routesTaken(standin.trace);
  const port = standin.sipAddress.port;
  await Promise.all(
    ROWS.map(async ([header, expected], i) => {
      const peer = await UdpPeer.open(t);
      const from = { address: '127.0.0.1', port: peer.port };
      peer.send(baseInvite(`hc-${i}`, '+493025550101', from, { extraHeaders: [header] }), port);
      const final = await peer.next((m) => /^SIP\/2\.0 [2-6]/.test(m), header);
      t.equal(final.split('\r\n')[0], `SIP/2.0 ${expected}`, header);
    }),
  );
});

t.test(
  'inside a dialog only the error mask counts: a bad Privacy reaches the app, a bad Session-Expires does not',
  async (t) => {
    const { app, standin, peer, port, req, res } = await heldInvite(t, 'hc-dlg');
    await app.createUAS(req, res, { localSdp: SDP });
    const ok = await peer.next((m) => m.startsWith('SIP/2.0 200'), 'the 200');
    peer.send(inDialog('ACK', peer, ok, 1, 'z9hG4bK-hc-ack'), port);
    const info = (cseq: number, header: string) =>
      peer.send(
        inDialog('INFO', peer, ok, cseq, `z9hG4bK-hc-${cseq}`).replace(
          'Content-Length: 0',
          `${header}\nContent-Length: 0`,
        ),
        port,
      );
    const answerTo = (cseq: number) =>
      peer.next((m) => new RegExp(`^CSeq: ${cseq} INFO\\r?$`, 'm').test(m), `the INFO ${cseq}`);
    info(2, 'Privacy: "id"');
    t.match(await answerTo(2), /^SIP\/2\.0 200 /, 'the bad Privacy: answered by the app');
    info(3, 'Session-Expires: soon');
    t.match(
      await answerTo(3),
      /^SIP\/2\.0 400 Bad Session-Expires Header/,
      'the bad Session-Expires: refused by nta',
    );
    t.same(
      toApp(standin.trace, 'sip')
        .filter((f) => f.sip.startsWith('INFO'))
        .map((f) => /^CSeq: (\d+)/m.exec(f.sip)?.[1]),
      ['2'],
      'only the first reached the app',
    );
  },
);
