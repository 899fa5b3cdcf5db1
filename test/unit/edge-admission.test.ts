import t from 'tap';
import { type AdmissionConfig, Admitter } from '../../src/edge/admission.js';
import { EDGE_ANSWERS } from '../../src/edge/answers.js';
import { CarrierTable, ipv4Value, parseCidr, plainAddress } from '../../src/edge/carriers.js';
import { SourceLimiter } from '../../src/edge/source-limiter.js';

const config = (over: Partial<AdmissionConfig> = {}): AdmissionConfig => ({
  carriers: [
    { name: 'trusted', cidrs: ['192.0.2.0/24', '2001:db8::/32'], trustIdentity: true },
    { name: 'plain', cidrs: ['198.51.100.7'], trustIdentity: false },
  ],
  unknownSources: 'refuse',
  scannerUserAgents: ['friendly-scanner', 'sipvicious'],
  sourceRate: { callsPerSecond: 1, burst: 2, capacity: 1000 },
  node: { maxCallsPerSecond: 1000, maxConcurrentCalls: 1000 },
  ...over,
});

/** A monotonic clock the test moves. */
function clock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

t.test('carriers by source address, v4 and v6; strangers refused unless admitted', async (t) => {
  const a = new Admitter(config(), clock().now);
  t.match(a.admit('192.0.2.44', undefined, 0), {
    ok: true,
    carrier: { name: 'trusted' },
    trustIdentity: true,
  });
  t.match(a.admit('2001:db8::5', undefined, 0), { ok: true, trustIdentity: true });
  t.match(a.admit('198.51.100.7', undefined, 0), {
    ok: true,
    carrier: { name: 'plain' },
    trustIdentity: false,
  });
  t.same(a.admit('198.51.100.8', undefined, 0), { ok: false, reason: 'not-allowed' });
  t.same(
    a.admit('203.0.113.1', 'friendly-scanner', 0),
    { ok: false, reason: 'not-allowed' },
    'the carrier check comes first',
  );
  const open = new Admitter(config({ unknownSources: 'admit' }), clock().now);
  t.same(
    open.admit('203.0.113.1', undefined, 0),
    { ok: true, carrier: undefined, trustIdentity: false },
    'admitted strangers are never trusted for identity',
  );
});

t.test('an IPv4-mapped IPv6 source is the IPv4 address it maps', async (t) => {
  const time = clock();
  const a = new Admitter(config({ unknownSources: 'admit' }), time.now);
  t.match(a.admit('::ffff:192.0.2.44', undefined, 0), { ok: true, carrier: { name: 'trusted' } });
  t.match(a.admit('::FFFF:198.51.100.7', undefined, 0), { ok: true, carrier: { name: 'plain' } });
  // one source whichever way it is written: its burst of 2 is shared
  t.match(a.admit('203.0.113.9', undefined, 0), { ok: true, carrier: undefined });
  t.match(a.admit('::ffff:203.0.113.9', undefined, 0), { ok: true });
  t.same(a.admit('203.0.113.9', undefined, 0), { ok: false, reason: 'rate-limited' });
  t.equal(plainAddress('::ffff:c000:22c'), '::ffff:c000:22c', 'hex form: left to BlockList');
  t.equal(plainAddress('2001:db8::ffff:1.2.3.4'), '2001:db8::ffff:1.2.3.4');
  t.equal(plainAddress('::ffff:999.1.1.1'), '::ffff:999.1.1.1', 'not an IPv4 address');
});

t.test(
  'knows: carriers always, strangers only when admitted (their OPTIONS get 403)',
  async (t) => {
    const refusing = new Admitter(config(), clock().now);
    t.ok(refusing.knows('192.0.2.1'));
    t.ok(refusing.knows('::ffff:198.51.100.7'));
    t.notOk(refusing.knows('203.0.113.1'));
    t.ok(new Admitter(config({ unknownSources: 'admit' }), clock().now).knows('203.0.113.1'));
  },
);

t.test('scanner user agents, case-insensitive, anywhere in the header', async (t) => {
  const a = new Admitter(config({ unknownSources: 'admit' }), clock().now);
  t.same(a.admit('203.0.113.1', 'Friendly-Scanner 1.0', 0), { ok: false, reason: 'scanner' });
  t.same(a.admit('192.0.2.2', 'sipvicious/0.3', 0), { ok: false, reason: 'scanner' });
  t.match(a.admit('203.0.113.3', 'Asterisk PBX 20', 0), { ok: true });
});

t.test(
  'a carrier has its own rate, shared by all its addresses; others are unlimited',
  async (t) => {
    const c = clock();
    const a = new Admitter(
      config({
        carriers: [
          {
            name: 'small',
            cidrs: ['192.0.2.0/24'],
            trustIdentity: false,
            callsPerSecond: 1,
            burst: 2,
          },
          { name: 'big', cidrs: ['198.51.100.0/24'], trustIdentity: false },
        ],
      }),
      c.now,
    );
    t.match(a.admit('192.0.2.1', undefined, 0), { ok: true });
    t.match(a.admit('192.0.2.2', undefined, 0), { ok: true });
    t.same(a.admit('192.0.2.3', undefined, 0), { ok: false, reason: 'carrier-rate-limited' });
    for (let i = 0; i < 50; i++) t.match(a.admit('198.51.100.9', undefined, 0), { ok: true });
    c.advance(1000);
    t.match(a.admit('192.0.2.3', undefined, 0), { ok: true }, 'one call per second again');
  },
);

t.test(
  'sources outside the carriers: a rate per source; carriers are not limited per source',
  async (t) => {
    const c = clock();
    const a = new Admitter(config({ unknownSources: 'admit' }), c.now);
    t.match(
      [a.admit('203.0.113.9', undefined, 0), a.admit('203.0.113.9', undefined, 0)],
      [{ ok: true }, { ok: true }],
    );
    t.same(a.admit('203.0.113.9', undefined, 0), { ok: false, reason: 'rate-limited' });
    t.match(
      a.admit('203.0.113.10', undefined, 0),
      { ok: true },
      'another source has its own bucket',
    );
    for (let i = 0; i < 5; i++) t.match(a.admit('192.0.2.1', undefined, 0), { ok: true });
    t.equal(a.trackedSources, 2, 'carrier sources are not tracked per source');
    c.advance(500);
    t.same(
      a.admit('203.0.113.9', undefined, 0),
      { ok: false, reason: 'rate-limited' },
      'half a token',
    );
    c.advance(500);
    t.match(a.admit('203.0.113.9', undefined, 0), { ok: true }, 'one token per second');
  },
);

t.test('the node: concurrent calls and new calls per second, for every source', async (t) => {
  const c = clock();
  const a = new Admitter(config({ node: { maxCallsPerSecond: 2, maxConcurrentCalls: 10 } }), c.now);
  t.same(a.admit('192.0.2.1', undefined, 10), { ok: false, reason: 'overload-calls' });
  t.match(a.admit('192.0.2.1', undefined, 9), { ok: true });
  t.match(a.admit('192.0.2.2', undefined, 0), { ok: true });
  t.same(a.admit('198.51.100.7', undefined, 0), { ok: false, reason: 'overload-rate' });
  c.advance(500);
  t.match(a.admit('198.51.100.7', undefined, 0), { ok: true });
});

t.test('draining refuses what would otherwise be admitted, before any limit', async (t) => {
  const a = new Admitter(config(), clock().now);
  a.draining = true;
  t.same(a.admit('192.0.2.1', undefined, 0), { ok: false, reason: 'draining' });
});

t.test('the answers: only draining sends Retry-After', async (t) => {
  for (const [reason, answer] of Object.entries(EDGE_ANSWERS))
    t.equal(answer.retryAfter, reason === 'draining', `${reason}: ${answer.status}`);
  t.match(EDGE_ANSWERS, {
    'not-allowed': { status: 403 },
    scanner: { status: 403 },
    'rate-limited': { status: 503 },
    'carrier-rate-limited': { status: 503 },
    'overload-calls': { status: 503 },
    'overload-rate': { status: 503 },
    'too-many-hops': { status: 483 },
    loop: { status: 482 },
    'bad-extension': { status: 420 },
    'unsupported-body': { status: 415 },
    'number-busy': { status: 486 },
  });
});

t.test(
  'the per-source limiter never holds more than its capacity, first in first out',
  async (t) => {
    const limiter = new SourceLimiter(1, 1, 100);
    let most = 0;
    for (let i = 0; i < 10_000; i++) {
      limiter.take(`10.0.${i >> 8}.${i & 255}`, i);
      most = Math.max(most, limiter.size);
    }
    t.equal(most, 100, 'capped at the capacity');
    const small = new SourceLimiter(1, 1, 2);
    t.ok(small.take('a', 0));
    t.ok(small.take('b', 0));
    t.notOk(small.take('a', 0), 'a is spent');
    t.ok(small.take('c', 0), 'c evicts a, the first tracked');
    t.notOk(small.take('b', 0), 'b was kept: still spent');
    t.ok(small.take('a', 0), 'a was forgotten: a fresh bucket (and evicts b)');
    t.equal(small.size, 2);
  },
);

t.test('a backward clock step does not refuse a source', async (t) => {
  // the gateway injects performance.now(), which never steps back; should an injected clock step
  // back all the same (a wall clock set back 60 s by NTP), the source still gets its rate
  let now = 1_700_000_000_000;
  const a = new Admitter(
    config({ unknownSources: 'admit', sourceRate: { callsPerSecond: 1, burst: 1, capacity: 10 } }),
    () => now,
  );
  t.match(a.admit('203.0.113.9', undefined, 0), { ok: true });
  now -= 60_000;
  t.same(a.admit('203.0.113.9', undefined, 0), { ok: false, reason: 'rate-limited' }, 'spent');
  now += 1_000;
  t.match(a.admit('203.0.113.9', undefined, 0), { ok: true }, 'one second later: admitted');
  const limiter = new SourceLimiter(1, 2, 10);
  t.ok(limiter.take('x', 100_000));
  t.ok(limiter.take('x', 40_000), 'a step back leaves the remaining token');
  t.notOk(limiter.take('x', 40_000));
  t.ok(limiter.take('x', 41_000), 'and refills from the new time');
});

t.test('CIDRs: addresses, ranges, and what is not one', async (t) => {
  t.same(parseCidr('192.0.2.0/24'), { address: '192.0.2.0', prefix: 24, family: 'ipv4' });
  t.same(parseCidr('2001:db8::1'), { address: '2001:db8::1', prefix: 128, family: 'ipv6' });
  for (const bad of ['carrier.example', '192.0.2.0/33', '192.0.2.0/', '10.0.0.0/8/8', '::1/129'])
    t.equal(parseCidr(bad), undefined, bad);
  const table = new CarrierTable(
    [
      { name: 'x', cidrs: ['10.0.0.0/8', '192.0.2.77'], trustIdentity: false },
      { name: 'y', cidrs: ['10.5.0.0/16', '2001:db8::/32'], trustIdentity: false },
      { name: 'all', cidrs: ['0.0.0.0/0'], trustIdentity: false },
    ],
    0,
  );
  t.equal(table.match('10.200.1.1')?.name, 'x');
  t.equal(table.match('10.5.1.1')?.name, 'x', 'the first listed wins');
  t.equal(table.match('192.0.2.77')?.name, 'x', 'a bare address is a /32');
  t.equal(table.match('192.0.2.78')?.name, 'all');
  t.equal(table.match('255.255.255.255')?.name, 'all', '/0 holds everything');
  t.equal(table.match('2001:db8::9')?.name, 'y');
  t.equal(table.match('2001:db9::9'), undefined);
  t.equal(table.match('10.0.0'), undefined, 'not an address');
  t.equal(ipv4Value('192.0.2.1'), 3221225985);
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '01234.1.1.1', '1.2.3.4 ', ''])
    t.equal(ipv4Value(bad), -1, JSON.stringify(bad));
});
