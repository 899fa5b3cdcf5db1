// The stand-in's SIP parser: compact names, case, several values per line, folding, body by
// Content-Length, and refusal of what is not SIP.
import t from 'tap';
import {
  callIdOf,
  cseqOf,
  headerValue,
  headerValues,
  parseSip,
  type SipMessage,
} from '../standin/sip-message.js';

function parse(lines: string[], body = ''): SipMessage {
  const result = parseSip(Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'utf8'));
  if (!result.ok) throw new Error(result.error);
  return result.message;
}

const COMPACT = [
  'INVITE sip:+4930100@127.0.0.1:5090 SIP/2.0',
  'v: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-0',
  'f: <sip:a@127.0.0.1>;tag=1',
  't: <sip:b@127.0.0.1>',
  'i: abc@127.0.0.1',
  'CSEQ: 7 invite',
  'm: <sip:a@127.0.0.1:5070>',
  'c: application/sdp',
  'l: 4',
];

t.test('compact and oddly cased header names', async (t) => {
  const msg = parse(COMPACT, 'v=0\r\n');
  t.equal(msg.kind, 'request');
  t.equal(callIdOf(msg), 'abc@127.0.0.1');
  t.same(cseqOf(msg), { seq: 7, method: 'INVITE' });
  t.equal(headerValue(msg.headers, 'Contact'), '<sip:a@127.0.0.1:5070>');
  t.equal(headerValue(msg.headers, 'content-type'), 'application/sdp');
});

t.test('several values in one header line, and across lines', async (t) => {
  const msg = parse([
    ...COMPACT.slice(0, -1),
    'Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK-x',
    'l: 0',
  ]);
  t.same(headerValues(msg.headers, 'via'), [
    'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1',
    'SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-0',
    'SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK-x',
  ]);
});

t.test('commas inside quotes and angle brackets do not split', async (t) => {
  const msg = parse([
    ...COMPACT.slice(0, -1),
    'Contact: "Doe, John" <sip:j@h;x=a,b>, <sip:k@h>',
    'l: 0',
  ]);
  t.same(headerValues(msg.headers, 'contact'), [
    '<sip:a@127.0.0.1:5070>',
    '"Doe, John" <sip:j@h;x=a,b>',
    '<sip:k@h>',
  ]);
});

t.test('folded header lines are joined', async (t) => {
  const msg = parse([...COMPACT.slice(0, -1), 'Subject: first', ' second', 'l: 0']);
  t.equal(headerValue(msg.headers, 's'), 'first second');
});

t.test('body is exactly Content-Length bytes, counted in UTF-8', async (t) => {
  const body = 'Grüße';
  const lines = [...COMPACT.slice(0, -1), `Content-Length: ${Buffer.byteLength(body)}`];
  const msg = parse(lines, `${body}TRAILING`);
  t.equal(msg.body, body);
  t.notMatch(msg.raw, /TRAILING/);
  const short = parseSip(Buffer.from(`${lines.join('\r\n')}\r\n\r\nGr`, 'utf8'));
  t.equal(short.ok, false, 'a body shorter than Content-Length is refused');
});

t.test('responses, and what is not SIP', async (t) => {
  const res = parse(['SIP/2.0 180 Ringing', ...COMPACT.slice(1, -1), 'l: 0']);
  t.equal(res.kind === 'response' && `${res.status} ${res.reason}`, '180 Ringing');
  t.equal(parseSip(Buffer.from('HELLO\r\n\r\n')).ok, false);
  t.equal(
    parseSip(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n')).ok,
    false,
    'no end of headers',
  );
  const missing = parseSip(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nTo: <sip:a@b>\r\n\r\n'));
  t.equal(missing.ok, false, 'mandatory headers missing');
});
