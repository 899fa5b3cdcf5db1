/**
 * Creating and updating customers and numbers through the admin API, in process: the files keep
 * their comments, the gateway serves the new version (the answer's ETag), each accepted write is
 * one audit entry, and a rejected one answers every error with a pointer into the request.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { adminBed } from '../helpers/admin-app.js';

const NEW_NUMBER = {
  number: '+493025550177',
  customer: 'autohaus-mueller',
  source: 'eBay Kleinanzeigen',
  destinations: [{ to: '+493089001234', ringTimeout: 20 }],
};

t.test(
  'POST /v1/numbers: a new number goes into the file of its customer and routes',
  async (t) => {
    const bed = await adminBed(t);
    const before = bed.etag();
    const r = await bed.send('POST', '/v1/numbers', { body: NEW_NUMBER });
    t.equal(r.status, 201, JSON.stringify(r.body));
    t.equal(r.headers.location, '/v1/numbers/+493025550177');
    t.equal(r.headers.etag, bed.etag(), 'the ETag is the version the gateway now serves');
    t.not(bed.etag(), before);
    t.match(r.body, {
      versionBefore: before.slice(1, -1),
      versionAfter: bed.etag().slice(1, -1),
      files: ['autohaus-mueller.yaml'],
      after: { ...NEW_NUMBER, status: 'active', activatedAt: '2026-11-22' },
    });
    t.match(bed.reloader.table.lookup('+493025550177'), {
      kind: 'forward',
      source: 'eBay Kleinanzeigen',
    });
    const text = readFileSync(join(bed.dir, 'autohaus-mueller.yaml'), 'utf8');
    t.match(
      text,
      /# Tracking numbers of Autohaus Müller, one per sales channel\./,
      'comments kept',
    );
    t.match(text, /# showroom, rings first/);
    t.match(
      text,
      /- number: "\+493025550177"\n {4}customer: autohaus-mueller\n/,
      'in the file style',
    );
    t.equal(bed.audit.length, 1, 'one audit entry');
    t.match(bed.audit[0], {
      actor: 'admin',
      role: 'admin',
      action: 'number.create',
      target: '+493025550177',
      after: { number: '+493025550177' },
      versionBefore: before.slice(1, -1),
      versionAfter: bed.etag().slice(1, -1),
    });
    const read = await bed.send('GET', '/v1/numbers/+493025550177');
    t.equal(read.status, 200);
  },
);

t.test('a number in a national or spaced shape is written in E.164', async (t) => {
  const bed = await adminBed(t);
  const r = await bed.send('POST', '/v1/numbers', {
    body: { ...NEW_NUMBER, number: '030 2555 0177' },
  });
  t.equal(r.status, 201, JSON.stringify(r.body));
  t.equal(r.body.after.number, '+493025550177');
  const r2 = await bed.send('POST', '/v1/numbers', {
    body: { ...NEW_NUMBER, number: '0049 (30) 2555-0178' },
  });
  t.equal(r2.status, 201, JSON.stringify(r2.body));
  t.equal(r2.body.after.number, '+493025550178');
  const r3 = await bed.send('POST', '/v1/numbers', {
    body: { ...NEW_NUMBER, number: '+49 (30) 2555 0179' },
  });
  t.equal(r3.status, 201, JSON.stringify(r3.body));
  t.equal(r3.body.after.number, '+493025550179');
  const path = await bed.send('POST', '/v1/numbers/0049%2030%202555%200179/deactivate');
  t.equal(path.status, 200, 'in the path too');
  t.same(path.body.changedNumbers, ['+493025550179']);
});

t.test('?file= and a customer without numbers yet choose the file', async (t) => {
  const bed = await adminBed(t);
  const a = await bed.send('POST', '/v1/numbers?file=extra.yaml', { body: NEW_NUMBER });
  t.equal(a.status, 201, JSON.stringify(a.body));
  t.same(a.body.files, ['extra.yaml']);
  t.match(
    readFileSync(join(bed.dir, 'extra.yaml'), 'utf8'),
    /^version: 1\nnumbers:\n {2}- number: "\+493025550177"/,
  );
  const c = await bed.send('POST', '/v1/customers', {
    body: { id: 'autohaus-neu', name: 'Autohaus Neu', seat: { country: 'DE', areaCode: '89' } },
  });
  t.equal(c.status, 201, JSON.stringify(c.body));
  t.same(c.body.files, ['customers.yaml'], 'into the file that holds customers');
  t.match(
    readFileSync(join(bed.dir, 'customers.yaml'), 'utf8'),
    /^# Customers \(dealers\)/,
    'comments kept',
  );
  const n = await bed.send('POST', '/v1/numbers', {
    body: { ...NEW_NUMBER, number: '+498925550101', customer: 'autohaus-neu' },
  });
  t.equal(n.status, 201, JSON.stringify(n.body));
  t.same(n.body.files, ['autohaus-neu.yaml'], 'a file of its own');
  t.equal(bed.audit.length, 3);
});

t.test('a rejected number writes nothing and names every error in the request', async (t) => {
  const bed = await adminBed(t);
  const before = bed.snapshot();
  const r = await bed.send('POST', '/v1/numbers', {
    body: {
      number: '+498925550177', // Munich, but the customer's seat is Berlin
      customer: 'autohaus-mueller',
      source: 'x',
      destinations: [
        { to: '+493025550101', ringTimeout: 20 }, // a tracking number: a loop
        { to: 'sip:a@b', ringTimeout: 999 },
      ],
      colour: 'red',
    },
  });
  t.equal(r.status, 422);
  t.match(r.headers['content-type'], /^application\/problem\+json/);
  const pointers = r.body.errors.map((e: { pointer: string }) => e.pointer).sort();
  t.same(
    pointers,
    ['/colour', '/destinations/0/to', '/destinations/1/ringTimeout', '/number'],
    JSON.stringify(r.body.errors),
  );
  for (const e of r.body.errors) t.match(e.location, /^autohaus-mueller\.yaml:\d+:\d+$/);
  t.match(
    r.body.errors.find((e: { pointer: string }) => e.pointer === '/number').message,
    /area code/,
  );
  t.match(
    r.body.errors.find((e: { pointer: string }) => e.pointer === '/colour').message,
    /unknown field/,
  );
  t.same(bed.snapshot(), before, 'every file unchanged');
  t.equal(bed.audit.length, 0, 'no audit entry');
});

t.test('PATCH /v1/numbers/:number merges destinations, options and source only', async (t) => {
  const bed = await adminBed(t);
  const r = await bed.send('PATCH', '/v1/numbers/030%202555%200101', {
    body: {
      source: 'mobile.de (neu)',
      destinations: [{ to: '+493089001299', ringTimeout: 30 }],
      options: { displayPrefix: null, maxConcurrentCalls: 5 },
    },
  });
  t.equal(r.status, 200, JSON.stringify(r.body));
  t.match(r.body.before, { source: 'mobile.de', options: { displayPrefix: '[mobile.de]' } });
  t.match(r.body.after, { source: 'mobile.de (neu)', options: { maxConcurrentCalls: 5 } });
  t.notOk('displayPrefix' in r.body.after.options, 'null deletes (RFC 7396)');
  const text = readFileSync(join(bed.dir, 'autohaus-mueller.yaml'), 'utf8');
  t.match(
    text,
    /# the dealer hears "mobile.de" before the caller is connected/,
    'untouched comments stay',
  );
  t.match(bed.reloader.table.lookup('+493025550101'), {
    kind: 'forward',
    source: 'mobile.de (neu)',
    destinations: [{ number: '+493089001299' }],
  });
  t.match(bed.audit, [
    { action: 'number.update', target: '+493025550101', before: { source: 'mobile.de' } },
  ]);

  const before = bed.snapshot();
  const refused = await bed.send('PATCH', '/v1/numbers/+493025550101', {
    body: { number: '+493025550199', customer: 'kfz-gruber', status: 'deactivated', source: 'ok' },
  });
  t.equal(refused.status, 422);
  t.same(
    refused.body.errors.map((e: { pointer: string }) => e.pointer),
    ['/number', '/customer', '/status'],
  );
  const bad = await bed.send('PATCH', '/v1/numbers/+493025550101', {
    body: { destinations: [{ to: '+493025550102', ringTimeout: 0 }] },
  });
  t.equal(bad.status, 422);
  t.same(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort(), [
    '/destinations/0/ringTimeout',
    '/destinations/0/to',
  ]);
  t.same(bed.snapshot(), before, 'nothing written');
  t.equal(bed.audit.length, 1, 'no audit entry for refused writes');
});

t.test('PATCH /v1/customers/:id; the id cannot change', async (t) => {
  const bed = await adminBed(t);
  const r = await bed.send('PATCH', '/v1/customers/kfz-gruber', {
    body: { name: 'KFZ Gruber GmbH' },
  });
  t.equal(r.status, 200, JSON.stringify(r.body));
  t.equal(bed.reloader.table.customer('kfz-gruber')?.name, 'KFZ Gruber GmbH');
  t.match(readFileSync(join(bed.dir, 'customers.yaml'), 'utf8'), /areaCode: "316" {7}# Graz\n/);
  const id = await bed.send('PATCH', '/v1/customers/kfz-gruber', { body: { id: 'other' } });
  t.equal(id.status, 422);
  t.same(id.body.errors, [{ pointer: '/id', message: String(id.body.errors[0].message) }]);
  const seat = await bed.send('PATCH', '/v1/customers/kfz-gruber', {
    body: { seat: { areaCode: '1' } },
  });
  t.equal(seat.status, 422, 'its numbers leave the seat area code');
  t.equal((await bed.send('PATCH', '/v1/customers/nobody', { body: { name: 'x' } })).status, 404);
  t.equal(bed.audit.length, 1);
});

t.test('?dryRun=true validates and writes nothing, audits nothing', async (t) => {
  const bed = await adminBed(t);
  const before = bed.snapshot();
  const etag = bed.etag();
  const r = await bed.send('POST', '/v1/numbers?dryRun=true', { body: NEW_NUMBER });
  t.equal(r.status, 200);
  t.match(r.body, {
    dryRun: true,
    valid: true,
    versionBefore: etag.slice(1, -1),
    versionAfter: /^[0-9a-f]{16}$/,
    files: ['autohaus-mueller.yaml'],
  });
  t.not(r.body.versionAfter, r.body.versionBefore);
  const bad = await bed.send('POST', '/v1/numbers?dryRun=true', {
    body: { ...NEW_NUMBER, source: '' },
  });
  t.equal(bad.status, 422);
  t.same(
    bad.body.errors.map((e: { pointer: string }) => e.pointer),
    ['/source'],
  );
  t.same(bed.snapshot(), before);
  t.equal(bed.etag(), etag);
  t.equal(bed.audit.length, 0);
});

t.test('a large set is checked in a worker thread, with the same answers', async (t) => {
  const bed = await adminBed(t, undefined, 0);
  const before = bed.snapshot();
  const bad = await bed.send('POST', '/v1/numbers', {
    body: { ...NEW_NUMBER, destinations: [{ to: '+493025550101', ringTimeout: 20 }] },
  });
  t.equal(bad.status, 422);
  t.match(bad.body.errors, [{ pointer: '/destinations/0/to', message: /loop/ }]);
  t.same(bed.snapshot(), before);
  const ok = await bed.send('POST', '/v1/numbers', { body: NEW_NUMBER });
  t.equal(ok.status, 201, JSON.stringify(ok.body));
  t.equal(ok.headers.etag, bed.etag());
  t.equal(bed.audit.length, 1);
});
