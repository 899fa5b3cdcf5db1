/**
 * Business hours end to end: the gateway's hours clock set by HOURS_CLOCK_START (never the
 * machine's clock), sipp as caller, dealer and answering service, the drachtio stand-in, and for
 * the announcement the FreeSWITCH stand-in. A closed number never rings the dealer's phone.
 */
import t, { type Test } from 'tap';
import {
  CUSTOMERS,
  callThrough as call,
  dealerSipp as dealer,
  numbersYaml,
  received,
} from '../helpers/call-bed.js';
import { logged, startGateway } from '../helpers/gateway.js';
import { plays, released, startMediaGateway } from '../helpers/media-bed.js';
import { passed, type SippRun } from '../helpers/sipp.js';

const SUNDAY_NIGHT = '2026-12-06T03:00:00+01:00';
const MONDAY_MORNING = '2026-12-07T10:00:00+01:00';
const CHRISTMAS_DAY = '2026-12-25T10:00:00+01:00';
const ANNOUNCEMENT = 'closed/autohaus.wav';

/** Mon–Fri 08:00–18:00 in Berlin, public holidays of Berlin, and what to do when closed. */
function hours(closed: string[] = []): string[] {
  return [
    'options:',
    '  businessHours:',
    '    timezone: Europe/Berlin',
    '    holidays: DE-BE',
    '    open:',
    '      - days: [mon, tue, wed, thu, fri]',
    '        from: "08:00"',
    '        to: "18:00"',
    ...closed.map((l) => `  ${l}`),
  ];
}

/** The dealer must not have rung: stopped, and its log holds no INVITE. */
async function neverRang(t: Test, d: SippRun): Promise<void> {
  d.kill();
  t.notOk(received(await d.done, 'INVITE'), "the dealer's phone never rang");
}

t.test('closed without a closed action: 480 with the reason, the dealer never rings', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: d.port }], hours()) },
    { HOURS_CLOCK_START: SUNDAY_NIGHT },
  );
  const c = await call(gw, 'uac-expect-480-q850-reason.xml');
  t.match(c, { exitCode: 0 }, `caller: ${c.errors}`);
  t.match(
    c.messages.find((m) => m.dir === 'received' && m.firstLine.startsWith('SIP/2.0 480'))?.text,
    /^Reason: Q\.850;cause=31;text="Closed: outside business hours"/m,
    'the Reason says why',
  );
  await neverRang(t, d);
  const [r] = await gw.records(1);
  t.match(r, {
    outcome: 'closed',
    sipStatus: 480,
    attempts: [],
    afterHours: { why: 'hours', action: 'refuse' },
  });
  await logged(t, gw, /"why":"hours","action":"refuse","msg":"number closed"/);
  t.match(await gw.metrics(), /^calltrack_closed_calls_total\{why="hours",action="refuse"\} 1$/m);
});

t.test('the same number within its hours rings the dealer as before', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: d.port }], hours()) },
    { HOURS_CLOCK_START: MONDAY_MORNING },
  );
  const c = await call(gw, 'uac-expect-200-caller-bye.xml');
  t.match(c, { exitCode: 0 }, `caller: ${c.errors}`);
  await passed(t, d, 'dealer');
  const [r] = await gw.records(1);
  t.match(r, { outcome: 'answered', destinationIndex: 0 });
  t.notOk(r && 'afterHours' in r, 'open: no afterHours in the record');
});

t.test('a public holiday: the answering service takes the call, not the dealer', async (t) => {
  const d = await dealer('uas-answer-200.xml');
  const service = await dealer('uas-answer-200.xml');
  const closed = [
    'closed:',
    '  action: destinations',
    '  destinations:',
    `    - to: "sip:service@127.0.0.1:${service.port}"`,
    '      ringTimeout: 10',
  ];
  const gw = await startGateway(
    t,
    {
      'customers.yaml': CUSTOMERS,
      'numbers.yaml': numbersYaml([{ port: d.port }], hours(closed)),
    },
    { HOURS_CLOCK_START: CHRISTMAS_DAY },
  );
  const c = await call(gw, 'uac-expect-200-caller-bye.xml');
  t.match(c, { exitCode: 0 }, `caller: ${c.errors}`);
  await passed(t, service, 'answering service');
  await neverRang(t, d);
  const [r] = await gw.records(1);
  t.match(r, {
    outcome: 'answered',
    afterHours: { why: 'holiday', action: 'destinations' },
    attempts: [{ index: 0, cause: 'answered' }],
  });
});

t.test(
  'closed with an announcement: early media, the prompt on the caller leg, then 480',
  async (t) => {
    const d = await dealer('uas-answer-200.xml');
    const gw = await startMediaGateway(
      t,
      [{ port: d.port }],
      { files: { [ANNOUNCEMENT]: 300 } },
      hours(['closed:', '  action: announcement', `  file: ${ANNOUNCEMENT}`]),
      { HOURS_CLOCK_START: SUNDAY_NIGHT },
    );
    const c = await call(gw, 'uac-expect-183-then-480-reason.xml');
    t.match(c, { exitCode: 0 }, `caller: ${c.errors}`);
    t.same(
      plays(gw.fs).map((p) => p.file),
      [ANNOUNCEMENT],
      'the announcement played, nothing else',
    );
    await neverRang(t, d);
    const [r] = await gw.records(1);
    t.match(r, {
      outcome: 'closed',
      sipStatus: 480,
      afterHours: { why: 'hours', action: 'announcement' },
      media: { anchored: true, announcement: 'played' },
    });
    await released(t, gw);
  },
);
