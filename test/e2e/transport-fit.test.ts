/**
 * A destination naming a transport the drachtio-server does not listen on (here `;transport=tls`;
 * the stand-in and the compose stack's drachtio listen on UDP and TCP): the gateway says so at
 * the connect, per server, and in a gauge; a reload that fixes it clears both; a typo in the
 * transport is refused with its place and the routes in force stay; a write through the admin
 * API naming one is made, and its answer warns at the field.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startAdminGateway } from '../helpers/admin-gateway.js';
import {
  CUSTOMERS,
  callThrough,
  type Dest,
  dealerSipp,
  numbersYaml,
  TRACKING,
} from '../helpers/call-bed.js';
import { type Gateway, logged, reloads, startGateway } from '../helpers/gateway.js';
import { passed } from '../helpers/sipp.js';
import { waitFor } from '../helpers/wait.js';

const unavailable = async (gw: Gateway): Promise<string | undefined> =>
  /^calltrack_destinations_transport_unavailable\{server="127\.0\.0\.1:\d+"\} (\d+)$/m.exec(
    await gw.metrics(),
  )?.[1];

/**
 * A gateway whose number rings `first` (given the sipp dealer's port), then that sipp dealer,
 * which answers; `call()` places one call and returns its record, the first attempt refused.
 */
async function pastTheFirst(t: Test, first: (port: number) => Dest) {
  const d = await dealerSipp('uas-answer-200.xml');
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([first(d.port), { port: d.port }]),
  });
  const call = async () => {
    const c = await callThrough(gw, 'uac-expect-200-caller-bye.xml');
    t.match(c, { exitCode: 0 }, c.errors);
    await passed(t, d, 'the second destination');
    const [record] = await gw.records(1);
    t.match(record, {
      outcome: 'answered',
      attempts: [
        { index: 0, cause: 'unreachable' },
        { index: 1, cause: 'answered' },
      ],
    });
    return record;
  };
  return { gw, port: d.port, call };
}

t.test(
  'a TLS dealer on a UDP/TCP drachtio: warned, gauged, skipped; a fix clears it',
  async (t) => {
    const { gw, port, call } = await pastTheFirst(t, (p) => ({ port: p, transport: 'tls' }));
    const server = `127.0.0.1:${gw.standin.adminAddress.port}`;
    await waitFor(async () => (await unavailable(gw)) === '1', 5000, 'the gauge at 1');
    await logged(
      t,
      gw,
      new RegExp(
        `"level":40[^\\n]*"server":"${server}","offers":\\["tcp over IPv4","udp over IPv4"\\],"unavailable":1,"destinations":\\[\\{"uri":"sip:dealer@127\\.0\\.0\\.1:${port};transport=tls","needs":"tls over IPv4","usedBy":"customer autohaus-berlin, number [^"]+: destinations","places":1\\}\\][^\\n]*"msg":"1 destination\\(s\\) name a transport drachtio-server ${server} does not listen on \\(it offers tcp over IPv4, udp over IPv4\\)`,
      ),
      'one warning naming the server, what it offers and the destination',
    );

    // what the warning says: the leg is refused, nothing sent, the hunt goes on to the next
    await call();
    t.equal(
      gw.standin.trace.filter(
        (r) => r.kind === 'sip' && r.dir === 'out' && /;transport=tls/.test(r.firstLine),
      ).length,
      0,
      'nothing was sent to the TLS URI',
    );

    // a typo in the fix: refused with its place, the routes and the gauge as they were
    const file = join(gw.dialplans, 'numbers.yaml');
    const rejected = await reloads(gw, 'rejected');
    writeFileSync(file, readFileSync(file, 'utf8').replace(';transport=tls', ';transport=tpc'));
    await waitFor(async () => (await reloads(gw, 'rejected')) > rejected, 5000, 'rejected');
    await logged(
      t,
      gw,
      /numbers\.yaml:\d+[^\n]*;transport=tpc': only ;transport=udp\|tcp\|tls is allowed/,
      'the file, the line and why',
    );
    t.equal(await unavailable(gw), '1', 'the table in force still has the TLS dealer');

    const loaded = await reloads(gw, 'loaded');
    writeFileSync(file, readFileSync(file, 'utf8').replace(';transport=tpc', ';transport=tcp'));
    await waitFor(async () => (await reloads(gw, 'loaded')) > loaded, 5000, 'loaded');
    t.equal(await unavailable(gw), '0', 'TCP is offered: nothing unavailable');
    await logged(
      t,
      gw,
      new RegExp(
        `"level":30[^\\n]*"msg":"drachtio-server ${server} listens on every transport the destinations name"`,
      ),
    );
  },
);

t.test(
  'a bare sips: dealer: the stack’s 416, counted unreachable, the next one answers',
  async (t) => {
    const { call } = await pastTheFirst(t, (p) => ({ uri: `sips:dealer@127.0.0.1:${p}` }));
    t.match(await call(), { attempts: [{ status: 416 }] });
  },
);

t.test('an admin API write naming TLS: made, its answer warning at each such field', async (t) => {
  const { gw, api } = await startAdminGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': numbersYaml([{ port: 5099 }]),
  });
  const server = `127.0.0.1:${gw.standin.adminAddress.port}`;
  const destinations = [
    { to: 'sips:verkauf@pbx.example', ringTimeout: 20 },
    {
      ringAll: ['sip:a@pbx.example;transport=tcp', 'sip:b@pbx.example;transport=tls'],
      ringTimeout: 15,
    },
  ];
  const warnings = [
    {
      pointer: '/destinations/0/to',
      message: `'sips:verkauf@pbx.example' needs tls, which drachtio-server ${server} does not listen on: no call to it through that server connects`,
    },
    {
      pointer: '/destinations/1/ringAll/1',
      message: `'sip:b@pbx.example;transport=tls' needs tls, which drachtio-server ${server} does not listen on: no call to it through that server connects`,
    },
  ];
  const patch = async (body: unknown, dryRun = false) =>
    api(`/v1/numbers/${TRACKING}${dryRun ? '?dryRun=true' : ''}`, {
      method: 'PATCH',
      ifMatch: String((await api('/v1/dialplan')).headers.etag),
      body,
    });

  const dry = await patch({ destinations }, true);
  t.match(dry, { status: 200, body: { dryRun: true, valid: true } });
  t.same(dry.body.warnings, warnings, 'a dry run warns the same');

  const made = await patch({ destinations });
  t.equal(made.status, 200, 'valid: made, not refused');
  t.same(made.body.warnings, warnings);
  t.equal(await unavailable(gw), '2', 'the gauge counts them once served');

  const plain = await patch({
    destinations: [{ to: 'sip:verkauf@pbx.example;transport=tcp', ringTimeout: 20 }],
  });
  t.equal(plain.status, 200);
  t.notOk('warnings' in plain.body, 'nothing to warn of: no warnings field');
  t.equal(await unavailable(gw), '0');
});
