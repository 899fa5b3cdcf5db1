/**
 * The number lifecycle through the admin API (the same edits as `calltrack numbers`): deactivate,
 * replace, end a contract, reclaimable and reclaim, and the history of versions they make.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { adminBed } from '../helpers/admin-app.js';

t.test('deactivate: the gateway answers 410 at once; twice is 409', async (t) => {
  const bed = await adminBed(t);
  const before = bed.etag();
  const r = await bed.send('POST', '/v1/numbers/030-2555-0102/deactivate', { token: 'editor' });
  t.equal(r.status, 200, JSON.stringify(r.body));
  t.equal(r.headers.etag, bed.etag());
  t.match(r.body, {
    versionBefore: before.slice(1, -1),
    before: { status: 'active' },
    after: { status: 'deactivated', deactivatedAt: '2026-11-22' },
    changedNumbers: ['+493025550102'],
    files: ['autohaus-mueller.yaml'],
  });
  t.match(bed.reloader.table.lookup('+493025550102'), {
    kind: 'reject',
    reason: 'deactivated',
    sipStatus: 410,
  });
  t.match(readFileSync(join(bed.dir, 'autohaus-mueller.yaml'), 'utf8'), /# showroom, rings first/);
  t.match(bed.audit, [{ action: 'number.deactivate', target: '+493025550102', actor: 'editor' }]);
  const again = await bed.send('POST', '/v1/numbers/+493025550102/deactivate', {
    headers: { 'content-type': 'application/json' },
  });
  t.equal(again.status, 409);
  t.match(again.body.detail, /already deactivated \(since 2026-11-22\)/);
  t.equal((await bed.send('POST', '/v1/numbers/+493099999999/deactivate')).status, 404);
  t.equal(bed.audit.length, 1);
});

t.test('replace: one write; an invalid new number points at /newNumber', async (t) => {
  const bed = await adminBed(t);
  const snapshot = bed.snapshot();
  const bad = await bed.send('POST', '/v1/numbers/+493025550102/replace', {
    body: { newNumber: '089 2555 0105' },
  });
  t.equal(bad.status, 422);
  t.match(bad.body.errors, [
    {
      pointer: '/newNumber',
      message: /area code 089/,
      location: /^autohaus-mueller\.yaml:\d+:\d+$/,
    },
  ]);
  t.same(bed.snapshot(), snapshot);
  const taken = await bed.send('POST', '/v1/numbers/+493025550102/replace', {
    body: { newNumber: '+493025550101' },
  });
  t.equal(taken.status, 409);
  const r = await bed.send('POST', '/v1/numbers/+493025550102/replace', {
    body: { newNumber: '+493025550105', source: 'AutoScout24 (neu)' },
  });
  t.equal(r.status, 200, JSON.stringify(r.body));
  t.match(bed.reloader.table.lookup('+493025550102'), {
    reason: 'deactivated',
    replacedBy: '+493025550105',
  });
  t.match(bed.reloader.table.lookup('+493025550105'), {
    kind: 'forward',
    source: 'AutoScout24 (neu)',
  });
  t.match(bed.audit, [
    {
      action: 'number.replace',
      target: '+493025550102',
      after: [{ replacedBy: '+493025550105' }, { replaces: '+493025550102' }],
    },
  ]);
});

t.test('end-contract deactivates every number of the customer (admin only)', async (t) => {
  const bed = await adminBed(t);
  const r = await bed.send('POST', '/v1/customers/autohaus-mueller/end-contract');
  t.equal(r.status, 200, JSON.stringify(r.body));
  t.same(r.body.changedNumbers, [
    '+493025550101',
    '+493025550102',
    '+493025550104',
    '+498001234567',
  ]);
  t.match(bed.reloader.table.lookup('+493025550104'), { reason: 'deactivated' });
  t.match(
    bed.reloader.table.lookup('+43316908070'),
    { kind: 'forward' },
    'others keep their routes',
  );
  t.equal((await bed.send('POST', '/v1/customers/nobody/end-contract')).status, 404);
  t.equal(bed.audit.length, 1);
});

t.test('reclaimable and reclaim: only numbers idle for 12 months', async (t) => {
  const bed = await adminBed(t, {
    '+493025550101': '2026-10-01T10:00:00Z',
    '+493025550102': '2025-11-21T10:00:00Z',
  });
  const list = await bed.send('GET', '/v1/numbers/reclaimable', { token: 'viewer' });
  t.equal(list.status, 200);
  t.equal(list.headers.etag, bed.etag());
  t.same(
    list.body.reclaimable.map((x: { number: string; basis: string }) => [x.number, x.basis]),
    [
      ['+493025550102', 'last-call'],
      ['+493025550104', 'activation'],
      ['+43316908070', 'activation'],
    ],
  );
  t.same(list.body.undetermined, ['+498001234567']);
  const snapshot = bed.snapshot();
  const refused = await bed.send('POST', '/v1/numbers/reclaim', {
    body: { numbers: ['+493025550102', '+493025550101'] },
  });
  t.equal(refused.status, 409, 'a recently called number is not reclaimed');
  t.match(refused.body.errors, [{ pointer: '/numbers/1', message: /not reclaimable/ }]);
  const odd = await bed.send('POST', '/v1/numbers/reclaim', { body: { numbers: ['x1'] } });
  t.equal(odd.status, 422);
  t.match(odd.body.errors, [{ pointer: '/numbers/0' }]);
  t.same(bed.snapshot(), snapshot);
  const r = await bed.send('POST', '/v1/numbers/reclaim', {
    token: 'editor',
    body: { numbers: ['+493025550102', '0043 316 908070'] },
  });
  t.equal(r.status, 200, JSON.stringify(r.body));
  t.same(r.body.changedNumbers, ['+493025550102', '+43316908070']);
  t.match(bed.reloader.table.lookup('+43316908070'), { reason: 'deactivated' });
  t.match(bed.audit, [{ action: 'number.reclaim', target: '+493025550102,+43316908070' }]);
});

t.test('history: every version served, API writes named by their author', async (t) => {
  const bed = await adminBed(t);
  const first = bed.etag().slice(1, -1);
  await bed.send('PATCH', '/v1/numbers/+493025550101', { body: { source: 'a' } });
  await bed.send('POST', '/v1/numbers/+493025550101/deactivate', { token: 'editor', body: {} });
  const h = await bed.send('GET', '/v1/dialplan/history', { token: 'viewer' });
  t.equal(h.status, 200);
  t.equal(h.headers.etag, bed.etag());
  t.match(h.body.versions, [
    { version: first, origin: 'files', numbers: Number, at: String },
    { origin: 'api:admin' },
    { origin: 'api:editor', version: bed.etag().slice(1, -1) },
  ]);
  t.equal(h.body.versions.length, 3);
});
