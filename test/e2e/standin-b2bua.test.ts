// createB2BUA from a sipp caller to a sipp dealer that answers; the dealer hangs up.
import t from 'tap';
import { runSipp, startSipp } from '../helpers/sipp.js';
import type { SrfDialog } from '../helpers/srf-app.js';
import { bridge, datagrams, fromApp, replyTo, standUp, toApp } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

const KEYS = { caller: '+4930111222333', called: '+4930100' };

t.test('B2BUA to an answering dealer, BYE from the dealer', async (t) => {
  const { standin, app } = await standUp(t);
  const dealer = await startSipp({ scenario: 'uas-answer-200-then-bye.xml', keys: KEYS });
  const ended: string[] = [];
  app.invite(async (req, res) => {
    const { uas, uac } = await app.createB2BUA(req, res, `sip:d@127.0.0.1:${dealer.port}`, {
      localSdpB: req.body,
      headers: {
        Via: 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKfake',
        Route: '<sip:192.0.2.2;lr>',
        'Record-Route': '<sip:192.0.2.3;lr>',
        RSeq: '7',
        'X-Call-Ref': 'abc-1',
        'custom-thing': 'v',
        'P-Asserted-Identity': '<sip:+4930111222333@localhost>',
      },
    });
    const hangUp = (gone: SrfDialog, other: SrfDialog, name: string) =>
      gone.on('destroy', () => {
        ended.push(name);
        other.destroy().catch(() => {});
      });
    hangUp(uac, uas, 'dealer');
    hangUp(uas, uac, 'caller');
  });

  const caller = await runSipp({
    scenario: 'uac-expect-200-await-bye.xml',
    remote: standin.sipAddress,
    keys: KEYS,
  });
  const dealt = await dealer.done;
  t.equal(caller.exitCode, 0, `caller succeeded: ${caller.errors}`);
  t.equal(dealt.exitCode, 0, `dealer succeeded: ${dealt.errors}`);
  t.same(ended, ['dealer'], 'the dealer ended the call');

  const trace = standin.trace;
  const port = standin.sipAddress.port;
  const invite = dealt.messages.find(
    (m) => m.dir === 'received' && m.firstLine.startsWith('INVITE'),
  );
  const text = invite?.text ?? '';
  t.match(
    text,
    new RegExp(`^From: <sip:\\+4930111222333@127\\.0\\.0\\.1:${port}>;tag=\\w+`, 'm'),
    '@localhost replaced in From',
  );
  t.match(
    text,
    new RegExp(`^Contact: <sip:\\+4930111222333@127\\.0\\.0\\.1:${port}>`, 'm'),
    '@localhost replaced in Contact',
  );
  t.match(
    text,
    new RegExp(`^P-Asserted-Identity: <sip:\\+4930111222333@127\\.0\\.0\\.1:${port}>`, 'm'),
    'and in PAI',
  );
  t.notMatch(text, /192\.0\.2\./, 'app Via, Route and Record-Route dropped');
  t.notMatch(text, /^RSeq:/im, 'app RSeq dropped');
  t.equal(text.match(/^Via:/gim)?.length, 1, 'one Via: the server’s own');
  t.match(text, /^X-Call-Ref: abc-1$/m, 'X- header passed through');
  t.match(text, /^Custom-Thing: v$/m, 'custom header capitalised after dashes');
  t.match(text, /^Max-Forwards: 70$/m);
  t.match(text, /^Content-Type: application\/sdp$/m, 'Content-Type added for SDP');

  const echo = replyTo(trace, /^INVITE sip:d@/);
  t.equal(echo?.tokens[3], 'OK');
  t.same(echo?.tokens.slice(4, 9), [
    'application',
    String(Buffer.byteLength(echo?.sip ?? '')),
    'udp',
    '127.0.0.1',
    String(port),
  ]);
  t.equal(echo?.tokens[11], 'Msg sent:');
  t.equal(
    echo?.sip.replace(/\r\n/g, '\n'),
    text.replace(/\r\n/g, '\n'),
    'Msg sent echoes exactly what the dealer received',
  );

  const uacDialogId = toApp(trace, 'sip').find(
    (f) => f.sip.startsWith('SIP/2.0 200') && f.tokens[8] === echo?.tokens[10],
  )?.tokens[9];
  const callId = text.match(/^Call-ID: (.*)$/m)?.[1]?.trim();
  const fromTag = text.match(/^From: .*;tag=(\w+)/m)?.[1];
  t.equal(
    uacDialogId,
    `${callId};from-tag=${fromTag}`,
    'responses to our INVITE carry <Call-ID>;from-tag=<our tag>',
  );
  const ack = replyTo(trace, /^ACK /);
  t.equal(ack?.tokens[3], 'OK', 'the app ACK for the 200 is sent');
  t.match(
    ack?.sip ?? '',
    new RegExp(`^ACK sip:127\\.0\\.0\\.1:${dealer.port};transport=UDP SIP/2\\.0`),
    'ACK to the remote Contact',
  );
  t.ok(
    dealt.messages.some((m) => m.dir === 'received' && m.firstLine.startsWith('ACK')),
    'dealer got the ACK',
  );

  const byeUp = toApp(trace, 'sip').find((f) => f.sip.startsWith('BYE'));
  t.equal(byeUp?.tokens[9], uacDialogId, 'dealer BYE goes up inside the B-leg dialog');
  const byeOut = replyTo(trace, 'BYE sip:placeholder');
  t.match(
    byeOut?.sip ?? '',
    /^BYE sip:\+4930111222333@127\.0\.0\.1:\d+ SIP\/2\.0\r\n/,
    'placeholder replaced by the caller’s Contact',
  );
  t.match(byeOut?.sip ?? '', /^CSeq: 2 BYE$/m, 'UAS-side CSeq continues from the INVITE');
  await waitFor(
    () =>
      datagrams(trace, 'in').find(
        (d) => /^SIP\/2\.0 200/.test(d.firstLine) && /CSeq: 2 BYE/.test(d.text),
      ),
    3000,
    '200 to BYE',
  );
  t.equal(fromApp(trace).filter((f) => f.sip.startsWith('SIP/2.0 100')).length, 0);
});

t.test('B2BUA to an answering dealer, BYE from the caller', async (t) => {
  const { standin, app } = await standUp(t);
  const dealer = await startSipp({ scenario: 'uas-answer-200.xml', keys: KEYS });
  app.invite(async (req, res) => {
    await bridge(app, req, res, `sip:d@127.0.0.1:${dealer.port}`);
  });
  const caller = await runSipp({
    scenario: 'uac-expect-200-caller-bye.xml',
    remote: standin.sipAddress,
    keys: KEYS,
  });
  const dealt = await dealer.done;
  t.equal(caller.exitCode, 0, `caller succeeded: ${caller.errors}`);
  t.equal(dealt.exitCode, 0, `dealer got ACK and BYE: ${dealt.errors}`);
  const bye =
    dealt.messages.find((m) => m.dir === 'received' && m.firstLine.startsWith('BYE'))?.text ?? '';
  t.match(
    bye,
    new RegExp(`^BYE sip:127\\.0\\.0\\.1:${dealer.port};transport=UDP SIP/2\\.0`, 'm'),
    'BYE to the dealer Contact',
  );
  t.match(bye, /^CSeq: \d+ BYE$/m);
  const inviteCseq = Number(
    replyTo(standin.trace, /^INVITE sip:d@/)?.sip.match(/^CSeq: (\d+)/m)?.[1],
  );
  t.equal(
    Number(bye.match(/^CSeq: (\d+)/m)?.[1]),
    inviteCseq + 1,
    'UAC-side BYE CSeq follows the INVITE',
  );
});
