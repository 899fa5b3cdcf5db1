/** The configuration as the gateway's start reads it: every problem listed, as it would exit with. */
import { type Config, ConfigError, loadConfig } from '../../config/load.js';
import { type CheckResult, failed, ok } from './result.js';

const CHECK = 'configuration';

export function checkConfig(env: Readonly<Record<string, string | undefined>>): {
  row: CheckResult;
  config?: Config;
} {
  try {
    const config = loadConfig(env);
    return { row: ok(CHECK, 'environment and config/default.json valid'), config };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return {
      row: failed(
        CHECK,
        [`${err.problems.length} problem(s):`, ...err.problems].join('\n'),
        'set or correct the variables named (README "Configuration")',
      ),
    };
  }
}
