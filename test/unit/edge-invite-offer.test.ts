/**
 * The caller's offer from an INVITE's body: SDP as it is, the SDP part of a SIP-I multipart body
 * alone, and every body the gateway cannot honour refused with why (it answers 415).
 */
import t from 'tap';
import { inviteOffer } from '../../src/edge/invite-offer.js';

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
  t.same(inviteOffer(undefined, undefined), { kind: 'offer', sdp: undefined });
  t.same(inviteOffer('application/sdp', ''), { kind: 'offer', sdp: undefined });
  t.same(inviteOffer('application/sdp', SDP), { kind: 'offer', sdp: SDP });
  t.same(inviteOffer('Application/SDP ; charset=utf-8', SDP), { kind: 'offer', sdp: SDP });
  t.same(inviteOffer(undefined, SDP), { kind: 'offer', sdp: SDP }, 'no Content-Type: read as SDP');
});

t.test('SIP-I: the SDP part alone, whatever an optional ISUP part holds', async (t) => {
  t.same(inviteOffer(MULTIPART, sipI('signal;handling=optional')), { kind: 'offer', sdp: SDP });
  t.same(
    inviteOffer(
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
  t.same(inviteOffer(MULTIPART, `preamble\r\n${padded}epilogue\r\n`), { kind: 'offer', sdp: SDP });
  const isupOnly = sipI('signal;handling=optional').replace(
    /--unique-boundary-1\r\nContent-Type: application\/sdp[\s\S]*?(?=--unique-boundary-1\r\n)/,
    '',
  );
  t.same(
    inviteOffer(MULTIPART, isupOnly),
    { kind: 'offer', sdp: undefined },
    'no SDP part: a late offer',
  );
});

t.test('what cannot be honoured is refused, saying why', async (t) => {
  t.same(inviteOffer(MULTIPART, sipI('signal;handling=required')), {
    kind: 'unsupported',
    why: 'a required part of type application/isup',
  });
  t.same(
    inviteOffer(MULTIPART, sipI(undefined)),
    { kind: 'unsupported', why: 'a required part of type application/isup' },
    'no Content-Disposition: required (RFC 3261 20.11)',
  );
  t.same(inviteOffer(MULTIPART, sipI('signal')), {
    kind: 'unsupported',
    why: 'a required part of type application/isup',
  });
  t.same(inviteOffer('application/isup', '\x01\x00'), {
    kind: 'unsupported',
    why: 'a body of type application/isup',
  });
  const unreadable = { kind: 'unsupported', why: 'a multipart body without readable parts' };
  t.same(
    inviteOffer('multipart/mixed', sipI('signal;handling=optional')),
    unreadable,
    'no boundary',
  );
  t.same(
    inviteOffer(MULTIPART, sipI('signal;handling=optional').replace('--unique-boundary-1--', '')),
    unreadable,
    'never closed',
  );
  t.same(
    inviteOffer('multipart/mixed;boundary=other', sipI('signal;handling=optional')),
    unreadable,
  );
});
