/**
 * The carrier trunk end to end: sipp as caller, as dealer and as the trunk (E.164 destinations
 * go to OUTBOUND_TRUNK), the drachtio stand-in, the gateway as `npm start` runs it. A trunk that
 * challenges gets the credentials (and only the trunk does); a dealer's 302 is followed through
 * the trunk when the rules allow it, recorded with its own cause when not; a withheld caller stays
 * anonymous on every leg; the CANCEL and BYE the gateway sends say why (RFC 3326).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  CALLER,
  CUSTOMERS,
  callThrough as call,
  dealerSipp as dealer,
  numbersYaml,
  received,
  TRACKING,
} from '../helpers/call-bed.js';
import { startGateway } from '../helpers/gateway.js';
import { passed, type SippResult, startSipp } from '../helpers/sipp.js';

const TARGET = '+493089001234';
const PASSWORD = 's3cr3t-trunk-pw';
// an underscore: mkdtemp's random suffixes (letters and digits) never spell it, so the log's
// temp paths cannot match the search for it below
const USER = 'gw_7';
const header = (text: string | undefined, name: string) =>
  new RegExp(`^${name}: (.*)$`, 'mi').exec(text ?? '')?.[1]?.trim();
const invites = (r: SippResult) =>
  r.messages.filter((m) => m.dir === 'received' && m.firstLine.startsWith('INVITE '));

function trunkSipp(pw: string) {
  return startSipp({
    scenario: 'uas-trunk-challenge-401-verify-auth-answer-200.xml',
    keys: { user: USER, pw },
    timeoutMs: 20_000,
  });
}

/** TRUNK_AUTH_* with the password in a secret file, as a container gets it. */
function credentials(t: Test) {
  const dir = t.testdir({});
  const file = join(dir, 'trunk-password');
  writeFileSync(file, `${PASSWORD}\n`);
  return { TRUNK_AUTH_USERNAME: USER, TRUNK_AUTH_PASSWORD_FILE: file };
}

t.test(
  'a trunk that challenges: the INVITE again with credentials, connected; the password nowhere',
  async (t) => {
    const trunk = await trunkSipp(PASSWORD);
    const gw = await startGateway(
      t,
      { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ e164: TARGET }]) },
      { OUTBOUND_TRUNK: `sip:127.0.0.1:${trunk.port}`, ...credentials(t) },
    );
    t.match(
      await call(gw, 'uac-expect-200-caller-bye.xml'),
      { exitCode: 0 },
      'the caller was connected',
    );
    const saw = await trunk.done;
    t.match(saw, { exitCode: 0, counts: { successful: 1 } }, `trunk: ${saw.errors}`);
    const [first, second] = invites(saw);
    t.equal(first?.firstLine, `INVITE sip:${TARGET}@127.0.0.1:${trunk.port} SIP/2.0`);
    t.notOk(header(first?.text, 'Authorization'), 'the first INVITE carries no credentials');
    t.match(
      header(second?.text, 'Authorization'),
      new RegExp(`^Digest username="${USER}", realm="trunk\\.example"`),
    );
    t.equal(header(second?.text, 'Call-ID'), header(first?.text, 'Call-ID'), 'same Call-ID');
    t.equal(
      header(received(saw, 'BYE')?.text, 'Reason'),
      'Q.850;cause=16;text="Normal call clearing"',
      'the caller’s BYE is relayed with a Reason',
    );
    const [r] = await gw.records(1);
    t.match(r, {
      outcome: 'answered',
      destinationIndex: 0,
      attempts: [{ index: 0, status: 200, cause: 'answered' }],
    });
    t.notMatch(gw.logs(), new RegExp(PASSWORD), 'the password is in no log line (debug level)');
    t.notMatch(JSON.stringify(await gw.records(1)), new RegExp(PASSWORD), 'nor in the record');
    t.match(gw.logs(), /"trunkAuth":"digest"/, 'the log says credentials are set, nothing more');
    t.notMatch(gw.logs(), new RegExp(USER), 'not even the user name');
  },
);

t.test(
  'a trunk that keeps challenging (wrong password): auth-failed, the next destination follows, without credentials',
  async (t) => {
    const trunk = await trunkSipp('another-password');
    const d = await dealer('uas-answer-200.xml');
    const gw = await startGateway(
      t,
      {
        'customers.yaml': CUSTOMERS,
        'numbers.yaml': numbersYaml([{ e164: TARGET }, { port: d.port }]),
      },
      { OUTBOUND_TRUNK: `127.0.0.1:${trunk.port}`, ...credentials(t) },
    );
    t.match(await call(gw, 'uac-expect-200-caller-bye.xml'), { exitCode: 0 });
    const saw = await trunk.done;
    t.match(saw, { exitCode: 0 }, `trunk: ${saw.errors}`);
    t.equal(invites(saw).length, 2, 'one retry with credentials, no more');
    const dealerSaw = await d.done;
    t.match(dealerSaw, { exitCode: 0 });
    t.notOk(
      header(received(dealerSaw, 'INVITE')?.text, 'Authorization'),
      'the dealer’s own URI gets no credentials',
    );
    t.match((await gw.records(1))[0], {
      outcome: 'answered',
      destinationIndex: 1,
      attempts: [
        { index: 0, status: 401, cause: 'auth-failed' },
        { index: 1, status: 200, cause: 'answered' },
      ],
    });
  },
);

t.test(
  'a dealer’s 302 to an allowed number: reached through the trunk; a withheld caller stays anonymous',
  async (t) => {
    const trunk = await dealer('uas-answer-200.xml');
    const d = await startSipp({
      scenario: 'uas-redirect-302-to-target.xml',
      keys: { target: TARGET },
      timeoutMs: 20_000,
    });
    const gw = await startGateway(
      t,
      { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: d.port }]) },
      { OUTBOUND_TRUNK: `sip:127.0.0.1:${trunk.port}`, TRUNK_ASSERTED_IDENTITY: '+493025550999' },
    );
    t.match(await call(gw, 'uac-withheld-expect-200-caller-bye.xml'), { exitCode: 0 });
    const redirecting = await d.done;
    t.match(redirecting, { exitCode: 0 }, 'the dealer redirected and got its ACK');
    const trunkSaw = await trunk.done;
    t.match(trunkSaw, { exitCode: 0 }, 'the redirect target answered and got the BYE');
    const invite = received(trunkSaw, 'INVITE');
    t.equal(
      invite?.firstLine,
      `INVITE sip:${TARGET}@127.0.0.1:${trunk.port} SIP/2.0`,
      'through the trunk',
    );
    t.match(header(invite?.text, 'From'), /^"Anonymous" <sip:anonymous@anonymous\.invalid>/);
    t.equal(header(invite?.text, 'Privacy'), 'id');
    t.equal(
      header(invite?.text, 'P-Asserted-Identity'),
      '<tel:+493025550999>',
      'the operator’s PAI',
    );
    t.notOk(
      header(received(redirecting, 'INVITE')?.text, 'P-Asserted-Identity'),
      'not to the dealer’s own URI',
    );
    for (const m of [...trunkSaw.messages, ...redirecting.messages])
      t.notMatch(m.text, new RegExp(CALLER.slice(1)), `no caller number in ${m.firstLine}`);
    const [r] = await gw.records(1);
    t.match(r, {
      outcome: 'answered',
      callerWithheld: true,
      destinationIndex: 0,
      attempts: [
        { index: 0, status: 302, cause: 'redirected' },
        { index: 0, status: 200, cause: 'answered', redirect: 1 },
      ],
    });
    t.notOk('callerNumber' in (r ?? {}), 'no caller number in the record');
  },
);

for (const [label, target, env, cause] of [
  ['a tracking number', TRACKING, {}, 'redirect-refused'],
  ['outside DE/AT', '+41445551234', {}, 'redirect-refused'],
  ['over MAX_REDIRECTS', TARGET, { MAX_REDIRECTS: '0' }, 'redirect-limit'],
] as const) {
  t.test(`a 302 to ${label}: not followed, recorded, the next destination answers`, async (t) => {
    const d = await startSipp({
      scenario: 'uas-redirect-302-to-target.xml',
      keys: { target },
      timeoutMs: 20_000,
    });
    const next = await dealer('uas-answer-200.xml');
    const gw = await startGateway(
      t,
      {
        'customers.yaml': CUSTOMERS,
        'numbers.yaml': numbersYaml([{ port: d.port }, { port: next.port }]),
      },
      env,
    );
    t.match(await call(gw, 'uac-expect-200-caller-bye.xml'), { exitCode: 0 });
    await passed(t, d, 'dealer');
    await passed(t, next, 'next dealer');
    t.match((await gw.records(1))[0], {
      outcome: 'answered',
      destinationIndex: 1,
      attempts: [
        { index: 0, status: 302, cause },
        { index: 1, status: 200, cause: 'answered' },
      ],
    });
    t.equal(
      ((await gw.records(1))[0]?.attempts as unknown[] | undefined)?.length,
      2,
      'nothing else was dialled',
    );
  });
}

t.test('the CANCEL says why: the destination rang out, the caller hung up', async (t) => {
  const silent = await dealer('uas-ring-expect-cancel.xml');
  const second = await dealer('uas-ring-expect-cancel.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: silent.port, ringTimeout: 1 }, { port: second.port }]),
  });
  t.match(await call(gw, 'uac-cancel-1500ms-after-ringing.xml'), { exitCode: 0 });
  const [rangOut, hungUp] = [await silent.done, await second.done];
  t.match(rangOut, { exitCode: 0 });
  t.match(hungUp, { exitCode: 0 });
  t.equal(
    header(received(rangOut, 'CANCEL')?.text, 'Reason'),
    'Q.850;cause=19;text="No answer from user"',
  );
  t.equal(
    header(received(hungUp, 'CANCEL')?.text, 'Reason'),
    'SIP;cause=487;text="Caller cancelled"',
  );
  t.match((await gw.records(1))[0], {
    outcome: 'cancelled',
    attempts: [
      { index: 0, cause: 'no-answer' },
      { index: 1, cause: 'cancelled' },
    ],
  });
});

t.test('OUTBOUND_TRUNK ;transport=tcp: the trunk is called over TCP', async (t) => {
  const trunk = await startSipp({ scenario: 'uas-answer-200.xml', transport: 'tcp' });
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ e164: TARGET }]) },
    { OUTBOUND_TRUNK: `sip:127.0.0.1:${trunk.port};transport=tcp` },
  );
  t.match(await call(gw, 'uac-expect-200-caller-bye.xml'), { exitCode: 0 });
  const seen = await passed(t, trunk, 'trunk');
  const invite = invites(seen)[0];
  t.equal(
    invite?.firstLine,
    `INVITE sip:${TARGET}@127.0.0.1:${trunk.port};transport=tcp SIP/2.0`,
    'the Request-URI keeps the transport',
  );
  t.match(invite?.text, /^Via: SIP\/2\.0\/TCP /m, 'over TCP');
  t.match(received(seen, 'BYE')?.text, /^Via: SIP\/2\.0\/TCP /m, 'the BYE as well');
  t.match((await gw.records(1))[0], {
    outcome: 'answered',
    attempts: [{ index: 0, status: 200, cause: 'answered' }],
  });
});
