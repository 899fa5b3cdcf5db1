/**
 * What a dealer downloads: its anonymised call history (GET /v1/customers/:id/calls, CSV or
 * JSON, streamed from the call stream page by page) and its call recordings (GET
 * /v1/recordings/:id, the WAV). A customer token gets only its own; another customer's history
 * or recording is 404, worded as for one that does not exist. Admin, editor and viewer get any.
 *
 * Every download is audited before its first byte leaves (who, which customer and period, or
 * which recording): no entry, no download. The history's first page is read before the answer
 * starts, so a Redis that is down is a 503 problem rather than a 200 cut short.
 */
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { audioPath } from '../../recordings/audio-files.js';
import type { StreamRecord } from '../../records/entry.js';
import { exportPages } from '../../records/export.js';
import { exportChunks } from '../../records/export-text.js';
import type { RedisClient } from '../../redis/connect.js';
import type { AuditEntry } from '../audit.js';
import { auditedRead } from '../audited.js';
import type { AdminContext } from '../context.js';
import { customerIdParam, parseHistoryQuery, recordingIdParam } from '../download-query.js';
import { Problem } from '../problem.js';
import { quoted } from '../query.js';
import { recordingOwner } from '../recording-owner.js';

export type DownloadDeps = {
  /** The call stream (RECORD_STREAM); absent when the gateway has no Redis. */
  history?: { redis: RedisClient; stream: string };
  /** RECORDING_DIR: `<recordId>.wav` and its sidecar. */
  recordingsDir: string;
};

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8' };

/** The pages of an iterator whose first page was already read. */
async function* prefetched<T>(first: IteratorResult<T>, rest: AsyncIterator<T>): AsyncGenerator<T> {
  for (let r = first; !r.done; r = await rest.next()) yield r.value;
}

export function registerDownloadRoutes(
  app: FastifyInstance,
  ctx: AdminContext,
  deps: DownloadDeps,
): void {
  const audited = (req: FastifyRequest, entry: Omit<AuditEntry, 'actor' | 'role'>) =>
    auditedRead(ctx, req, entry);

  app.get<{ Params: { id: string } }>('/v1/customers/:id/calls', async (req, reply) => {
    const id = customerIdParam(req.params.id);
    const own = ctx.ownCustomer(req);
    if (own !== undefined && own !== id) throw new Problem(404, `no customer ${quoted(id)}`);
    const query = parseHistoryQuery(req.query);
    if (!deps.history)
      throw new Problem(503, 'no call history here: this gateway writes no call stream to Redis');
    const { redis, stream } = deps.history;
    const pages = exportPages(redis, { stream, customer: id, from: query.from, to: query.to });
    let first: IteratorResult<StreamRecord[]>;
    try {
      first = await pages.next();
    } catch (err) {
      ctx.log.error({ err }, 'admin API: the call stream could not be read');
      throw new Problem(503, 'the call history store (Redis) is not answering; try again later');
    }
    if (req.method !== 'HEAD')
      await audited(req, {
        action: 'history.download',
        target: id,
        detail: { from: query.from, to: query.to, format: query.format },
      });
    const body = Readable.from(exportChunks(prefetched(first, pages), query.format));
    body.on('error', (err) => ctx.log.error({ err }, 'admin API: history download cut short'));
    return reply
      .type(CONTENT_TYPES[query.format])
      .header(
        'Content-Disposition',
        `attachment; filename="calls-${id}-${query.from}-${query.to}.${query.format}"`,
      )
      .send(body);
  });

  app.get<{ Params: { id: string } }>('/v1/recordings/:id', async (req, reply) => {
    const id = recordingIdParam(req.params.id);
    const own = ctx.ownCustomer(req);
    const missing = new Problem(404, `no recording ${quoted(id)}`);
    const owner = await recordingOwner(deps.recordingsDir, id, ctx.table());
    // a customer token learns nothing about recordings that are not its own, not even that they exist
    if (own !== undefined && owner !== own) throw missing;
    // opened once, then measured: what is sent is the file that was measured, even if it is swept
    const file = await open(audioPath(deps.recordingsDir, id), 'r').catch(() => undefined);
    if (!file) throw missing;
    try {
      const stat = await file.stat();
      if (!stat.isFile()) throw missing;
      // HEAD tells the size, and sends nothing worth an audit entry
      if (req.method !== 'HEAD')
        await audited(req, {
          action: 'recording.download',
          target: id,
          ...(owner && { detail: { customer: owner } }),
        });
      const body = file.createReadStream();
      return reply
        .type('audio/wav')
        .header('Content-Length', String(stat.size))
        .header('Content-Disposition', `attachment; filename="${id}.wav"`)
        .send(body);
    } catch (err) {
      await file.close();
      throw err;
    }
  });
}
