/**
 * The downloads of the admin API over real HTTP against a real redis-server: call history and
 * recordings for every role — a customer token reaching for another customer's recording gets
 * the 404 of one that does not exist — path and query injection, an audit entry per download,
 * and what happens while Redis is down or absent. Every answer is checked against the OpenAPI
 * document.
 */
import t from 'tap';
import { auditEntries, adminBed as bed, REC, TOKENS, WAV } from '../helpers/admin-bed.js';
import { rawRequest } from '../helpers/admin-client.js';
import { addRecords, client, streamRecord } from '../helpers/stream-records.js';

t.test(
  'call history: own customer for a customer token, any for staff, every download audited',
  async (t) => {
    const b = await bed(t);
    const rec = (customer: string, day: string) =>
      streamRecord({
        customer,
        startedAt: `${day}T10:00:00.000Z`,
        answeredAt: `${day}T10:00:01.000Z`,
        endedAt: `${day}T10:01:00.000Z`,
        callerPseudonym: 'pseudo-secret',
      });
    await addRecords(client(t, b.server!.url), 'calltrack:{records}:calls', [
      rec('autohaus-berlin', '2026-11-01'),
      rec('autohaus-graz', '2026-11-02'),
      rec('autohaus-berlin', '2026-11-03'),
      rec('autohaus-berlin', '2026-12-03'),
    ]);
    const path = (id: string, q = 'from=2026-11-01&to=2026-11-30') =>
      `/v1/customers/${id}/calls?${q}`;
    for (const token of [TOKENS.admin, TOKENS.editor, TOKENS.viewer, TOKENS.berlin]) {
      const r = await b.api.get(path('autohaus-berlin'), token);
      t.equal(r.status, 200);
      t.match(r.headers['content-type'], /^application\/json/);
      t.same(
        r.body.map((x: { start: string }) => x.start),
        ['2026-11-01T10:00:00.000Z', '2026-11-03T10:00:00.000Z'],
      );
      t.notMatch(r.raw.toString(), /pseudo-secret/, 'anonymised: no pseudonym');
    }
    const csv = await b.api.get(
      path('autohaus-graz', 'from=2026-11-01&to=2026-11-30&format=csv'),
      TOKENS.viewer,
    );
    t.match(csv.headers['content-type'], /^text\/csv/);
    t.match(
      csv.headers['content-disposition'],
      /attachment; filename="calls-autohaus-graz-2026-11-01-2026-11-30.csv"/,
    );
    t.equal(csv.body.trim().split('\n').length, 2, 'header and one call');
    const other = await b.api.get(path('autohaus-graz'), TOKENS.berlin);
    const unknown = await b.api.get(
      path('autohaus-berlin', 'from=2026-11-01&to=2026-11-30'),
      TOKENS.admin,
    );
    t.equal(other.status, 404, "another customer's history");
    t.equal(other.body.detail, "no customer 'autohaus-graz'");
    t.equal(unknown.status, 200);
    const audited = (await auditEntries(b)).filter((e) => e.action === 'history.download');
    t.equal(audited.length, 6, 'one entry per download, none for the refused one');
    t.match(audited[3], {
      actor: 'dealer-berlin',
      role: 'customer:autohaus-berlin',
      target: 'autohaus-berlin',
      detail: { from: '2026-11-01', to: '2026-11-30', format: 'json' },
    });
    t.notMatch(JSON.stringify(audited), /pseudo|caller/);
    for (const [p, detail] of [
      [path('..%2F..%2Fetc'), /not a customer id/],
      [path('%2e%2e'), /not a customer id/],
      [path('autohaus-berlin', 'from=2026-11-01'), /'to' is required/],
      [path('autohaus-berlin', 'from=2026-11-01&to=2026-11-31'), /'to'/],
      [path('autohaus-berlin', 'from=2026-12-01&to=2026-11-01'), /after/],
      [path('autohaus-berlin', 'from=2020-01-01&to=2026-11-01'), /at most 400/],
      [path('autohaus-berlin', 'from=2026-11-01&to=2026-11-30&format=xml'), /csv or json/],
      [
        path('autohaus-berlin', 'from=2026-11-01&to=2026-11-30&customer=x'),
        /unknown query parameter/,
      ],
    ] as const) {
      const r = await b.api.get(p, TOKENS.admin);
      t.equal(r.status, 400, p);
      t.match(r.body.detail, detail);
    }
    t.equal(
      (await auditEntries(b)).filter((e) => e.action === 'history.download').length,
      6,
      'bad requests audit nothing',
    );
  },
);

t.test(
  "recordings: a customer's own only; another's is the 404 of one that does not exist",
  async (t) => {
    const b = await bed(t);
    for (const token of [TOKENS.admin, TOKENS.editor, TOKENS.viewer, TOKENS.berlin]) {
      const r = await b.api.get(`/v1/recordings/${REC.berlin}`, token);
      t.equal(r.status, 200);
      t.equal(r.headers['content-type'], 'audio/wav');
      t.equal(r.headers['content-length'], String(WAV.length));
      t.ok(r.raw.equals(WAV), 'the file, byte for byte');
    }
    for (const id of [REC.graz, REC.grazOld, REC.orphan])
      t.equal(
        (await b.api.get(`/v1/recordings/${id}`, TOKENS.admin)).status,
        200,
        `staff read ${id}`,
      );
    const missing = await b.api.get(`/v1/recordings/${REC.none}`, TOKENS.berlin);
    t.equal(missing.status, 404);
    for (const id of [REC.graz, REC.grazOld, REC.orphan]) {
      const r = await b.api.get(`/v1/recordings/${id}`, TOKENS.berlin);
      t.equal(r.status, 404, `not Berlin's: ${id}`);
      t.same(
        r.body,
        { ...missing.body, detail: `no recording '${id}'` },
        'worded as one that does not exist',
      );
      t.equal(r.raw.includes(WAV.subarray(40, 80)), false, 'no audio');
    }
    t.equal((await b.api.get(`/v1/recordings/${REC.none}`, TOKENS.admin)).status, 404);
    for (const p of [
      '..',
      '..%2F..%2Fetc%2Fpasswd',
      '%2e%2e%2fsecret.txt',
      '%2Fetc%2Fpasswd',
      'secret.txt',
      'sub',
      `${REC.berlin}.json`,
      `${REC.berlin.toUpperCase()}`,
      `${REC.berlin}%00`,
    ])
      t.equal((await b.api.get(`/v1/recordings/${p}`, TOKENS.admin)).status, 400, p);
    const outside = await b.api.undocumented('/v1/recordings/../customers/x', {
      token: TOKENS.admin,
    });
    t.equal(outside.status, 404, 'a dot segment is not resolved into another route');
    const audited = (await auditEntries(b)).filter((e) => e.action === 'recording.download');
    t.equal(audited.length, 7, 'one entry per recording sent, none for refusals');
    t.match(audited[3], {
      actor: 'dealer-berlin',
      target: REC.berlin,
      detail: { customer: 'autohaus-berlin' },
    });
    t.match(audited[5], { target: REC.grazOld, detail: { customer: 'autohaus-graz' } });
    t.notOk(audited[6]?.detail, 'no owner known: none named');
    const head = await rawRequest({ port: b.port }, `/v1/recordings/${REC.berlin}`, {
      method: 'HEAD',
      token: TOKENS.berlin,
    });
    t.equal(head.status, 200);
    t.equal(head.headers['content-length'], String(WAV.length), 'HEAD tells the size');
    t.equal(head.raw.length, 0, 'and sends nothing');
    t.equal(
      (await auditEntries(b)).filter((e) => e.action === 'recording.download').length,
      7,
      'a HEAD is not a download',
    );
  },
);

t.test('while Redis is down: 503 problems, and no recording leaves unaudited', async (t) => {
  const b = await bed(t);
  await b.server!.stop();
  t.teardown(() => b.server!.start());
  const history = await b.api.get(
    '/v1/customers/autohaus-berlin/calls?from=2026-11-01&to=2026-11-30',
    TOKENS.admin,
  );
  t.equal(history.status, 503);
  t.equal((await b.api.get('/v1/audit', TOKENS.admin)).status, 503);
  const rec = await b.api.get(`/v1/recordings/${REC.berlin}`, TOKENS.berlin);
  t.equal(rec.status, 503, 'the audit trail cannot take it: no download');
  t.match(rec.body.detail, /audit trail is not available/);
  t.match(b.logs(), /audit: recording.download/, 'the log has the attempt');
});

t.test('without Redis: the trail is the log, history and GET /v1/audit are 503', async (t) => {
  const b = await bed(t, false);
  t.equal((await b.api.get('/v1/audit', TOKENS.admin)).status, 503);
  t.equal(
    (
      await b.api.get(
        '/v1/customers/autohaus-berlin/calls?from=2026-11-01&to=2026-11-30',
        TOKENS.berlin,
      )
    ).status,
    503,
  );
  t.equal((await b.api.get(`/v1/recordings/${REC.berlin}`, TOKENS.berlin)).status, 200);
  t.match(
    b.logs(),
    /"action":"recording.download","target":"0b6c8f0e-6a43-4c1e-9a53-2f1d1c1e0001"/,
  );
  t.match(b.logs(), /"actor":"dealer-berlin"/);
  t.match(b.logs(), /"recordId":"0b6c8f0e-6a43-4c1e-9a53-2f1d1c1e0001"/, 'the id whole, for grep');
});
