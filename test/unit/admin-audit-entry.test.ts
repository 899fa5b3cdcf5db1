/**
 * Audit entries as stream fields and back, and the queries of the audit and download routes:
 * what is kept, what is refused (caller data, unknown fields, bad shapes) and how periods and
 * ids are read.
 */
import t from 'tap';
import { AuditRefused, fromAuditFields, toAuditFields } from '../../src/admin/audit-entry.js';
import {
  parseAuditQuery,
  parseHistoryQuery,
  recordingIdParam,
} from '../../src/admin/download-query.js';
import { Problem } from '../../src/admin/problem.js';

const entry = {
  actor: 'ops',
  role: 'admin',
  action: 'number.update',
  target: '+493025550101',
  before: { destinations: [{ to: '+493089001234', ringTimeout: 20 }] },
  after: { destinations: [{ to: '+493089009999', ringTimeout: 20 }] },
  versionBefore: 'aaaa',
  versionAfter: 'bbbb',
  detail: { files: ['numbers.yaml'] },
};

t.test('an entry goes to fields and comes back whole, with its id and time', async (t) => {
  const fields = toAuditFields(entry);
  t.same(fields.slice(0, 8), [
    'actor',
    'ops',
    'role',
    'admin',
    'action',
    'number.update',
    'target',
    '+493025550101',
  ]);
  t.same(fromAuditFields('1764000000000-2', fields), {
    ...entry,
    id: '1764000000000-2',
    at: new Date(1764000000000).toISOString(),
  });
});

t.test('caller data, unknown fields and bad shapes are refused', async (t) => {
  const refused = [
    { ...entry, detail: { callerNumber: '+4917612345678' } },
    { ...entry, before: { records: [{ caller_country: 'DE' }] } },
    { ...entry, after: { x: { callerPseudonym: 'p' } } },
    { ...entry, detail: { pAssertedIdentity: 'sip:+49176@x' } },
    { ...entry, detail: { ani: '+4917612345678' } },
    { ...entry, caller: '+4917612345678' },
    { ...entry, action: 'download' },
    { ...entry, actor: '' },
    { ...entry, detail: { blob: 'x'.repeat(300_000) } },
  ];
  for (const bad of refused) t.throws(() => toAuditFields(bad as never), AuditRefused);
  t.doesNotThrow(
    () => toAuditFields({ ...entry, detail: { from: '2026-11-01', to: '2026-11-30' } }),
    'a period is no caller',
  );
});

t.test('audit queries: dates are whole UTC days, ids and limits in shape', async (t) => {
  t.same(parseAuditQuery({}), { limit: 100 });
  t.same(parseAuditQuery({ from: '2026-11-01', to: '2026-11-01', limit: '5', after: '1-0' }), {
    limit: 5,
    after: '1-0',
    from: Date.parse('2026-11-01T00:00:00Z'),
    to: Date.parse('2026-11-02T00:00:00Z') - 1,
  });
  t.equal(
    parseAuditQuery({ from: '2026-11-01T10:00:00+01:00' }).from,
    Date.parse('2026-11-01T09:00:00Z'),
  );
  for (const q of [
    { limit: '0' },
    { after: '../x' },
    { from: '2026-02-30' },
    { to: 'now' },
    { from: '2026-11-02', to: '2026-11-01' },
    { x: '1' },
  ])
    t.throws(() => parseAuditQuery(q), Problem, JSON.stringify(q));
});

t.test('history queries and recording ids', async (t) => {
  t.same(parseHistoryQuery({ from: '2026-11-01', to: '2026-11-30' }), {
    from: '2026-11-01',
    to: '2026-11-30',
    format: 'json',
  });
  t.throws(() => parseHistoryQuery({ from: '2026-11-01' }), /'to' is required/);
  t.throws(() => parseHistoryQuery({ from: '2025-01-01', to: '2026-11-30' }), /at most 400/);
  t.equal(
    recordingIdParam('0b6c8f0e-6a43-4c1e-9a53-2f1d1c1e0001'),
    '0b6c8f0e-6a43-4c1e-9a53-2f1d1c1e0001',
  );
  for (const id of [
    '..',
    '../x',
    '/etc/passwd',
    'a.wav',
    '0b6c8f0e-6a43-4c1e-9a53-2f1d1c1e000',
    '0B6C8F0E-6A43-4C1E-9A53-2F1D1C1E0001',
  ])
    t.throws(() => recordingIdParam(id), Problem, id);
});
