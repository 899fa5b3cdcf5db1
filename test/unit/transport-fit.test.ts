/**
 * Destinations that name a transport: refused when no server could ever dial them (a typo in
 * `;transport=`, UDP under `sips:`), and reported per drachtio-server when that server does not
 * listen on what they name.
 */
import { Gauge, Registry } from 'prom-client';
import t from 'tap';
import { formatError } from '../../src/dialplan/errors.js';
import { loadDialplans } from '../../src/dialplan/load.js';
import { createLogger } from '../../src/observability/logger.js';
import { parseDestination } from '../../src/routing/destination.js';
import {
  offeredTransports,
  transportNeeded,
  transportParam,
} from '../../src/routing/sip-transport.js';
import { entryNeeds, transportNeeds, unmetNeeds } from '../../src/routing/transport-needs.js';
import { parseTrunk, type Trunk } from '../../src/routing/trunk.js';
import { TransportFit } from '../../src/sip/transport-fit.js';
import {
  ACTIVE,
  customersWith,
  numberEntry,
  numbersFile,
  tableOf,
} from '../helpers/dialplan-texts.js';

const PLAIN_TRUNK: Trunk = { scheme: 'sip', hostPort: 'trunk.example:5060' };

/** A number entry whose one destination is `uri`. */
function dialling(number: string, uri: string): string {
  return numberEntry(number, [
    'status: active',
    'destinations:',
    `  - to: "${uri}"`,
    '    ringTimeout: 20',
  ]);
}

t.test('the transport a URI names: checked, case-insensitive, one only', async (t) => {
  t.same(transportParam('sip', ''), { ok: true });
  t.same(transportParam('sip', ';user=phone;transport=TCP'), { ok: true, transport: 'tcp' });
  t.same(transportParam('sips', ';transport=tls'), { ok: true, transport: 'tls' });
  t.same(transportParam('sip', ';transport=tpc'), {
    ok: false,
    problem: "has the parameter ';transport=tpc': only ;transport=udp|tcp|tls is allowed",
  });
  t.match(transportParam('sip', ';transport=ws'), { ok: false }, 'drachtio opens no WebSocket');
  t.match(transportParam('sip', ';transport=sctp'), { ok: false });
  t.match(transportParam('sip', ';transport='), { ok: false });
  t.same(transportParam('sip', ';transport=tcp;transport=udp'), {
    ok: false,
    problem: 'names ;transport= twice',
  });
  t.same(transportParam('sips', ';transport=udp'), {
    ok: false,
    problem: 'asks for sips: over UDP',
  });
  t.same(transportParam('sip', ';transport=udp'), { ok: true, transport: 'udp' });
  t.same(transportParam('sip', ';x-transport=ws'), { ok: true }, 'another parameter is not it');
});

t.test('a dealer URI a typo made undialable is refused with the reason', async (t) => {
  for (const [uri, reason] of [
    ['sip:verkauf@pbx.example;transport=tpc', /';transport=tpc': only ;transport=udp\|tcp\|tls/],
    ['sip:verkauf@pbx.example;transport=ws', /only ;transport=udp\|tcp\|tls/],
    ['sips:verkauf@pbx.example;transport=udp', /asks for sips: over UDP/],
    ['sip:verkauf@pbx.example;transport=tcp;transport=tls', /names ;transport= twice/],
  ] as const) {
    const r = parseDestination(uri, 20);
    t.match(r, { ok: false, reason }, uri);
    if (!r.ok) t.ok(r.reason.startsWith(`'${uri}' `), 'names the URI');
  }
  // the user part may hold a ';' that is not a parameter of the URI
  t.match(parseDestination('sip:a;transport=x@pbx.example;transport=tcp', 20), { ok: true });

  // in a file: where, and nothing of the set is taken
  const r = loadDialplans(
    [
      customersWith([]),
      numbersFile('n.yaml', [
        numberEntry('+493025550101', ACTIVE),
        dialling('+493025550102', 'sip:verkauf@pbx.example;transport=tpc'),
      ]),
    ],
    { now: new Date() },
  );
  t.equal(r.ok, false, 'the whole set is refused: the table in service stays');
  if (!r.ok) {
    const text = r.errors.map(formatError).join('\n');
    t.match(text, /n\.yaml:\d+/, 'the file and line');
    t.match(text, /transport=tpc': only ;transport=udp\|tcp\|tls is allowed/);
  }
});

t.test('the trunk takes the same transports, and nothing else after the host', async (t) => {
  t.match(parseTrunk('sip:trunk.example;transport=tpc'), {
    ok: false,
    problem: /transport=tpc': only ;transport=udp\|tcp\|tls is allowed/,
  });
  t.match(parseTrunk('sip:trunk.example;lr'), { ok: false, problem: /';lr': only ;transport=/ });
  t.same(parseTrunk('sip:trunk.example:5061;transport=TLS'), {
    ok: true,
    trunk: { scheme: 'sip', hostPort: 'trunk.example:5061', transport: 'tls' },
  });
});

t.test('what a URI needs, and what a server offers', async (t) => {
  t.equal(
    transportNeeded('sip:verkauf@pbx.example'),
    undefined,
    'plain sip: is the server’s choice',
  );
  t.equal(transportNeeded('sip:verkauf@pbx.example;user=phone;transport=tcp'), 'tcp');
  t.equal(transportNeeded('sips:verkauf@pbx.example'), 'tls');
  t.equal(transportNeeded('sips:verkauf@pbx.example;transport=tcp'), 'tls', 'sips: is TLS');
  t.equal(transportNeeded('sip:a;transport=tls@pbx.example'), undefined, 'not the user part’s');
  // a literal address names its family: sofia sends over a transport of that family only
  t.equal(transportNeeded('sip:d@[2001:db8::1]:5060'), 'IPv6');
  t.equal(transportNeeded('sip:d@[2001:db8::1];transport=tcp'), 'tcp over IPv6');
  t.equal(transportNeeded('sips:[2001:db8::1]:5061'), 'tls over IPv6', 'no user part');
  t.equal(transportNeeded('sip:d@192.0.2.10:5060;transport=tcp'), 'tcp over IPv4');
  t.equal(transportNeeded('sip:192.0.2.10'), 'IPv4');
  t.equal(transportNeeded('sip:d@192.0.2.10.example.net'), undefined, 'a host name');
  t.equal(transportNeeded('sip:1.2.3.4@pbx.example'), undefined, 'digits in the user part');
  t.same(
    [...offeredTransports('udp/[::1]:5060,tcp/10.0.0.1:5060,TLS/10.0.0.1:5061')],
    ['udp', 'IPv6', 'udp over IPv6', 'tcp', 'IPv4', 'tcp over IPv4', 'tls', 'tls over IPv4'],
    'each entry: its transport, its family, both',
  );
  t.same([...offeredTransports('')], [], 'an answer without addresses offers nothing');
  const v4 = offeredTransports('tcp/10.0.0.1:5060,udp/10.0.0.1:5060');
  t.notOk(v4.has('IPv6'), 'IPv4 contacts: no IPv6 destination');
  t.notOk(offeredTransports('udp/[::1]:5060,tcp/10.0.0.1:5060').has('tcp over IPv6'));
});

t.test(
  'a table’s needs: each URI once, first place named, deactivated numbers left out',
  async (t) => {
    const table = tableOf(
      [
        dialling('+493025550101', 'sips:verkauf@pbx.example'),
        dialling('+493025550102', 'sips:verkauf@pbx.example'),
        numberEntry('+493025550103', [
          'status: active',
          'destinations:',
          '  - ringAll: ["sip:a@pbx.example;transport=tcp", "sip:b@pbx.example", "+493089001234"]',
          '    ringTimeout: 20',
        ]),
        numberEntry('+493025550104', [
          'status: deactivated',
          'activatedAt: "2025-01-01"',
          'deactivatedAt: "2026-01-01"',
        ]),
        numberEntry('+493025550105', [
          ...ACTIVE,
          'options:',
          '  closed:',
          '    action: destinations',
          '    destinations: [{ to: "sip:night@service.example;transport=udp", ringTimeout: 30 }]',
        ]),
      ],
      [
        'closed:',
        '  action: destinations',
        '  destinations: [{ to: "sips:answering@service.example", ringTimeout: 30 }]',
      ],
    );
    const needs = transportNeeds(table, {
      scheme: 'sip',
      hostPort: 'trunk.example',
      transport: 'tcp',
    });
    t.same(
      needs.map((n) => [n.uri, n.needs, n.usedBy, n.places]),
      [
        [
          'sips:verkauf@pbx.example',
          'tls',
          'customer autohaus-berlin, number +493025550101: destinations',
          2,
        ],
        [
          'sip:a@pbx.example;transport=tcp',
          'tcp',
          'customer autohaus-berlin, number +493025550103: destinations',
          1,
        ],
        [
          'sip:night@service.example;transport=udp',
          'udp',
          'customer autohaus-berlin, number +493025550105: closed',
          1,
        ],
        ['sips:answering@service.example', 'tls', 'customer autohaus-berlin: closed', 1],
        ['sip:trunk.example;transport=tcp', 'tcp', 'OUTBOUND_TRUNK', 1],
      ],
    );
    t.same(
      unmetNeeds(needs, new Set(['udp', 'tcp'])).map((n) => n.uri),
      ['sips:verkauf@pbx.example', 'sips:answering@service.example'],
    );
    t.same(unmetNeeds(needs, new Set(['udp', 'tcp', 'tls'])), []);
    t.same(transportNeeds(undefined, PLAIN_TRUNK), [], 'no table yet, a plain trunk: nothing');
    t.same(
      transportNeeds(undefined, { scheme: 'sips', hostPort: 'trunk.example' }).map((n) => n.needs),
      ['tls'],
    );
  },
);

/** A TransportFit whose log lines and gauge the test reads. */
function fitBed(trunk: Trunk = PLAIN_TRUNK) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line)) });
  const registry = new Registry();
  const gauge = new Gauge({
    name: 'g',
    help: 'g',
    labelNames: ['server'] as const,
    registers: [registry],
  });
  const fit = new TransportFit(logger, gauge, trunk);
  const value = async (server: string) =>
    (await gauge.get()).values.find((v) => v.labels.server === server)?.value;
  return { fit, lines, value };
}

const UDP_TCP = 'tcp/10.0.0.1:5060,udp/10.0.0.1:5060';

t.test(
  'a server lacking a transport: one warning when that changes, the gauge always',
  async (t) => {
    const { fit, lines, value } = fitBed();
    const tlsDealer = tableOf([dialling('+493025550101', 'sips:verkauf@pbx.example')]);
    fit.tableLoaded(tlsDealer);
    t.same(lines, [], 'no server yet: nothing to hold the table against');

    fit.connected('a:9022', UDP_TCP);
    fit.connected('b:9022', `${UDP_TCP},tls/10.0.0.2:5061`);
    t.equal(await value('a:9022'), 1);
    t.equal(await value('b:9022'), 0, 'the other server has TLS');
    t.equal(lines.length, 1, 'said for the server that lacks it, not for the other');
    t.match(lines[0], {
      level: 40,
      server: 'a:9022',
      offers: ['tcp over IPv4', 'udp over IPv4'],
      unavailable: 1,
      destinations: [{ uri: 'sips:verkauf@pbx.example', needs: 'tls', places: 1 }],
      msg: /^1 destination\(s\) name a transport drachtio-server a:9022 does not listen on \(it offers tcp over IPv4, udp over IPv4\): no call to them through it connects \(drachtio-server refuses the leg, nothing is sent\)/,
    });
    t.notMatch(JSON.stringify(lines[0]), /493025550101/, 'the number is redacted in the log');
    t.match(JSON.stringify(lines[0]), /customer autohaus-berlin/, 'the customer is not');

    fit.connected('a:9022', UDP_TCP);
    fit.tableLoaded(tlsDealer);
    t.equal(lines.length, 1, 'a reconnect or a reload with the same gap says nothing again');
    t.equal(await value('a:9022'), 1);

    fit.tableLoaded(tableOf([dialling('+493025550101', 'sip:verkauf@pbx.example;transport=tcp')]));
    t.equal(await value('a:9022'), 0, 'a reload that fixes it clears the gauge');
    t.match(lines[1], {
      level: 30,
      server: 'a:9022',
      msg: 'drachtio-server a:9022 listens on every transport the destinations name',
    });
    t.equal(lines.length, 2);

    fit.connected('a:9022', 'udp/10.0.0.1:5060');
    t.equal(await value('a:9022'), 1, 'a server back with UDP alone lacks the TCP dealer');
    t.match(lines[2], { level: 40, destinations: [{ needs: 'tcp' }] });
  },
);

t.test('an IPv6 dealer: lacking on IPv4 contacts, met by an IPv6 one', async (t) => {
  const { fit, lines, value } = fitBed();
  fit.tableLoaded(tableOf([dialling('+493025550101', 'sip:verkauf@[2001:db8::10]:5060')]));
  fit.connected('a:9022', UDP_TCP);
  t.equal(await value('a:9022'), 1);
  t.match(lines[0], { destinations: [{ uri: 'sip:verkauf@[2001:db8::10]:5060', needs: 'IPv6' }] });
  fit.connected('a:9022', `udp/[2001:db8::1]:5060,${UDP_TCP}`);
  t.equal(await value('a:9022'), 0, 'drachtio-server with an IPv6 contact sends it');
});

t.test('a trunk the server cannot reach is said before any dialplan', async (t) => {
  const { fit, lines, value } = fitBed({ scheme: 'sips', hostPort: 'trunk.example:5061' });
  fit.connected('a:9022', UDP_TCP);
  t.equal(await value('a:9022'), 1);
  t.match(lines, [{ level: 40, destinations: [{ usedBy: 'OUTBOUND_TRUNK', needs: 'tls' }] }]);
});

t.test('a server with nothing lacking says nothing at its connect', async (t) => {
  const { fit, lines, value } = fitBed();
  fit.tableLoaded(tableOf([dialling('+493025550101', 'sip:verkauf@pbx.example')]));
  fit.connected('a:9022', UDP_TCP);
  t.equal(await value('a:9022'), 0);
  t.same(lines, []);
});

t.test('an entry as written: each URI naming a transport, at its JSON pointer', async (t) => {
  const number = {
    number: '+493025550101',
    status: 'active',
    destinations: [
      { to: 'sip:plain@pbx.example', ringTimeout: 20 },
      { to: '+493089001234', ringTimeout: 20 },
      { ringAll: ['sip:a@pbx.example', 'sips:b@pbx.example'], ringTimeout: 15 },
    ],
    options: {
      closed: { action: 'destinations', destinations: [{ to: 'sip:n@x.example;transport=tcp' }] },
    },
  };
  t.same(entryNeeds(number), [
    { pointer: '/destinations/2/ringAll/1', uri: 'sips:b@pbx.example', needs: 'tls' },
    {
      pointer: '/options/closed/destinations/0/to',
      uri: 'sip:n@x.example;transport=tcp',
      needs: 'tcp',
    },
  ]);
  t.same(
    entryNeeds({ ...number, status: 'deactivated' }),
    [],
    'a deactivated number routes nowhere',
  );
  t.same(
    entryNeeds({
      id: 'c1',
      closed: { action: 'destinations', destinations: [{ to: 'sips:s@x.example' }] },
    }),
    [{ pointer: '/closed/destinations/0/to', uri: 'sips:s@x.example', needs: 'tls' }],
    'a customer’s closed destinations',
  );
  t.same(entryNeeds({ id: 'c1', closed: { action: 'refuse' } }), []);
  for (const odd of [
    undefined,
    null,
    'x',
    [],
    { destinations: 'x' },
    { destinations: [null, { to: 3 }] },
  ])
    t.same(entryNeeds(odd), [], `nothing to find in ${JSON.stringify(odd)}`);
});

t.test('a written entry’s warnings name every server that lacks the transport', async (t) => {
  const { fit } = fitBed();
  const entry = {
    destinations: [{ to: 'sips:verkauf@pbx.example' }, { to: 'sip:x@pbx.example;transport=tcp' }],
  };
  t.same(fit.warningsFor(entry), [], 'no server connected yet: nothing known to lack');
  fit.connected('a:9022', UDP_TCP);
  fit.connected('b:9022', UDP_TCP);
  fit.connected('c:9022', `${UDP_TCP},tls/10.0.0.3:5061`);
  t.same(fit.warningsFor(entry), [
    {
      pointer: '/destinations/0/to',
      message:
        "'sips:verkauf@pbx.example' needs tls, which drachtio-server a:9022, b:9022 does not listen on: no call to it through those servers connects",
    },
  ]);
  fit.connected('a:9022', `${UDP_TCP},tls/10.0.0.1:5061`);
  t.match(fit.warningsFor(entry), [
    {
      message:
        /drachtio-server b:9022 does not listen on: no call to it through that server connects$/,
    },
  ]);
});
