/**
 * SDP out of a body: a request's offer (SDP as it is, the SDP part of a SIP-I multipart body
 * alone, every body the gateway cannot honour refused with why: it answers 415), and a response's
 * SDP, which cannot be refused (the SDP part, or none).
 */
import t from 'tap';
import { requestOffer, responseSdp, untypedSdp } from '../../src/edge/sdp-body.js';

const SDP =
  'v=0\r\no=caller 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
const MULTIPART = 'multipart/mixed;boundary="unique-boundary-1"';

/** A SIP-I body (RFC 3204 example shape): the SDP, then the ISUP part with `disposition`. */
const sipI = (disposition: string | undefined, eol = '\r\n') =>
  [
    '--unique-boundary-1',
    'Content-Type: application/sdp',
    '',
    SDP.trimEnd(),
    '',
    '--unique-boundary-1',
    'Content-Type: application/ISUP;version=itu-t92+',
    ...(disposition === undefined ? [] : [`Content-Disposition: ${disposition}`]),
    '',
    '\x01\x00\x49\x00',
    '--unique-boundary-1--',
    '',
  ].join(eol);

t.test('no body is a late offer; SDP is the offer as it came', async (t) => {
  t.same(requestOffer(undefined, undefined), { kind: 'offer', sdp: undefined });
  t.same(requestOffer('application/sdp', ''), { kind: 'offer', sdp: undefined });
  t.same(requestOffer('application/sdp', SDP), { kind: 'offer', sdp: SDP });
  t.same(requestOffer('Application/SDP ; charset=utf-8', SDP), { kind: 'offer', sdp: SDP });
  t.same(requestOffer('application / sdp', SDP), { kind: 'offer', sdp: SDP }, 'LWS around /');
  t.same(
    requestOffer(undefined, SDP),
    { kind: 'offer', sdp: SDP },
    'no Content-Type: SDP by its shape',
  );
  t.same(
    requestOffer(undefined, sipI('signal;handling=optional')),
    { kind: 'offer', sdp: SDP },
    'no Content-Type: a multipart body by its delimiter line',
  );
});

t.test('SIP-I: the SDP part alone, whatever an optional ISUP part holds', async (t) => {
  t.same(requestOffer(MULTIPART, sipI('signal;handling=optional')), { kind: 'offer', sdp: SDP });
  t.same(
    requestOffer(
      'multipart/mixed; boundary=unique-boundary-1',
      sipI('signal; handling="optional"', '\n'),
    ),
    { kind: 'offer', sdp: SDP },
    'an unquoted boundary, a quoted handling, LF line ends (the SDP goes on with CRLF)',
  );
  const padded = sipI('signal;handling=optional').replace(
    '--unique-boundary-1\r\n',
    '--unique-boundary-1  \r\n',
  );
  t.same(requestOffer(MULTIPART, `preamble\r\n${padded}epilogue\r\n`), { kind: 'offer', sdp: SDP });
  const isupOnly = sipI('signal;handling=optional').replace(
    /--unique-boundary-1\r\nContent-Type: application\/sdp[\s\S]*?(?=--unique-boundary-1\r\n)/,
    '',
  );
  t.same(
    requestOffer(MULTIPART, isupOnly),
    { kind: 'offer', sdp: undefined },
    'no SDP part: a late offer',
  );
});

t.test('what cannot be honoured is refused, saying why', async (t) => {
  t.same(requestOffer(MULTIPART, sipI('signal;handling=required')), {
    kind: 'unsupported',
    why: 'a required part of type application/isup',
  });
  t.same(
    requestOffer(MULTIPART, sipI(undefined)),
    { kind: 'unsupported', why: 'a required part of type application/isup' },
    'no Content-Disposition: required (RFC 3261 20.11)',
  );
  t.same(requestOffer(MULTIPART, sipI('signal')), {
    kind: 'unsupported',
    why: 'a required part of type application/isup',
  });
  t.same(requestOffer('application/isup', '\x01\x00'), {
    kind: 'unsupported',
    why: 'a body of type application/isup',
  });
  const unreadable = { kind: 'unsupported', why: 'a multipart body without readable parts' };
  t.same(
    requestOffer('multipart/mixed', sipI('signal;handling=optional')),
    unreadable,
    'no boundary',
  );
  t.same(
    requestOffer(MULTIPART, sipI('signal;handling=optional').replace('--unique-boundary-1--', '')),
    unreadable,
    'never closed',
  );
  t.same(
    requestOffer('multipart/mixed;boundary=other', sipI('signal;handling=optional')),
    unreadable,
  );
});

t.test("a response's SDP: the SDP part whatever else it carries, or none", async (t) => {
  t.equal(responseSdp('application/sdp', SDP), SDP);
  t.equal(responseSdp(undefined, SDP), SDP);
  t.equal(responseSdp(undefined, sipI('signal')), SDP, 'no Content-Type: told by its shape');
  t.equal(responseSdp('application/sdp', ''), undefined);
  t.equal(
    responseSdp(MULTIPART, sipI('signal;handling=required')),
    SDP,
    'a response cannot be refused',
  );
  t.equal(responseSdp(MULTIPART, sipI(undefined)), SDP);
  t.equal(responseSdp('application/isup', '\x01\x00'), undefined, 'no SDP in it');
  t.equal(
    responseSdp('multipart/mixed', sipI('signal;handling=optional')),
    undefined,
    'no boundary',
  );
});

t.test('a body without its headers: SDP by its v= line, multipart by its delimiter', async (t) => {
  t.equal(untypedSdp(SDP), SDP);
  t.equal(untypedSdp(sipI('signal;handling=optional')), SDP);
  t.equal(untypedSdp(sipI(undefined, '\n')), SDP, 'LF line ends');
  const noSdp = sipI('signal').replace('application/sdp', 'text/plain');
  t.equal(untypedSdp(noSdp), noSdp, 'no SDP part: as it came');
  t.equal(untypedSdp('garbage'), 'garbage', 'anything else: as it came');
  const preamble = `preamble\r\n${sipI('signal')}`;
  t.equal(untypedSdp(preamble), preamble, 'a preamble hides the boundary: as it came');
});
