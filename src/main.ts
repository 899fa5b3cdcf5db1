/**
 * Composition root: reads the configuration, builds every part, wires them and starts. The only
 * place (with config/) that reads the environment.
 */
import { ConfigError, loadConfig } from './config/load.js';
import { logReload } from './dialplan/reload-report.js';
import { Reloader } from './dialplan/reloader.js';
import { watchDialplans } from './dialplan/watch.js';
import { createLogger } from './observability/logger.js';

function configOrExit() {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`calltrack: ${err.message}\n`);
    process.exit(2);
  }
}

const config = configOrExit();
const logger = createLogger(config.logLevel);
const reloader = new Reloader({
  dir: config.dialplanDir,
  defaultCountry: config.defaultCountry,
  workerThresholdBytes: config.reload.workerThresholdBytes,
  now: () => new Date(),
  onOutcome: (outcome) => logReload(logger, config.dialplanDir, outcome),
});

const first = await reloader.reload();
if (!first.ok)
  logger.warn(
    { dir: config.dialplanDir },
    'no valid dialplans yet: not ready until a valid set is loaded',
  );
const watcher = watchDialplans(
  config.dialplanDir,
  config.reload.debounceMs,
  () => void reloader.reload(),
);
logger.info(
  { dialplanDir: config.dialplanDir, defaultCountry: config.defaultCountry },
  'calltrack started',
);

process.on('SIGHUP', () => void reloader.reload());
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down');
    watcher.close();
    process.exitCode = 0;
  });
}
