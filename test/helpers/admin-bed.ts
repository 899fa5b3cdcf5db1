/**
 * The admin API in process, over real HTTP, with a real redis-server (or none), for the audit and
 * download tests: a small table (Autohaus Berlin and Graz, one number each), four tokens (admin,
 * editor, viewer, Berlin's customer token), recordings on disk, and the log captured.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Test } from 'tap';
import { createAdminServer } from '../../src/admin/api.js';
import { logOnlyAudit } from '../../src/admin/audit.js';
import { RedisAudit } from '../../src/admin/audit-redis.js';
import { sha256Hex, TokenSet } from '../../src/admin/tokens.js';
import { loadDialplans } from '../../src/dialplan/load.js';
import { buildTable } from '../../src/dialplan/table.js';
import { createLogger } from '../../src/observability/logger.js';
import type { CallerDisplay } from '../../src/records/traffic-rows.js';
import { adminClient } from './admin-client.js';
import { ACTIVE, CUSTOMERS, numberEntry, numbersFile } from './dialplan-texts.js';
import { startRedis } from './redis.js';
import { tempDir } from './temp-dir.js';

export const TOKENS = {
  admin: 'tok-admin-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  editor: 'tok-editor-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
  viewer: 'tok-viewer-ccccccccccccccccccccccccccccccccccc',
  berlin: 'tok-berlin-ddddddddddddddddddddddddddddddddddd',
  billing: 'tok-billing-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee',
};
const tokens = new TokenSet([
  { name: 'ops-admin', role: 'admin', sha256: sha256Hex(TOKENS.admin) },
  { name: 'ops-editor', role: 'editor', sha256: sha256Hex(TOKENS.editor) },
  { name: 'ops-viewer', role: 'viewer', sha256: sha256Hex(TOKENS.viewer) },
  { name: 'dealer-berlin', role: 'customer:autohaus-berlin', sha256: sha256Hex(TOKENS.berlin) },
  { name: 'accounts', role: 'billing', sha256: sha256Hex(TOKENS.billing) },
]);

const NOW = new Date('2026-11-22T10:00:00Z');
function table() {
  const numbers = numbersFile('numbers.yaml', [
    numberEntry('+493025550101', ACTIVE),
    numberEntry(
      '+4331655501',
      ['status: active', 'destinations: [{ to: "+4331699001234", ringTimeout: 20 }]'],
      'autohaus-graz',
    ),
  ]);
  const r = loadDialplans([CUSTOMERS, numbers], { now: NOW });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return buildTable(r.set.decisions, r.set.summary, r.set.index, 'DE', NOW);
}

// recordings: Berlin's, Graz's (noted in the sidecar), Graz's by an old sidecar (found through
// the table), and one without a sidecar
export const REC = {
  berlin: '0b6c8f0e-6a43-4c1e-9a53-2f1d1c1e0001',
  graz: '0b6c8f0e-6a43-4c1e-9a53-2f1d1c1e0002',
  grazOld: '0b6c8f0e-6a43-4c1e-9a53-2f1d1c1e0003',
  orphan: '0b6c8f0e-6a43-4c1e-9a53-2f1d1c1e0004',
  none: '0b6c8f0e-6a43-4c1e-9a53-2f1d1c1e0009',
};
export const WAV = Buffer.concat([
  Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'),
  Buffer.alloc(4000, 7),
]);

function recordings(): string {
  const dir = tempDir('calltrack-admin-rec-');
  const sidecar = (id: string, trackingNumber: string, customer?: string) =>
    writeFileSync(
      join(dir, `${id}.json`),
      JSON.stringify({
        recordId: id,
        trackingNumber,
        ...(customer && { customer }),
        retentionDays: 30,
        startedAt: NOW.toISOString(),
      }),
    );
  for (const id of Object.values(REC).slice(0, 4)) writeFileSync(join(dir, `${id}.wav`), WAV);
  sidecar(REC.berlin, '+493025550101', 'autohaus-berlin');
  sidecar(REC.graz, '+4331655501', 'autohaus-graz');
  sidecar(REC.grazOld, '+4331655501');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'secret.txt'), 'not a recording');
  return dir;
}

export type AdminBed = Awaited<ReturnType<typeof adminBed>>;

/**
 * `traffic`: the traffic stream (`calltrack:{records}:traffic`) readable with the caller shown to a
 * customer as `callerDisplay` says (TRAFFIC_RECORDS=on); without it, traffic records are off.
 */
export async function adminBed(
  t: Test,
  withRedis = true,
  traffic?: { callerDisplay: CallerDisplay },
) {
  let logs = '';
  const logger = createLogger('info', {
    write: (s: string) => {
      logs += s;
    },
  });
  const server = withRedis ? await startRedis(t) : undefined;
  const redis = server
    ? new Redis(server.url, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        // a Redis that is down fails at once (no offline queue); this only bounds a slow answer,
        // and 1 s was too little on a loaded CI machine (an HSET of the seed data timed out once)
        commandTimeout: 5000,
        retryStrategy: () => 200,
      })
    : undefined;
  redis?.on('error', () => undefined);
  t.teardown(() => redis?.disconnect());
  if (redis) await new Promise((r) => redis.once('ready', r));
  const audit =
    redis &&
    new RedisAudit({
      redis,
      stream: 'calltrack:audit',
      retentionDays: 30,
      log: logger,
      now: Date.now,
    });
  const dir = recordings();
  const app = createAdminServer({
    table: () => table(),
    tokens: () => tokens,
    logger,
    audit: audit ?? logOnlyAudit(logger),
    ...(audit && { auditReader: audit }),
    downloads: {
      recordingsDir: dir,
      ...(redis && { history: { redis, stream: 'calltrack:{records}:calls' } }),
    },
    ...(redis &&
      traffic && {
        traffic: {
          redis,
          stream: 'calltrack:{records}:traffic',
          callerDisplay: traffic.callerDisplay,
        },
      }),
    now: () => performance.now(),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  const port = (app.server.address() as { port: number }).port;
  return { api: adminClient({ port }), port, server, redis, audit, logs: () => logs, dir };
}

/** Every entry of the trail, as GET /v1/audit answers it. */
export const auditEntries = async (b: AdminBed) =>
  (await b.api.get('/v1/audit?limit=1000', TOKENS.admin)).body.entries as Record<string, unknown>[];
