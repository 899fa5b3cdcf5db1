// The stand-in's model of what sofia-sip does with malformed requests (test/standin/sanity.ts),
// checked on the RFC 4475 torture messages where sofia's own code decides the outcome.
import t from 'tap';
import { tortureMessages } from '../helpers/hostile-peer.js';
import { baseInvite } from '../helpers/sip-fuzz.js';
import { cutShortInLog, sentBy, triage } from '../standin/sanity.js';

const byName = new Map(tortureMessages().map((m) => [m.name, m.data]));
const of = (name: string) => {
  const data = byName.get(name);
  if (!data) throw new Error(`no torture message ${name}`);
  return triage(data);
};

t.test('well-formed requests pass, with their method and version', async (t) => {
  for (const name of ['wsinv', 'esc01', 'escnull', 'lwsdisp', 'semiuri', 'transports']) {
    t.equal(of(name).action, 'request', name);
  }
  const wsinv = of('wsinv');
  t.match(wsinv, { action: 'request', request: { method: 'INVITE', version: '2.0' } });
});

t.test('a message sofia’s log cuts short fails sip_sanity_check: 400', async (t) => {
  // mpart01's binary body holds NUL bytes (a NUL in a body drew v0.9.10's 400)
  t.match(of('mpart01'), { action: 'reply', status: 400, checked: true }, 'mpart01');
  t.notOk(cutShortInLog(Buffer.from(`X: ${'a'.repeat(8189)}\r\n`)), 'a line of 8192 bytes');
  t.ok(cutShortInLog(Buffer.from(`X: ${'a'.repeat(8190)}\r\n`)), 'a line of 8193 bytes');
  t.ok(cutShortInLog(Buffer.from('X: a\0b\r\n')), 'a NUL');
});

t.test('a datagram holds one message: what follows Content-Length is ignored', async (t) => {
  const dbl = of('dblreq');
  t.match(dbl, { action: 'request', request: { method: 'REGISTER' } });
  t.notMatch(dbl.action === 'request' ? dbl.request.raw : '', /INVITE/);
});

t.test('a top Via of another transport is dropped (agent_check_request_via)', async (t) => {
  for (const name of ['esc02', 'longreq']) t.equal(of(name).action, 'drop', name);
  // intmeth's To holds a NUL: cut short in sofia's log, insane before its Via is checked, so a
  // 400 to its sent-by (a host name: sent nowhere here)
  t.match(of('intmeth'), { action: 'reply', status: 400, checked: false }, 'intmeth');
});

t.test('sanity failures and unparseable headers with a Via get 400', async (t) => {
  for (const name of ['insuf', 'mismatch01', 'mismatch02', 'ncl', 'quotbal', 'clerr'])
    t.match(of(name), { action: 'reply', status: 400, checked: true }, name);
  // its Via is TCP: agent_check_request_via fails, the 400 goes to the sent-by as written
  t.match(of('scalar02'), { action: 'reply', status: 400, checked: false }, 'scalar02');
});

t.test('a version other than SIP/2.0 gets 505, sent before the Via is checked', async (t) => {
  const verdict = of('badvers');
  t.match(verdict, { action: 'reply', status: 505, checked: false });
  if (verdict.action === 'reply')
    t.same(sentBy(verdict.request), { transport: 'UDP', host: 'c.example.com', port: 5060 });
});

t.test("an unchecked Via's sent-by: received and rport first, then host and port", async (t) => {
  const sentByOf = (via: string) =>
    sentBy({ headers: [{ name: 'v', value: via }] } as Parameters<typeof sentBy>[0]);
  t.same(sentByOf('SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1'), {
    transport: 'UDP',
    host: '192.0.2.1',
    port: 5070,
  });
  t.same(sentByOf('SIP/2.0/udp h.example;received=192.0.2.2;rport=6000, SIP/2.0/UDP x:1'), {
    transport: 'UDP',
    host: '192.0.2.2',
    port: 6000,
  });
  t.same(sentByOf('SIP/2.0/TCP [2001:db8::1];rport'), {
    transport: 'TCP',
    host: '2001:db8::1',
    port: 5060,
  });
  t.equal(sentByOf('nonsense'), undefined);
});

t.test('without a usable Via, or for an ACK, there is nobody to answer: dropped', async (t) => {
  t.equal(of('badinv01').action, 'drop', 'badinv01: the only Via does not parse');
  const ack = 'ACK sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCSeq: 1 INVITE\r\n\r\n';
  t.equal(triage(Buffer.from(ack)).action, 'drop', 'a malformed ACK');
  const noVia = 'INVITE sip:a@b SIP/2.0\r\nTo: <sip:a@b>\r\n\r\n';
  t.equal(triage(Buffer.from(noVia)).action, 'drop', 'a request without Via');
});

t.test('garbage without a request or status line is dropped', async (t) => {
  t.equal(triage(Buffer.from([0xff, 0x00, 0x80, 0x0d, 0x0a, 0x0d, 0x0a])).action, 'drop');
  t.equal(triage(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')).action, 'drop');
  t.equal(triage(Buffer.from('INVITE sip:a@b SIP/2.0')).action, 'drop', 'a request line alone');
});

t.test('responses are never answered, whatever their shape', async (t) => {
  t.equal(of('unreason').action, 'response');
  t.equal(of('noreason').action, 'response');
  t.equal(of('bigcode').action, 'drop', 'a status code of ten digits is no status line');
});

t.test('quoted display names: escapes inside, a missing closing quote', async (t) => {
  const invite = (from: string) =>
    Buffer.from(
      [
        'OPTIONS sip:a@b SIP/2.0',
        'Via: SIP/2.0/UDP h;branch=z9hG4bK1',
        `From: ${from};tag=1`,
        'To: <sip:a@b>',
        'Call-ID: q1',
        'CSeq: 1 OPTIONS',
        '',
        '',
      ].join('\r\n'),
    );
  t.equal(triage(invite('"a\\\\" <sip:x@y>')).action, 'request', 'an escaped backslash ends it');
  t.equal(triage(invite('"Max\\" <sip:1@e>;x=\\"" <sip:x@y>')).action, 'request');
  t.match(triage(invite('"open <sip:x@y>')), { action: 'reply', status: 400 });
});

t.test('Require and Content-Type as sofia parses them: a bad value is a 400', async (t) => {
  const from = { address: '127.0.0.1', port: 5999 };
  const verdict = (opts: Parameters<typeof baseInvite>[3]) =>
    triage(Buffer.from(baseInvite('s', '+493025550101', from, opts))).action;
  // sofia answers these itself (nta.c agent_recv_request: Require and Content-Type are in the
  // request error mask); the same shapes seen from drachtio-server v0.9.10: "400 Bad Require Header"
  for (const require of ['timer', 'timer, 100rel', ' timer ,, 100rel ', '', 'x,'])
    t.equal(verdict({ extraHeaders: [`Require: ${require}`] }), 'request', `Require: ${require}`);
  for (const require of ['time r', '100rel;x', '"timer"', 'tim\u00e9r'])
    t.equal(verdict({ extraHeaders: [`Require: ${require}`] }), 'reply', `Require: ${require}`);
  for (const type of [
    'application/sdp',
    'multipart/mixed;boundary="unique-boundary-1"',
    'multipart/mixed ; boundary=7a9cbec.3',
    'application / sdp',
    'application/ISUP;version=itu-t92+;base=itu-t92+',
  ])
    t.equal(verdict({ contentType: type }), 'request', `Content-Type: ${type}`);
  for (const type of ['sdp', 'application/', 'application/sdp x', 'application/sdp;=x'])
    t.equal(verdict({ contentType: type }), 'reply', `Content-Type: ${type}`);
});

t.test(
  'an empty parameter value does not parse (msg_avlist_d): 400, a response dropped',
  async (t) => {
    const options = (to: string) =>
      Buffer.from(
        `OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\nTo: ${to}\r\nCall-ID: e1\r\nCSeq: 1 OPTIONS\r\n\r\n`,
      );
    t.match(triage(options('<sip:a@b>;tag=')), {
      action: 'reply',
      status: 400,
      reason: 'Bad To Header',
    });
    t.match(triage(options('sip:a@b;x=;tag=2')), { action: 'reply', status: 400 }, 'bare form too');
    t.equal(
      triage(options('<sip:a@b>;tag=2;x=""')).action,
      'request',
      'an empty quoted value parses',
    );
    const trying = (to: string, via = 'Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n') =>
      Buffer.from(
        `SIP/2.0 100 Trying\r\n${via}From: <sip:x@y>;tag=1\r\nTo: ${to}\r\nCall-ID: e1\r\nCSeq: 1 INVITE\r\n\r\n`,
      );
    t.equal(triage(trying('<sip:a@b>;tag=')).action, 'drop', 'seen with v0.9.10: the CANCEL waits');
    t.equal(triage(trying('<sip:a@b>')).action, 'response');
    t.equal(triage(trying('<sip:a@b>', '')).action, 'drop', 'no Via: sip_sanity_check fails');
  },
);
