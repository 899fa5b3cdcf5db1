/** Deletes recordings past their retention: every interval in the gateway, on demand in the CLI. */
import type { Logger } from '../observability/logger.js';
import { type PurgeResult, purgeRecordings } from './store.js';

/** One sweep, logged: each deleted recording and every sidecar that could not be read. */
export async function sweepRecordings(
  dir: string,
  now: number,
  logger: Logger,
): Promise<PurgeResult> {
  const result = await purgeRecordings(dir, now);
  for (const problem of result.problems)
    logger.warn({ dir, problem }, 'recording kept: unreadable sidecar');
  if (result.deleted.length > 0)
    logger.info(
      { dir, deleted: result.deleted.length, kept: result.kept, files: result.deleted },
      'recordings past retention deleted',
    );
  return result;
}

export type Sweeper = { stop(): void };

/** Sweeps at once and then every `intervalMs`; never two sweeps at a time, never throws. */
export function startRecordingSweeper(o: {
  dir: string;
  intervalMs: number;
  logger: Logger;
  now: () => number;
  onDeleted: (count: number) => void;
  /** After every sweep that completed, with the time it started (alerts watch for none). */
  onSwept?: (at: number) => void;
  /** A sweep that threw (already logged); the recordings past retention stay for the next. */
  onFailed?: () => void;
}): Sweeper {
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      const at = o.now();
      const result = await sweepRecordings(o.dir, at, o.logger);
      if (result.deleted.length > 0) o.onDeleted(result.deleted.length);
      o.onSwept?.(at);
    } catch (err) {
      o.logger.error({ err, dir: o.dir }, 'recording sweep failed');
      o.onFailed?.();
    } finally {
      running = false;
    }
  };
  void sweep();
  const timer = setInterval(() => void sweep(), o.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
