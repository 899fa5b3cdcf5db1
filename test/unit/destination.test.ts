import t from 'tap';
import { parseDestination } from '../../src/routing/destination.js';

t.test('E.164 and SIP URI destinations are accepted with their ring timeout', async (t) => {
  t.same(parseDestination('+493089001234', 20), {
    ok: true,
    value: { type: 'e164', number: '+493089001234', ringTimeoutMs: 20_000 },
  });
  for (const uri of [
    'sip:verkauf@pbx.example.de',
    'sip:pbx.example.de',
    'sips:verkauf@pbx.example.de:5061;transport=tls',
    'sip:+493089001234@192.0.2.10:5060;user=phone',
    'sip:dealer@[2001:db8::1]:5060',
    'sip:dealer@[::ffff:192.0.2.10]',
    'sip:dealer@10.0.0.0:5060',
    'sip:dealer@1.0.0.1',
    'sip:dealer@223.255.255.254',
    'sip:dealer@[::1]:5060',
    'sip:a?b@pbx.example',
  ]) {
    const r = parseDestination(uri, 15);
    t.same(r, { ok: true, value: { type: 'sip', uri, ringTimeoutMs: 15_000 } }, uri);
  }
});

t.test('anything else is refused with a reason', async (t) => {
  const cases: [string, RegExp][] = [
    ['+49 30 8900', /not an E.164/],
    ['+4930', /not an E.164/],
    ['+493012', /not a valid number/],
    ['http://pbx.example/x', /neither an E.164 number/],
    ['089001234', /neither an E.164 number/],
    ['sip:', /no valid host/],
    ['sip:a@', /no valid host/],
    ['sip:a@pbx.example:70000', /invalid port/],
    ['sip:a@pbx.example:50x', /invalid port/],
    ['sip:a b@pbx.example', /invalid user part/],
    ['sip:a@pbx..example', /no valid host/],
    ['sip:a@pbx.example;tr ansport=udp', /invalid URI parameters/],
    // what drachtio-server would send somewhere else than written, or not at all (v0.9.10)
    ['sip:a@127.0.0.010:5060', /leading zero, which drachtio-server reads as octal \(010 is 8\)/],
    ['sip:a@192.168.001.20', /leading zero/],
    ['sip:a@300.1.1.1', /'300\.1\.1\.1', which is not an IPv4 address/],
    ['sip:a@[2001:db8::1::2]', /which is not an IPv6 address/],
    ['sip:a@[:::]:5060', /which is not an IPv6 address/],
    ['sip:a@0.0.0.0:5060', /'0\.0\.0\.0', in 0\.0\.0\.0\/8 \("this network"\), which is no host/],
    ['sip:a@0.1.2.3', /in 0\.0\.0\.0\/8/],
    ['sip:a@224.0.0.1', /'224\.0\.0\.1', a multicast address, which is no one host/],
    ['sip:a@239.255.255.250', /a multicast address/],
    ['sip:a@255.255.255.255', /'255\.255\.255\.255', a reserved or broadcast address/],
    ['sip:a@240.0.0.1', /a reserved or broadcast address/],
    ['sip:a@[::]', /'\[::\]', the unspecified address, which is no host/],
    ['sip:a@[0:0:0:0:0:0:0:0]:5060', /the unspecified address/],
    ['sip:a@[ff02::1]', /'\[ff02::1\]', a multicast address/],
    ['sip:a@pbx.example;maddr=10.0.0.5', /has ;maddr=: drachtio-server would send there/],
    ['sip:a@pbx.example:5060?X-Foo=bar', /carries URI headers \('\?X-Foo=bar'\)/],
    ['sip:a@pbx.example?Subject=x', /carries URI headers/],
  ];
  for (const [to, reason] of cases) {
    const r = parseDestination(to, 20);
    t.equal(r.ok, false, to);
    if (!r.ok) t.match(r.reason, reason, to);
  }
});

t.test('a number written as people write it: the reason says what to write', async (t) => {
  t.match(parseDestination('+49 (0)30 8900 1234', 20), {
    ok: false,
    reason:
      "'+49 (0)30 8900 1234' is not an E.164 number: write '+49 (0)30 8900 1234' as '+493089001234'",
  });
  t.match(parseDestination('+49 030 8900 1234', 20), {
    ok: false,
    reason: /is not an E\.164 number: '\+49 030 8900 1234' is ambiguous: a 0 right after/,
  });
  t.match(
    parseDestination('+49 30', 20),
    { ok: false, reason: /^'\+49 30' is not an E\.164 number$/ },
    'too short: no advice to give',
  );
});
