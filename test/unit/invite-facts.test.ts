/**
 * The INVITE's facts are read from one lower-case map of its headers, not with srf's `get` per
 * header: for INVITEs parsed by drachtio-srf's own parser (compact forms, odd spellings), every
 * fact is what `get` gives.
 */
import { createRequire } from 'node:module';
import t from 'tap';
import { contactWithoutHost, readInvite } from '../../src/sip/inbound.js';
import type { SrfRequest } from '../../src/sip/srf-types.js';

const require = createRequire(import.meta.url);
const SipMessage = require('drachtio-srf/lib/sip-parser/message.js') as new (
  raw: string,
) => SrfRequest & { uri: string };

const invite = (headers: string[]) =>
  [
    'INVITE sip:+493025550101@gw.example SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1',
    ...headers,
    'CSeq: 1 INVITE',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');

const asRequest = (raw: string): SrfRequest => {
  const msg = new SipMessage(raw);
  return Object.assign(msg, { source_address: '192.0.2.1', callId: 'from-drachtio' });
};

t.test('every fact as srf get reads it, compact forms and odd spellings included', async (t) => {
  const cases = {
    'full names': [
      'From: <sip:+4930123456@carrier.example>;tag=a',
      'To: <sip:+493025550101@gw.example>',
      'Call-ID: 1-28957@192.0.2.1',
      'Max-Forwards: 69',
      'User-Agent: carrier-sbc',
      'P-Asserted-Identity: <sip:+4930123456@carrier.example>',
      'Privacy: id',
      'History-Info: <sip:+493025550101@gw.example>;index=1',
      'Diversion: <sip:+4930999@carrier.example>;reason=unconditional',
      'Require: timer',
    ],
    'compact and lower case': [
      'f: <sip:+4930123456@carrier.example>;tag=a',
      't: <sip:+493025550101@gw.example>',
      'i: 2-28957@192.0.2.1',
      'max-forwards: 3',
      'p-asserted-identity: <tel:+4930123456>',
      'DIVERSION: <sip:+4930999@carrier.example>',
      'require: 100rel',
      'REQUIRE: precondition',
    ],
    'nothing optional': ['f: <sip:anonymous@anonymous.invalid>;tag=b', 't: <sip:x@gw.example>'],
  };
  for (const [name, headers] of Object.entries(cases)) {
    const req = asRequest(invite(headers));
    const { facts } = readInvite(req);
    const byGet = {
      callId: req.get('Call-ID') ?? 'from-drachtio',
      userAgent: req.get('User-Agent'),
      to: req.get('To'),
      from: req.get('From'),
      privacy: req.get('Privacy'),
      assertedIdentity: req.get('P-Asserted-Identity'),
      maxForwards: req.get('Max-Forwards'),
      historyInfo: req.get('History-Info'),
      diversion: req.get('Diversion'),
      require: req.get('Require'),
    };
    for (const [key, value] of Object.entries(byGet))
      t.equal(facts[key as keyof typeof facts], value || undefined, `${name}: ${key}`);
    t.equal(facts.requestUri, 'sip:+493025550101@gw.example');
  }
  const twoLines = readInvite(asRequest(invite(cases['compact and lower case']))).facts;
  t.equal(twoLines.require, '100rel,precondition', 'two Require lines arrive as one list');
});

t.test('the offer is read by the Content-Type, which is not kept among the facts', async (t) => {
  const sdp = 'v=0\r\no=c 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
  const withBody = (type: string, body: string) =>
    asRequest(
      invite([`c: ${type}`, 'f: <sip:a@b>;tag=1', 't: <sip:c@d>']).replace(
        'Content-Length: 0\r\n\r\n',
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      ),
    );
  const plain = readInvite(withBody('application/sdp', sdp));
  t.same(plain.offer, { kind: 'offer', sdp });
  t.notOk('contentType' in plain.facts);
  t.notOk('unreadableBody' in plain.facts);
  const isup = readInvite(withBody('application/isup', 'x'));
  t.same(isup.offer, { kind: 'unsupported', why: 'a body of type application/isup' });
  t.equal(isup.facts.unreadableBody, 'a body of type application/isup', 'the compact c: form');
});

t.test('a Contact that names no host: what drachtio-server v0.9.10 dies answering', async (t) => {
  for (const contact of ['*', ' * ', '<tel:+4930123>', 'tel:+4930123', '<sip:>', '<sip:u@>'])
    t.ok(contactWithoutHost(contact), contact);
  t.ok(contactWithoutHost('"Max <sip:x@y>" <tel:+4930>'), 'a quoted name does not count');
  t.ok(contactWithoutHost('<urn:service:sos>'), 'only sip:/sips: with a host is answered');
  for (const contact of [
    '<sip:caller@198.51.100.7:5060>',
    'sip:caller@pbx.example;transport=tcp',
    '"A, B" <sips:[2001:db8::1]:5061>',
    '<sip:pbx.example>;expires=60',
  ])
    t.notOk(contactWithoutHost(contact), contact);
  t.notOk(contactWithoutHost(undefined), 'no Contact: srf refuses the dialog, the server lives');
});
