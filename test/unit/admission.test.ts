import t from 'tap';
import { Admitter, allowList, RateLimiter } from '../../src/sip/admission.js';

const config = (over: Partial<ConstructorParameters<typeof Admitter>[0]> = {}) => ({
  carrierAllowlist: ['192.0.2.0/24', '198.51.100.7', '2001:db8::/32'],
  scannerUserAgents: ['friendly-scanner', 'sipvicious'],
  rateLimit: { callsPerSecond: 1, burst: 2 },
  ...over,
});

t.test('the carrier allow-list: addresses and CIDR ranges, v4 and v6', async (t) => {
  const a = new Admitter(config());
  t.same(a.admit('192.0.2.44', undefined, 0), { ok: true });
  t.same(a.admit('198.51.100.7', undefined, 0), { ok: true });
  t.same(a.admit('2001:db8::5', undefined, 0), { ok: true });
  t.same(a.admit('198.51.100.8', undefined, 0), { ok: false, reason: 'not-allowed' });
  t.same(
    a.admit('203.0.113.1', 'friendly-scanner', 0),
    { ok: false, reason: 'not-allowed' },
    'the allow-list is checked first',
  );
  t.ok(new Admitter(config({ carrierAllowlist: [] })).allowsAll, 'an empty list allows all');
  t.throws(() => allowList(['carrier.example']), /not an IP address or CIDR range/);
});

t.test('scanner user agents, case-insensitive, anywhere in the header', async (t) => {
  const a = new Admitter(config({ carrierAllowlist: [] }));
  t.same(a.admit('203.0.113.1', 'Friendly-Scanner 1.0', 0), { ok: false, reason: 'scanner' });
  t.same(a.admit('203.0.113.2', 'sipvicious/0.3', 0), { ok: false, reason: 'scanner' });
  t.same(a.admit('203.0.113.3', 'Asterisk PBX 20', 0), { ok: true });
});

t.test('rate limit per source: a burst, then the configured rate', async (t) => {
  const limiter = new RateLimiter(1, 2);
  t.same([limiter.take('a', 0), limiter.take('a', 0), limiter.take('a', 0)], [true, true, false]);
  t.ok(limiter.take('b', 0), 'other sources have their own bucket');
  t.notOk(limiter.take('a', 500), 'half a token after 500 ms is not enough');
  t.ok(limiter.take('a', 1000), 'one token per second');
  const a = new Admitter(config({ carrierAllowlist: [] }));
  a.admit('203.0.113.9', undefined, 0);
  a.admit('203.0.113.9', undefined, 0);
  t.same(a.admit('203.0.113.9', undefined, 0), { ok: false, reason: 'rate-limited' });
});

t.test('draining refuses what would otherwise be admitted', async (t) => {
  const a = new Admitter(config({ carrierAllowlist: [] }));
  a.draining = true;
  t.same(a.admit('203.0.113.1', undefined, 0), { ok: false, reason: 'draining' });
});
