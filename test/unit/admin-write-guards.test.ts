/**
 * What stands before every write of the admin API: roles, If-Match (428, 412, a hand edit in
 * between, two writers racing) and bad input of every class. Each refusal says why in a problem
 * body, leaves every file byte for byte as it was and writes no audit entry.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { adminBed } from '../helpers/admin-app.js';

const DEST = [{ to: '+493089001234', ringTimeout: 20 }];
const NUMBER = {
  number: '+493025550177',
  customer: 'autohaus-mueller',
  source: 'x',
  destinations: DEST,
};
const GRUBER_NUMBER = {
  number: '+4331690807099',
  customer: 'kfz-gruber',
  source: 'x',
  destinations: DEST,
};

t.test('roles: admin everything, editor numbers, viewer and customers never', async (t) => {
  const bed = await adminBed(t);
  const before = bed.snapshot();
  const cases: [
    string,
    string,
    keyof typeof import('../helpers/admin-app.js').TOKENS,
    unknown,
    number,
  ][] = [
    [
      'POST',
      '/v1/customers',
      'editor',
      { id: 'x', name: 'x', seat: { country: 'DE', areaCode: '30' } },
      403,
    ],
    ['PATCH', '/v1/customers/kfz-gruber', 'editor', { name: 'x' }, 403],
    ['POST', '/v1/customers/kfz-gruber/end-contract', 'editor', undefined, 403],
    ['POST', '/v1/numbers', 'viewer', NUMBER, 403],
    ['PATCH', '/v1/numbers/+493025550101', 'viewer', { source: 'y' }, 403],
    ['POST', '/v1/numbers/+493025550101/deactivate', 'viewer', undefined, 403],
    ['POST', '/v1/numbers/reclaim', 'viewer', { numbers: ['+493025550101'] }, 403],
    // a customer token: its own data is 403, another customer's is 404 as if it did not exist
    ['PATCH', '/v1/numbers/+493025550101', 'mueller', { source: 'y' }, 403],
    ['PATCH', '/v1/numbers/+43316908070', 'mueller', { source: 'y' }, 404],
    ['POST', '/v1/numbers/+493025550101/deactivate', 'mueller', undefined, 403],
    ['POST', '/v1/numbers/+43316908070/deactivate', 'mueller', undefined, 404],
    ['POST', '/v1/numbers/+43316908070/replace', 'mueller', { newNumber: '+43316908071' }, 404],
    ['POST', '/v1/numbers', 'mueller', NUMBER, 403],
    ['POST', '/v1/numbers', 'mueller', GRUBER_NUMBER, 404],
    ['PATCH', '/v1/customers/autohaus-mueller', 'mueller', { name: 'x' }, 403],
    ['PATCH', '/v1/customers/kfz-gruber', 'mueller', { name: 'x' }, 404],
    ['POST', '/v1/customers/kfz-gruber/end-contract', 'mueller', undefined, 404],
    ['POST', '/v1/customers', 'mueller', { id: 'x' }, 403],
  ];
  for (const [method, url, token, body, status] of cases) {
    const r = await bed.send(method, url, { token, body });
    t.equal(r.status, status, `${token} ${method} ${url}`);
    t.match(r.headers['content-type'], /^application\/problem\+json/);
    if (status === 404) t.notMatch(r.body.detail, /customer token/, 'worded as for the unknown');
  }
  t.equal((await bed.send('GET', '/v1/numbers/reclaimable', { token: 'mueller' })).status, 403);
  t.equal((await bed.send('GET', '/v1/dialplan/history', { token: 'mueller' })).status, 403);
  t.equal((await bed.send('GET', '/v1/numbers/reclaimable', { token: 'viewer' })).status, 200);
  t.same(bed.snapshot(), before, 'nothing written');
  t.equal(bed.audit.length, 0);
  const editor = await bed.send('PATCH', '/v1/numbers/+493025550101', {
    token: 'editor',
    body: { source: 'y' },
  });
  t.equal(editor.status, 200, 'an editor edits numbers');
  t.match(bed.audit, [{ actor: 'editor', role: 'editor', action: 'number.update' }]);
});

t.test('If-Match: required, compared with the files on disk', async (t) => {
  const bed = await adminBed(t);
  const before = bed.snapshot();
  const none = await bed.send('PATCH', '/v1/numbers/+493025550101', {
    body: { source: 'y' },
    ifMatch: null,
  });
  t.equal(none.status, 428);
  t.match(none.body.detail, /If-Match/);
  const star = await bed.send('PATCH', '/v1/numbers/+493025550101', {
    body: { source: 'y' },
    ifMatch: '*',
  });
  t.equal(star.status, 428, 'any version is no version');
  const garbage = await bed.send('PATCH', '/v1/numbers/+493025550101', {
    body: { source: 'y' },
    ifMatch: 'abc',
  });
  t.equal(garbage.status, 400);
  const stale = await bed.send('PATCH', '/v1/numbers/+493025550101', {
    body: { source: 'y' },
    ifMatch: '"0123456789abcdef"',
  });
  t.equal(stale.status, 412);
  t.equal(stale.headers.etag, bed.etag(), 'the current version comes with the 412');
  t.same(bed.snapshot(), before);

  // a hand edit the gateway has not loaded yet: the ETag it serves no longer matches the disk
  const served = bed.etag();
  const file = join(bed.dir, 'kfz-gruber.yaml');
  writeFileSync(file, `${before['kfz-gruber.yaml']}# edited by hand\n`);
  const afterHand = await bed.send('PATCH', '/v1/numbers/+493025550101', {
    body: { source: 'y' },
    ifMatch: served,
  });
  t.equal(afterHand.status, 412, 'the hand edit is not overwritten blindly');
  t.same(bed.snapshot(), {
    ...before,
    'kfz-gruber.yaml': `${before['kfz-gruber.yaml']}# edited by hand\n`,
  });
  t.equal(bed.audit.length, 0);
});

t.test('two writers with the same ETag: exactly one wins, the other gets 412', async (t) => {
  const bed = await adminBed(t);
  const etag = bed.etag();
  const [a, b] = await Promise.all([
    bed.send('PATCH', '/v1/numbers/+493025550101', { body: { source: 'first' }, ifMatch: etag }),
    bed.send('PATCH', '/v1/numbers/+493025550101', { body: { source: 'second' }, ifMatch: etag }),
  ]);
  t.same([a.status, b.status].sort(), [200, 412]);
  const winner = a.status === 200 ? 'first' : 'second';
  t.match(bed.reloader.table.lookup('+493025550101'), { source: winner });
  t.equal(bed.audit.length, 1);
});

t.test('bad input: each refused with a clear problem, nothing changed', async (t) => {
  const bed = await adminBed(t);
  const before = bed.snapshot();
  const json = { 'content-type': 'application/json' };
  const cases: [
    string,
    string,
    { body?: unknown; headers?: Record<string, string> },
    number,
    RegExp,
  ][] = [
    ['POST', '/v1/numbers', { body: '{"number": "+4930', headers: json }, 400, /JSON/i],
    ['POST', '/v1/numbers', { body: '', headers: json }, 422, /\/number/],
    [
      'POST',
      '/v1/numbers',
      { body: 'number=+4930', headers: { 'content-type': 'text/plain' } },
      415,
      /application\/json, not 'text\/plain'/,
    ],
    [
      'POST',
      '/v1/numbers',
      { body: '<x/>', headers: { 'content-type': 'application/xml' } },
      415,
      /xml/,
    ],
    [
      'POST',
      '/v1/numbers',
      { body: { ...NUMBER, source: 'x'.repeat(70 * 1024) } },
      413,
      /too large/i,
    ],
    [
      'POST',
      '/v1/numbers',
      { body: '{"__proto__": {"admin": true}}', headers: json },
      400,
      /not valid JSON/,
    ],
    ['POST', '/v1/numbers', { body: [NUMBER] }, 422, /JSON object/],
    [
      'POST',
      '/v1/numbers',
      { body: { ...NUMBER, number: '+49 (30) 2555 0177 abc' } },
      422,
      /number/,
    ],
    ['POST', '/v1/numbers', { body: { ...NUMBER, number: '+49 030 2555 0177' } }, 422, /number/],
    ['POST', '/v1/numbers', { body: { ...NUMBER, number: 12345 } }, 422, /number/],
    ['POST', '/v1/numbers', { body: { ...NUMBER, customer: '../../etc' } }, 422, /incomplete/],
    [
      'POST',
      '/v1/numbers',
      { body: { ...NUMBER, number: '+493025550101' } },
      409,
      /already in autohaus-mueller\.yaml/,
    ],
    ['POST', '/v1/numbers?file=../x.yaml', { body: NUMBER }, 400, /'file'/],
    ['POST', '/v1/numbers?file=/etc/x.yaml', { body: NUMBER }, 400, /'file'/],
    ['POST', '/v1/numbers?file=x.json', { body: NUMBER }, 400, /'file'/],
    ['POST', '/v1/numbers?file=.hidden.yaml', { body: NUMBER }, 400, /'file'/],
    ['POST', '/v1/numbers?file=a%2Fb.yaml', { body: NUMBER }, 400, /'file'/],
    ['POST', '/v1/numbers?file=a.yaml&file=b.yaml', { body: NUMBER }, 400, /more than once/],
    ['POST', '/v1/numbers?dryRun=yes', { body: NUMBER }, 400, /dryRun/],
    [
      'POST',
      '/v1/numbers?customer=x%27%20OR%201=1',
      { body: NUMBER },
      400,
      /unknown query parameter/,
    ],
    [
      'PATCH',
      '/v1/numbers/+493025550101?file=x.yaml',
      { body: { source: 'y' } },
      400,
      /unknown query parameter 'file'/,
    ],
    ['PATCH', '/v1/numbers/12ab', { body: { source: 'y' } }, 400, /not a phone number/],
    ['PATCH', `/v1/numbers/${'4'.repeat(100)}`, { body: { source: 'y' } }, 400, /too long/],
    ['PATCH', '/v1/numbers/+493099999999', { body: { source: 'y' } }, 404, /no number/],
    ['PATCH', '/v1/customers/..%2F..%2Fetc', { body: { name: 'y' } }, 404, /no customer/],
    [
      'POST',
      '/v1/numbers/+493025550101/replace',
      { body: { newNumber: 'abc', colour: 1 } },
      422,
      /unknown/,
    ],
    ['POST', '/v1/numbers/+493025550101/deactivate', { body: { force: true } }, 422, /unknown/],
    ['PUT', '/v1/numbers/+493025550101', { body: NUMBER }, 405, /PUT/],
    ['DELETE', '/v1/customers/kfz-gruber', {}, 405, /DELETE/],
  ];
  for (const [method, url, opts, status, detail] of cases) {
    const r = await bed.send(method, url, opts);
    const what = `${method} ${url.slice(0, 50)} ${JSON.stringify(opts.body ?? '').slice(0, 40)}`;
    t.equal(r.status, status, what);
    t.match(r.headers['content-type'], /^application\/problem\+json/, what);
    t.match(r.body, { type: 'about:blank', status, detail: String }, what);
    t.match(JSON.stringify(r.body), detail, what);
  }
  const weak = await bed.send('PATCH', '/v1/numbers/+493025550101', {
    body: { source: 'y' },
    ifMatch: `W/${bed.etag()}`,
  });
  t.equal(weak.status, 412, 'a weak ETag never matches (RFC 9110 §13.1.1)');
  const unknown = await bed.send('POST', '/v1/numbers', {
    body: { ...NUMBER, colour: 'red', size: 1 },
  });
  t.equal(unknown.status, 422);
  t.same(unknown.body.errors.map((e: { pointer: string }) => e.pointer).sort(), [
    '/colour',
    '/size',
  ]);
  t.same(bed.snapshot(), before, 'every file byte for byte as it was');
  t.same(Object.keys(bed.snapshot()).sort(), Object.keys(before).sort(), 'no file created');
  t.equal(bed.audit.length, 0, 'no audit entry');
});
