/** How a reload outcome is logged: one line per outcome, a bounded list of errors. */
import { join } from 'node:path';
import type { Logger } from '../observability/logger.js';
import { formatError } from './errors.js';
import type { ReloadOutcome } from './reloader.js';

const MAX_LOGGED_ERRORS = 100;

/** `dir` prefixes file names so the lines read as paths an admin can open. */
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
  const shown = outcome.errors
    .slice(0, MAX_LOGGED_ERRORS)
    .map((e) => formatError({ ...e, file: join(dir, e.file) }));
  logger.error(
    { errors: shown, errorCount: outcome.errors.length, durationMs, mode },
    'dialplan change rejected; the previous routes stay in force',
  );
}
