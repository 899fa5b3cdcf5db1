/** CARRIERS_FILE, read and checked as the gateway's start reads it (`calltrack validate --carriers`). */
import type { Config } from '../../config/load.js';
import { carriersValid, checkCarriersFile } from '../validate.js';
import { type CheckResult, failed, ok } from './result.js';

const CHECK = 'carriers';

export function checkCarriers(config: Config): CheckResult {
  const file = config.carriersFile;
  const checked = checkCarriersFile(file);
  if (checked.ok) return ok(CHECK, carriersValid(file, checked.names));
  if ('unreadable' in checked)
    return failed(
      CHECK,
      checked.unreadable,
      'set CARRIERS_FILE to the carriers YAML (README "The carrier edge")',
    );
  return failed(
    CHECK,
    [`${checked.errors.length} error(s) in ${file}:`, ...checked.errors].join('\n'),
    `correct the lines listed (calltrack validate --carriers ${file})`,
  );
}
