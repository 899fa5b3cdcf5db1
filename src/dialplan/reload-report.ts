/** What a reload outcome means for logs (one line, a bounded list of errors) and metrics. */
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { RouteTable } from '../routing/route-table.js';
import { errorLines } from './errors.js';
import type { ReloadOutcome } from './reloader.js';

const MAX_LOGGED_ERRORS = 100;

export function logReload(logger: Logger, outcome: ReloadOutcome): void {
  const { durationMs, mode, dir } = outcome;
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
  outcome: ReloadOutcome,
  table: RouteTable,
): void {
  logReload(logger, outcome);
  if (outcome.ok && outcome.changed) {
    // one series: the version served now (ops compare it across gateways)
    metrics.dialplanInfo.reset();
    metrics.dialplanInfo.set({ version: outcome.version }, 1);
  }
  metrics.reloads.inc({
    result: !outcome.ok ? 'rejected' : outcome.changed ? 'loaded' : 'unchanged',
  });
  metrics.numbers.set({ status: 'active' }, table.info.activeNumbers);
  metrics.numbers.set({ status: 'deactivated' }, table.info.deactivatedNumbers);
}
