/** `calltrack lookup <number> --at <time>`: the plan at that moment, as an admin checks an edit. */
import t from 'tap';
import { cli } from '../helpers/cli-io.js';

async function lookupAt(number: string, at?: string) {
  const r = await cli(['lookup', number, '--dialplans', 'dialplans', ...(at ? ['--at', at] : [])]);
  return { ...r, json: r.code === 0 ? JSON.parse(r.out.join('\n')) : undefined };
}

t.test("--at without an offset is the local time in the number's timezone", async (t) => {
  const r = await lookupAt('+493025550101', '2026-06-04T17:59');
  t.equal(r.code, 0, r.err.join('\n'));
  t.match(r.json, {
    kind: 'forward',
    number: '+493025550101',
    at: '2026-06-04T15:59:00.000Z',
    local: '2026-06-04 17:59 thu Europe/Berlin',
    plan: { open: true, rule: 'mon-fri 08:00-18:00', destinations: [{ number: '+493089001234' }] },
  });
  t.match((await lookupAt('+493025550101', '2026-06-04T18:00')).json.plan, {
    open: false,
    why: { kind: 'hours' },
    action: { kind: 'voicemail' },
  });
});

t.test(
  '--at with an offset is that instant; holidays and closed dates name themselves',
  async (t) => {
    t.match((await lookupAt('+493025550104', '2026-10-03T08:00:00Z')).json, {
      local: '2026-10-03 10:00 sat Europe/Berlin',
      plan: {
        open: false,
        why: { kind: 'holiday', name: 'Tag der Deutschen Einheit' },
        action: { kind: 'announcement', prompt: { file: 'announcements/mueller-closed.wav' } },
      },
    });
    t.match((await lookupAt('+493025550102', '2026-12-28T10:00+01:00')).json.plan, {
      open: false,
      why: { kind: 'closed-date', name: 'Betriebsferien' },
      action: {
        kind: 'destinations',
        destinations: [{ type: 'sip', uri: 'sip:mueller@answering-service.example' }],
      },
    });
  },
);

t.test('without --at: the CLI clock', async (t) => {
  // the helper's clock: 2026-11-22T10:00:00Z, a Sunday
  t.match((await lookupAt('+493025550101')).json, {
    at: '2026-11-22T10:00:00.000Z',
    plan: { open: false, why: { kind: 'hours' } },
  });
});

t.test('a bad --at is a usage error (exit 2) that says what to write', async (t) => {
  for (const at of ['2026-02-30T10:00', '04.06.2026 10:00', '2026-06-04T25:00', 'now']) {
    const r = await lookupAt('+493025550101', at);
    t.equal(r.code, 2, at);
    t.same(r.out, [], 'no decision printed');
    t.match(r.err.join('\n'), `--at '${at}' is not an ISO time: write 2026-06-04T10:00`);
  }
});

t.test('a number not forwarded prints its decision alone', async (t) => {
  const r = await lookupAt('+493025550103', '2026-06-04T10:00');
  t.match(r.json, { kind: 'reject', reason: 'deactivated' });
  t.notOk('plan' in r.json);
});
