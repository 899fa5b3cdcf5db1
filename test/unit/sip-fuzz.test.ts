// The fuzz corpus is a function of its seed: a failing case can be replayed byte for byte.
import t from 'tap';
import { fuzzCorpus } from '../helpers/sip-fuzz.js';

const from = { address: '127.0.0.1', port: 5999 };

t.test('same seed, same bytes; another seed, other mutations', async (t) => {
  const a = fuzzCorpus(1, 'x', '+4930', from);
  const b = fuzzCorpus(1, 'x', '+4930', from);
  const c = fuzzCorpus(2, 'x', '+4930', from);
  t.same(
    a.map((x) => x.data.toString('hex')),
    b.map((x) => x.data.toString('hex')),
  );
  t.not(a.map((x) => x.data.toString('hex')).join(), c.map((x) => x.data.toString('hex')).join());
});

t.test('names are unique and every datagram fits in UDP', async (t) => {
  const cases = fuzzCorpus(4475, 'r1', '+4930', from);
  t.equal(new Set(cases.map((x) => x.name)).size, cases.length);
  t.ok(cases.every((x) => x.data.length > 0 && x.data.length <= 65507));
  t.ok(
    cases.some((x) => x.data.length > 1500),
    'one is over the Ethernet MTU',
  );
  t.ok(
    cases.some((x) => x.data.length > 60_000),
    'one carries a header near 64 kB',
  );
});
