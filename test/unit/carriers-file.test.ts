import t from 'tap';
import { loadCarriers, parseCarriers } from '../../src/config/carriers-file.js';
import { ConfigError } from '../../src/config/load.js';
import { BAD_CIDR_AND_NAME_TWICE } from '../helpers/carriers.js';

t.test('the shipped file: a local carrier for loopback, not trusted for identity', async (t) => {
  const carriers = loadCarriers('config/carriers.yaml');
  t.same(carriers, [{ name: 'local', cidrs: ['127.0.0.0/8', '::1/128'], trustIdentity: false }]);
  t.ok(Object.isFrozen(carriers) && Object.isFrozen(carriers[0]), 'frozen');
});

t.test('every problem is listed with file:line:col', async (t) => {
  const text = [
    'version: 1', // 1
    'carriers:', // 2
    '  - name: telekom', // 3
    '    cidrs: ["192.0.2.0/24", "192.0.2.300"]', // 4
    '    trustIdentity: yes', // 5
    '  - name: telekom', // 6
    '    cidrs: ["192.0.2.128/25"]', // 7
    '    trustIdentity: false', // 8
    '    burst: 5', // 9
    '  - name: other', // 10
    '    cidrs: ["10.0.0.0/8"]', // 11
    '    trustIdentity: false', // 12
    '    callsPerSecond: 0', // 13
    '    tag: x', // 14
  ].join('\n');
  const err = t.throws(() => parseCarriers('carriers.yaml', text)) as ConfigError;
  t.ok(err instanceof ConfigError);
  t.match(err.problems, [
    /^carriers\.yaml:5:20: 'trustIdentity' must be a boolean, not string$/,
    /^carriers\.yaml:6:5: entry 2 of 'carriers' must have property callsPerSecond when property burst is present$/,
    /^carriers\.yaml:13:21: 'callsPerSecond' must be > 0$/,
    /^carriers\.yaml:14:5: unknown field 'tag'/,
  ]);
  t.equal(err.problems.length, 4, err.message);
});

t.test('addresses, names and networks that belong to one carrier', async (t) => {
  const text = BAD_CIDR_AND_NAME_TWICE;
  const err = t.throws(() => parseCarriers('c.yaml', text)) as ConfigError;
  t.same(err.problems, [
    "c.yaml:4:29: '192.0.2.0/40' is not an IP address or CIDR range",
    "c.yaml:6:11: carrier 'telekom' is already defined (entry 1); one entry per carrier",
  ]);
  const overlap = text.replace(
    '- name: telekom\n    cidrs: ["192.0.2.128',
    '- name: vodafone\n    cidrs: ["192.0.2.128',
  );
  const e2 = t.throws(() =>
    parseCarriers('c.yaml', overlap.replace('"192.0.2.0/24", "192.0.2.0/40"', '"192.0.2.0/24"')),
  ) as ConfigError;
  t.same(e2.problems, [
    "c.yaml:7:13: 192.0.2.128/25 overlaps 192.0.2.0/24 of carrier 'telekom'; a source address belongs to one carrier",
  ]);
  const syntax = t.throws(() =>
    parseCarriers('c.yaml', 'version: 1\ncarriers: [\n'),
  ) as ConfigError;
  t.match(syntax.problems[0], /^c\.yaml:\d+:\d+: YAML: /);
  const missing = t.throws(() => loadCarriers('/nonexistent/carriers.yaml')) as ConfigError;
  t.match(missing.problems[0], /^CARRIERS_FILE: cannot read \/nonexistent\/carriers\.yaml: ENOENT/);
});
