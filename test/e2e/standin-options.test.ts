// OPTIONS from the network with and without a routed app, OPTIONS sent by the app, and
// multi-byte UTF-8 in headers both ways.
import t from 'tap';
import { runSipp, startSipp } from '../helpers/sipp.js';
import type { SrfMessage, SrfRequest } from '../helpers/srf-app.js';
import { datagrams, replyTo, standUp, toApp } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';

const KEYS = { caller: '+4930111222333', called: '+4930100' };

t.test('OPTIONS without an app that routed options gets 503', async (t) => {
  const { standin, app } = await standUp(t);
  app.invite((_req, res) => res.send(500));
  const caller = await runSipp({
    scenario: 'uac-options-expect-503.xml',
    remote: standin.sipAddress,
    keys: KEYS,
  });
  t.equal(caller.exitCode, 0, `sipp got 503: ${caller.errors}`);
  const reply = caller.messages.find((m) => m.dir === 'received')?.text ?? '';
  t.match(reply, /^SIP\/2\.0 503 Service Unavailable/);
  t.match(reply, /^To: .*;tag=\S+/m, 'the stateless 503 carries a To tag');
  t.equal(toApp(standin.trace, 'sip').length, 0, 'nothing went to the app');
});

t.test('OPTIONS answered by the app, with UTF-8 headers both ways', async (t) => {
  const { standin, app } = await standUp(t);
  const seen: { subject?: string; name?: string } = {};
  app.options((req, res) => {
    seen.subject = req.get('Subject');
    seen.name = req.get('X-Caller-Name');
    res.send(200, { headers: { 'X-Greeting': 'Grüße zurück ✓' } });
  });
  const caller = await runSipp({
    scenario: 'uac-options-utf8-expect-200.xml',
    remote: standin.sipAddress,
    keys: KEYS,
  });
  t.equal(caller.exitCode, 0, `sipp got 200: ${caller.errors}`);
  t.equal(seen.subject, 'Grüße aus Köln ☎ 📞', 'the app read the multi-byte Subject intact');
  t.equal(seen.name, 'Jürgen Müller');
  const ok = caller.messages.find((m) => m.dir === 'received')?.text ?? '';
  t.match(ok, /^X-Greeting: Grüße zurück ✓$/m, 'sipp got the multi-byte header from the app');
  t.match(ok, /^To: .*;tag=\S+/m, 'the server tagged the To of the 200');

  const up = toApp(standin.trace, 'sip')[0];
  t.equal(up?.tokens.length, 13, 'new request outside a dialog carries the local address');
  t.equal(up?.tokens[9], '');
  // the server echoes the answer to the app after sending it: sipp can be done before
  const echo = await waitFor(() => replyTo(standin.trace, 'SIP/2.0 200 OK'), 3000, 'the echo');
  t.equal(
    echo?.tokens[5],
    String(Buffer.byteLength(echo?.sip ?? '')),
    'bytes field counts UTF-8 bytes',
  );
  t.equal(echo?.tokens[6], '', 'final non-INVITE echo without protocol');
  t.equal(echo?.tokens[11], '', 'no dialogId outside a dialog');
});

t.test('OPTIONS sent by the app', async (t) => {
  const { standin, app } = await standUp(t);
  const far = await startSipp({ scenario: 'uas-options-answer-200.xml', keys: KEYS });
  let req: SrfRequest | undefined;
  const response = await new Promise<SrfMessage>((resolve, reject) =>
    app.request(
      `sip:ping@127.0.0.1:${far.port}`,
      { method: 'OPTIONS', headers: { 'X-Probe': '1', Route: '<sip:192.0.2.9;lr>' } },
      (err, sent) => {
        if (err) {
          reject(err);
          return;
        }
        req = sent;
        sent.on('response', resolve);
      },
    ),
  );
  const farResult = await far.done;
  t.equal(farResult.exitCode, 0, `far end answered: ${farResult.errors}`);
  t.equal(response.status, 200, 'the app got the 200');
  t.equal(response.get('Allow'), 'INVITE, ACK, CANCEL, BYE, OPTIONS');
  const sent = farResult.messages.find((m) => m.dir === 'received')?.text ?? '';
  t.match(sent, /^OPTIONS sip:ping@127\.0\.0\.1:\d+ SIP\/2\.0/);
  t.match(sent, /^X-Probe: 1$/m);
  t.notMatch(sent, /192\.0\.2\.9/, 'app Route dropped');
  t.notMatch(sent, /^Contact:/m, 'no Contact added to OPTIONS');
  const echo = replyTo(standin.trace, /^OPTIONS /);
  t.equal(echo?.tokens[3], 'OK');
  t.equal(
    echo?.tokens[10],
    req?.stackTxnId,
    'the echo names the transaction the response came back on',
  );
  const up = await waitFor(
    () => toApp(standin.trace, 'sip').find((f) => f.sip.startsWith('SIP/2.0 200')),
    3000,
  );
  t.equal(up.tokens[8], req?.stackTxnId);
  t.equal(up.tokens[9], '', 'no dialogId for a response outside a dialog');
  t.equal(datagrams(standin.trace, 'out').length, 1, 'sent once, no retransmission after the 200');
});
