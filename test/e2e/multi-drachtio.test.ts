/**
 * Several drachtio-servers per gateway (DRACHTIO=host:port,host:port) and several gateways per
 * drachtio-server (issue 16 item 2), with real sipp through drachtio-servers (stand-ins, or real
 * ones: test/helpers/drachtio-peer.ts). A call stays on the server its INVITE came through; a
 * server that goes away costs only its own calls; a server hands new INVITEs round robin to the
 * gateways connected to it (client-controller.cpp, mirrored by test/standin/app-router.ts).
 */
import t, { type Test } from 'tap';
import { CUSTOMERS, dealerSipp as dealer, numbersYaml } from '../helpers/call-bed.js';
import { startDrachtio } from '../helpers/drachtio-peer.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { startMediaGateway, WHISPER } from '../helpers/media-bed.js';
import { passed, runSipp, type SippResult, startSipp } from '../helpers/sipp.js';
import { waitFor } from '../helpers/wait.js';
import type { StandinHandle } from '../standin/index.js';

const SECRET = 'cymru';
const CALLER = '+4917699887766';
const number = (n: number) => `+4930255501${String(n).padStart(2, '0')}`;

/** A drachtio-server (the stand-in, or TEST_DRACHTIO_BIN's), again at `adminPort` if given. */
const standin = async (t: Test, adminPort = 0): Promise<StandinHandle> => {
  const s = await startDrachtio(SECRET, { adminPort });
  t.teardown(() => s.close());
  return s;
};
const hostport = (s: StandinHandle) => `127.0.0.1:${s.adminAddress.port}`;
const call = (s: StandinHandle, scenario: string, called: string): Promise<SippResult> =>
  runSipp({ scenario, remote: s.sipAddress, keys: { caller: CALLER, called }, timeoutMs: 20_000 });
const sampled = async (gw: Gateway, name: string, server: string): Promise<number | undefined> => {
  const line = (await gw.metrics())
    .split('\n')
    .find((l) => l.startsWith(`${name}{server="${server}"} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
};
const connected = (gw: Gateway, s: StandinHandle | string, up: 0 | 1) =>
  waitFor(
    async () =>
      (await sampled(
        gw,
        'calltrack_drachtio_connected',
        typeof s === 'string' ? s : hostport(s),
      )) === up,
    15_000,
    `${typeof s === 'string' ? s : hostport(s)} ${up ? 'connected' : 'down'}`,
  );
const sipOut = (s: StandinHandle, start: string) =>
  s.trace.filter((r) => r.kind === 'sip' && r.dir === 'out' && r.firstLine.startsWith(start))
    .length;
const sipIn = (s: StandinHandle, start: string) =>
  s.trace.filter((r) => r.kind === 'sip' && r.dir === 'in' && r.firstLine.startsWith(start)).length;
const byNumber = (records: Record<string, unknown>[], n: string) =>
  records.filter((r) => r.trackingNumber === n);
const readyz = async (gw: Gateway) =>
  (await fetch(`http://127.0.0.1:${gw.httpPort}/readyz`).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as Record<string, unknown>,
  }))) as { status: number; body: Record<string, unknown> };

/** `calls` short calls to `called` through `s`, 10 a second; each must be answered. */
const manyCalls = async (t: Test, s: StandinHandle, called: string, calls: number) => {
  const callers = await runSipp({
    scenario: 'uac-expect-200-caller-bye.xml',
    remote: s.sipAddress,
    keys: { caller: CALLER, called },
    calls,
    rate: 10,
    timeoutMs: 30_000,
  });
  t.match(callers, { exitCode: 0, counts: { successful: calls } }, callers.errors);
};

/**
 * The dealers of a drain test: one answers the call held on the draining gateway (number 1),
 * `d` the `calls` new ones (number 2).
 */
const drainDealers = async (calls: number) => {
  const held = await dealer('uas-answer-200.xml');
  const d = await startSipp({ scenario: 'uas-answer-200.xml', calls, timeoutMs: 30_000 });
  const files = {
    'customers.yaml': CUSTOMERS,
    'held.yaml': numbersYaml([{ port: held.port }], [], number(1)),
    'new.yaml': numbersYaml([{ port: d.port }], [], number(2)),
  };
  return { d, files };
};

/** New calls through `s` while `draining` drains: every one reaches `other`, none `draining`. */
const newCallsPassBy = async (
  t: Test,
  s: StandinHandle,
  draining: Gateway,
  other: Gateway,
  calls: number,
) => {
  await manyCalls(t, s, number(2), calls);
  t.equal(draining.proc.exitCode, null, 'the draining gateway was still draining meanwhile');
  t.equal(
    await sampled(other, 'calltrack_drachtio_invites_total', hostport(s)),
    calls,
    'the other gateway got every new call, the draining one none',
  );
};

t.test(
  'one gateway, two drachtio-servers: each its own calls, a lost one costs only its own',
  async (t) => {
    const a = await standin(t);
    const b = await standin(t);
    const dealers = await Promise.all([1, 2, 3, 4, 5, 6].map(() => dealer('uas-answer-200.xml')));
    const files: Record<string, string> = { 'customers.yaml': CUSTOMERS };
    dealers.forEach((d, i) => {
      files[`n${i + 1}.yaml`] = numbersYaml([{ port: d.port }], [], number(i + 1));
    });
    const gw = await startGateway(
      t,
      files,
      { DRACHTIO: `${hostport(a)},${hostport(b)}`, READYZ_DETAIL: 'on' },
      { server: a },
    );
    await connected(gw, a, 1);
    await connected(gw, b, 1);

    t.match(await call(a, 'uac-expect-200-caller-bye.xml', number(1)), { exitCode: 0 }, 'via a');
    t.match(await call(b, 'uac-expect-200-caller-bye.xml', number(2)), { exitCode: 0 }, 'via b');
    await passed(t, dealers[0]!, 'dealer 1');
    await passed(t, dealers[1]!, 'dealer 2');
    t.equal(sipOut(a, 'INVITE sip:dealer@'), 1, "a's call went to its dealer through a");
    t.equal(sipOut(b, 'INVITE sip:dealer@'), 1, "b's call through b");
    t.equal(await sampled(gw, 'calltrack_drachtio_invites_total', hostport(a)), 1);
    t.equal(await sampled(gw, 'calltrack_drachtio_invites_total', hostport(b)), 1);
    t.match(await gw.records(2), [{ outcome: 'answered' }, { outcome: 'answered' }]);

    // a call in progress on each; then a goes away
    const onA = await startSipp({
      scenario: 'uac-expect-200-await-bye.xml',
      remote: a.sipAddress,
      keys: { caller: CALLER, called: number(3) },
      timeoutMs: 20_000,
    });
    const onB = call(b, 'uac-expect-200-hold-3s-caller-bye.xml', number(4));
    await waitFor(() => sipIn(a, 'ACK ') >= 2 && sipIn(b, 'ACK ') >= 2, 10_000, 'both calls up');
    const aPort = a.adminAddress.port;
    await a.close();
    await connected(gw, `127.0.0.1:${aPort}`, 0);
    const lost = byNumber(await gw.records(3), number(3));
    t.match(lost, [{ outcome: 'answered', endedBy: 'signalling-lost' }], "a's call ended at once");
    t.same(byNumber(await gw.records(3), number(4)), [], "b's call goes on");
    const ready = await readyz(gw);
    t.match(ready, {
      status: 200,
      body: {
        drachtio: true,
        drachtioServers: '1 of 2 connected',
        detail: { drachtio: `127.0.0.1:${aPort} (down), ${hostport(b)}` },
      },
    });
    t.match(gw.logs(), new RegExp(`drachtio connection to 127\\.0\\.0\\.1:${aPort} closed`));
    const survived = await onB;
    t.match(survived, { exitCode: 0 }, `b's call completed: ${survived.errors}`);
    await passed(t, dealers[3]!, 'dealer 4');
    t.match(byNumber(await gw.records(4), number(4)), [{ outcome: 'answered', endedBy: 'caller' }]);
    // nobody is left to BYE a's caller and dealer: drachtio-server a is gone
    onA.kill();
    dealers[2]!.kill();

    t.match(
      await call(b, 'uac-expect-200-caller-bye.xml', number(5)),
      { exitCode: 0 },
      'new via b',
    );
    await passed(t, dealers[4]!, 'dealer 5');

    const back = await standin(t, aPort);
    await connected(gw, back, 1);
    t.match(
      await call(back, 'uac-expect-200-caller-bye.xml', number(6)),
      { exitCode: 0 },
      'a back',
    );
    await passed(t, dealers[5]!, 'dealer 6');
    const records = await gw.records(6);
    t.equal(records.length, 6, 'one record per call');
    t.match(byNumber(records, number(6)), [{ outcome: 'answered', endedBy: 'caller' }]);
    t.equal((await readyz(gw)).body.drachtioServers, '2 of 2 connected');
  },
);

t.test('two gateways on one drachtio-server share its calls, one record each', async (t) => {
  const CALLS = 20;
  const d = await startSipp({ scenario: 'uas-answer-200.xml', calls: CALLS, timeoutMs: 30_000 });
  const files = { 'customers.yaml': CUSTOMERS, 'n.yaml': numbersYaml([{ port: d.port }]) };
  const gw1 = await startGateway(t, files, { NODE_ID: 'gw1' });
  const shared = gw1.standin;
  const gw2 = await startGateway(t, files, { NODE_ID: 'gw2' }, { server: shared });
  await connected(gw2, shared, 1);
  await manyCalls(t, shared, number(1), CALLS);
  await passed(t, d, 'dealer');
  const n1 = (await sampled(gw1, 'calltrack_drachtio_invites_total', hostport(shared))) ?? 0;
  const n2 = (await sampled(gw2, 'calltrack_drachtio_invites_total', hostport(shared))) ?? 0;
  t.equal(n1 + n2, CALLS, `every INVITE went to one gateway (${n1} + ${n2})`);
  // round robin over the two connections, as drachtio-server does
  t.equal(n1, CALLS / 2, 'gw1 took every other one');
  t.equal(n2, CALLS / 2, 'gw2 the others');
  const records = [...(await gw1.records(n1)), ...(await gw2.records(n2))];
  t.equal(records.length, CALLS, 'as many records as calls');
  t.equal(new Set(records.map((r) => r.callId)).size, CALLS, 'each call exactly once');
  t.same(new Set(records.map((r) => r.nodeId)), new Set(['gw1', 'gw2']));
  t.ok(
    records.every((r) => r.outcome === 'answered' && r.endedBy === 'caller'),
    'all answered',
  );
});

t.test("a call's media legs go through the server it came from, not the first one", async (t) => {
  const a = await standin(t);
  const b = await standin(t);
  const d = await dealer('uas-answer-200.xml');
  const gw = await startMediaGateway(
    t,
    [{ port: d.port }],
    {},
    ['options:', '  whisper:', `    file: ${WHISPER}`],
    { DRACHTIO: `${hostport(a)},${hostport(b)}` },
    { server: a },
  );
  await connected(gw, a, 1);
  await connected(gw, b, 1);
  const c = await call(b, 'uac-expect-183-then-200-caller-bye.xml', number(1));
  t.match(c, { exitCode: 0 }, `anchored and connected through b: ${c.errors}`);
  await passed(t, d, 'dealer');
  const toFreeswitch = (s: StandinHandle) => sipOut(s, 'INVITE sip:drachtio@');
  // two endpoints, then the dealer's SDP in a re-INVITE (media/anchor.ts connectDealer)
  t.ok(toFreeswitch(b) >= 2, `FreeSWITCH INVITEd through b (${toFreeswitch(b)})`);
  t.equal(toFreeswitch(a), 0, "none through a, the Mrf's default");
  t.equal(sipOut(b, 'INVITE sip:dealer@'), 1, 'the dealer leg through b');
  t.match(await gw.records(1), [
    { outcome: 'answered', media: { anchored: true, whisper: 'played' } },
  ]);
});

t.test(
  'DRAIN_ROUTES=withdraw: a draining gateway takes back its routes, the other one gets every new call',
  async (t) => {
    const CALLS = 6;
    const { d, files } = await drainDealers(CALLS);
    // the drain outlasts the new calls: its call waits for the drain timeout's BYE
    const gw1 = await startGateway(t, files, {
      NODE_ID: 'gw1',
      DRAIN_ROUTES: 'withdraw',
      DRAIN_TIMEOUT_MS: '8000',
    });
    const shared = gw1.standin;
    const up = call(shared, 'uac-expect-200-await-bye.xml', number(1));
    await waitFor(
      async () => /^calltrack_active_calls 1$/m.test(await gw1.metrics()),
      5000,
      'the call on gw1 up',
    );
    const gw2 = await startGateway(t, files, { NODE_ID: 'gw2' }, { server: shared });
    await connected(gw2, shared, 1);
    gw1.proc.kill('SIGTERM');
    await waitFor(() => /routes withdrawn/.test(gw1.logs()), 3000, 'gw1 withdrew its routes');

    await newCallsPassBy(t, shared, gw1, gw2, CALLS);
    await passed(t, d, 'dealer of the new calls');
    t.match(await up, { exitCode: 0 }, 'the drain timeout ended the call on gw1 with a BYE');
    t.equal(await gw1.exited, 0, 'gw1 exited once drained');
    const [held, ...more] = await gw1.records(1);
    t.equal(more.length, 0, 'gw1 wrote one record: the new calls went to gw2');
    t.match(held, { outcome: 'answered', trackingNumber: number(1) });
    t.equal((await gw2.records(CALLS)).length, CALLS, 'one record per new call, on gw2');
  },
);

t.test(
  'DRAIN_ROUTES=withdraw: a server that was down at the SIGTERM is withdrawn from when it is back',
  async (t) => {
    const CALLS = 4;
    const a = await standin(t);
    const b = await standin(t);
    const { d, files } = await drainDealers(CALLS);
    const gw1 = await startGateway(
      t,
      files,
      {
        NODE_ID: 'gw1',
        DRACHTIO: `${hostport(a)},${hostport(b)}`,
        DRAIN_ROUTES: 'withdraw',
        DRAIN_TIMEOUT_MS: '10000',
      },
      { server: a },
    );
    const gw2 = await startGateway(t, files, { NODE_ID: 'gw2' }, { server: a });
    await connected(gw1, a, 1);
    await connected(gw1, b, 1);
    await connected(gw2, a, 1);
    // the call through b keeps gw1 draining while a is away and back
    const up = call(b, 'uac-expect-200-await-bye.xml', number(1));
    await waitFor(
      async () => /^calltrack_active_calls 1$/m.test(await gw1.metrics()),
      10_000,
      'the call through b up',
    );
    const aPort = a.adminAddress.port;
    await a.close();
    await connected(gw1, `127.0.0.1:${aPort}`, 0);
    gw1.proc.kill('SIGTERM');
    await waitFor(() => /routes withdrawn/.test(gw1.logs()), 3000, 'withdrawn at b');
    const back = await standin(t, aPort);
    await connected(gw2, back, 1);
    await waitFor(
      () => (gw1.logs().match(/routes withdrawn/g) ?? []).length >= 2,
      15_000,
      'withdrawn at a once it was back',
    );

    await newCallsPassBy(t, back, gw1, gw2, CALLS);
    await passed(t, d, 'dealer of the new calls');
    t.match(await up, { exitCode: 0 }, 'the drain timeout ended the call through b');
    t.equal(await gw1.exited, 0);
  },
);
