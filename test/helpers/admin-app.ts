/**
 * The admin API in process (fastify `inject`) over a private copy of the shipped dialplans, with a
 * real Reloader on that folder and an audit sink that records what it is given.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { createAdminServer } from '../../src/admin/api.js';
import type { AuditEntry, AuditSink } from '../../src/admin/audit.js';
import { DialplanHistory } from '../../src/admin/history.js';
import { sha256Hex, TokenSet } from '../../src/admin/tokens.js';
import { Reloader } from '../../src/dialplan/reloader.js';
import { createLogger } from '../../src/observability/logger.js';
import { documentChecker } from './admin-client.js';
import { copyDialplans } from './temp-dialplans.js';

export const TODAY = new Date('2026-11-22T09:00:00Z');

export const TOKENS = {
  admin: 'tok-admin-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  editor: 'tok-editor-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
  viewer: 'tok-viewer-ccccccccccccccccccccccccccccccccccc',
  mueller: 'tok-mueller-dddddddddddddddddddddddddddddddddd',
} as const;
const ROLES: Record<keyof typeof TOKENS, string> = {
  admin: 'admin',
  editor: 'editor',
  viewer: 'viewer',
  mueller: 'customer:autohaus-mueller',
};

export type AdminBed = {
  app: FastifyInstance;
  dir: string;
  audit: AuditEntry[];
  reloader: Reloader;
  /** The ETag the gateway serves now. */
  etag(): string;
  /** Every file of the folder, by name: to assert that nothing changed. */
  snapshot(): Record<string, string>;
  /** A request as `token`; `body` objects are sent as JSON, strings as they are. */
  send(
    method: string,
    url: string,
    opts?: {
      token?: keyof typeof TOKENS;
      body?: unknown;
      ifMatch?: string | null;
      headers?: Record<string, string>;
    },
    // biome-ignore lint/suspicious/noExplicitAny: answers and problems of many shapes, read by tests
  ): Promise<{ status: number; headers: Record<string, unknown>; body: any }>;
};

export async function adminBed(
  t: Test,
  lastCalls?: Record<string, string>,
  /** 0: every change is checked in the worker thread, as large sets are. */
  workerAboveBytes?: number,
): Promise<AdminBed> {
  const dir = copyDialplans(t);
  const history = new DialplanHistory();
  const reloader = new Reloader({
    dir,
    defaultCountry: 'DE',
    workerThresholdBytes: Number.MAX_SAFE_INTEGER,
    now: () => TODAY,
    onOutcome: (o, table) => {
      if (o.ok)
        history.record({
          version: o.version,
          at: table.info.loadedAt,
          origin: 'files',
          numbers: o.numbers,
        });
    },
  });
  const first = await reloader.reload();
  if (!first.ok) throw new Error(`shipped dialplans do not load: ${JSON.stringify(first.errors)}`);
  const audit: AuditEntry[] = [];
  const sink: AuditSink = { append: async (e) => void audit.push(e) };
  const tokens = new TokenSet(
    Object.entries(TOKENS).map(([name, tok]) => ({
      name,
      role: ROLES[name as keyof typeof TOKENS],
      sha256: sha256Hex(tok),
    })),
  );
  const app = createAdminServer({
    table: () => reloader.table,
    tokens: () => tokens,
    logger: createLogger('silent'),
    audit: sink,
    downloads: { recordingsDir: dir },
    now: () => performance.now(),
    dialplans: {
      dir,
      defaultCountry: 'DE',
      reload: () => reloader.reload(),
      now: () => TODAY,
      history,
      ...(workerAboveBytes !== undefined && { workerAboveBytes }),
      lastCalls: async () =>
        new Map(Object.entries(lastCalls ?? {}).map(([n, at]) => [n, new Date(at)])),
    },
  });
  t.teardown(() => app.close());
  const etag = () => `"${reloader.table.info.version}"`;
  return {
    app,
    dir,
    audit,
    reloader,
    etag,
    snapshot: () =>
      Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')])),
    async send(method, url, opts = {}) {
      const headers: Record<string, string> = {
        authorization: `Bearer ${TOKENS[opts.token ?? 'admin']}`,
        ...(opts.ifMatch !== null && method !== 'GET' && { 'if-match': opts.ifMatch ?? etag() }),
      };
      let payload: string | undefined;
      if (typeof opts.body === 'string') payload = opts.body;
      else if (opts.body !== undefined) {
        payload = JSON.stringify(opts.body);
        headers['content-type'] = 'application/json';
      }
      Object.assign(headers, opts.headers);
      const r = await app.inject({ method: method as 'GET', url, headers, payload });
      const answer = {
        status: r.statusCode,
        headers: Object.fromEntries(
          Object.entries(r.headers).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]),
        ),
        body: r.body ? JSON.parse(r.body) : undefined,
        raw: r.rawPayload,
      };
      // every answer held to the OpenAPI document, as over HTTP (test/helpers/admin-client.ts)
      documentChecker().check(method, url, answer);
      return answer;
    },
  };
}
