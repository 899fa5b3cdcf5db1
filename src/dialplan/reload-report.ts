/** What a reload outcome means for logs (one line, a bounded list of errors) and metrics. */
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { RouteTable } from '../routing/route-table.js';
import { errorLines } from './errors.js';
import type { ReloadOutcome } from './reloader.js';

const MAX_LOGGED_ERRORS = 100;

export function logReload(logger: Logger, dir: string, outcome: ReloadOutcome): void {
  const { durationMs, mode } = outcome;
  if (outcome.ok) {
    logger.info(
      {
        version: outcome.version,
        numbers: outcome.numbers,
        changed: outcome.changed,
        durationMs,
        mode,
      },
      outcome.changed ? 'dialplans loaded' : 'dialplans unchanged',
    );
    return;
  }
  const shown = errorLines(dir, outcome.errors.slice(0, MAX_LOGGED_ERRORS));
  logger.error(
    { errors: shown, errorCount: outcome.errors.length, durationMs, mode },
    'dialplan change rejected; the previous routes stay in force',
  );
}

export function reportReload(
  logger: Logger,
  metrics: Metrics,
  dir: string,
  outcome: ReloadOutcome,
  table: RouteTable,
): void {
  logReload(logger, dir, outcome);
  metrics.reloads.inc({
    result: !outcome.ok ? 'rejected' : outcome.changed ? 'loaded' : 'unchanged',
  });
  metrics.numbers.set({ status: 'active' }, table.info.activeNumbers);
  metrics.numbers.set({ status: 'deactivated' }, table.info.deactivatedNumbers);
}
