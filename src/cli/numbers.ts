/** `calltrack numbers deactivate|replace|end-contract|reclaimable`: the number lifecycle. */
import { readFile } from 'node:fs/promises';
import { openSet } from '../dialplan/lifecycle/documents.js';
import { LifecycleError } from '../dialplan/lifecycle/lifecycle-error.js';
import {
  deactivate,
  deactivateMany,
  endContract,
  type OperationResult,
  replace,
} from '../dialplan/lifecycle/operations.js';
import { numberEntries, reclaimable } from '../dialplan/lifecycle/reclaim.js';
import type { SourceText } from '../dialplan/load.js';
import type { NumberDoc } from '../dialplan/types.js';
import { commandConfig, dialplanDir, numberArg, todayArg } from './context.js';
import { CliError, type CliIO } from './io.js';
import { loadProgress } from './load-progress.js';
import { type ProgressReporter, withProgress } from './progress.js';

export type NumbersFlags = {
  dialplans?: string;
  today?: string;
  source?: string;
  'last-calls'?: string;
  deactivate?: boolean;
};

const USAGE = `usage:
  calltrack numbers deactivate <number>
  calltrack numbers replace <old-number> <new-number> [--source <label>]
  calltrack numbers end-contract <customer-id>
  calltrack numbers reclaimable [--last-calls <file.json>] [--deactivate]
options: --dialplans <dir>  --today YYYY-MM-DD`;

export async function numbersCommand(
  io: CliIO,
  args: string[],
  flags: NumbersFlags,
): Promise<number> {
  const [action, ...rest] = args;
  const now = todayArg(io, flags.today);
  const config = commandConfig(io);
  const dir = dialplanDir(config, flags.dialplans);
  try {
    switch (action) {
      case 'deactivate':
        return report(
          io,
          await deactivate(await openSet(dir, now), numberArg(config, rest[0], 'number'), now),
        );
      case 'replace': {
        const [oldN, newN] = [
          numberArg(config, rest[0], 'old number'),
          numberArg(config, rest[1], 'new number'),
        ];
        const options = flags.source ? { source: flags.source } : {};
        return report(io, await replace(await openSet(dir, now), oldN, newN, now, options));
      }
      case 'end-contract':
        if (!rest[0]) throw new CliError('missing customer id');
        return report(io, await endContract(await openSet(dir, now), rest[0], now));
      case 'reclaimable':
        return await reclaimCommand(io, dir, now, flags);
      default:
        throw new CliError(USAGE);
    }
  } catch (err) {
    if (err instanceof LifecycleError) throw new CliError(err.message, 1, err.details);
    throw err;
  }
}

function report(io: CliIO, result: OperationResult): number {
  io.out(JSON.stringify(result));
  return 0;
}

async function reclaimCommand(
  io: CliIO,
  dir: string,
  now: Date,
  flags: NumbersFlags,
): Promise<number> {
  const lastCalls = flags['last-calls']
    ? await readLastCalls(flags['last-calls'])
    : new Map<string, Date>();
  const found = await withProgress(io.progress, async (progress) => {
    const set = await openSet(dir, now, loadProgress(progress, 'checking dialplans'));
    const read = { numbers: 0 };
    const found = reclaimable(numberEntriesShown(set.sources, progress, read), lastCalls, now);
    const numbers = found.reclaimable.map((r) => r.number);
    // nothing to deactivate: no second check of a set that was just found valid
    if (flags.deactivate && numbers.length > 0) {
      progress.update({ phase: 'deactivating', done: 0, total: numbers.length, unit: 'numbers' });
      await deactivateMany(set, numbers, now, {
        edited: (done, total) =>
          progress.update({ phase: 'deactivating', done, total, unit: 'numbers' }),
        checking: loadProgress(progress, 'checking the changed dialplans'),
      });
    }
    progress.done({
      phase: 'reclaimable',
      done: read.numbers,
      unit: 'numbers',
      detail: `${set.sources.length} files · ${numbers.length} reclaimable`,
    });
    return found;
  });
  io.out(JSON.stringify({ ...found, deactivated: flags.deactivate === true }, null, 2));
  return 0;
}

/** The entries file by file, with a progress update after each file; `read` counts them. */
function* numberEntriesShown(
  sources: readonly SourceText[],
  progress: ProgressReporter,
  read: { numbers: number },
): Generator<NumberDoc> {
  const update = (files: number) =>
    progress.update({
      phase: 'finding reclaimable numbers',
      done: read.numbers,
      unit: 'numbers',
      detail: `${files}/${sources.length} files`,
      fraction: sources.length > 0 ? files / sources.length : 1,
    });
  update(0);
  for (const [i, source] of sources.entries()) {
    for (const entry of numberEntries([source])) {
      read.numbers++;
      yield entry;
    }
    update(i + 1);
  }
}

/** `{ "+4930…": "2025-11-02T10:00:00Z", … }`: the last call per number, as analytics keeps it. */
async function readLastCalls(path: string): Promise<Map<string, Date>> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new CliError(`--last-calls ${path}: ${(err as Error).message}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new CliError(`--last-calls ${path}: expected an object of number → ISO time`);
  const out = new Map<string, Date>();
  for (const [number, time] of Object.entries(data)) {
    const date = typeof time === 'string' ? new Date(time) : undefined;
    if (!date || Number.isNaN(date.getTime()))
      throw new CliError(`--last-calls ${path}: ${number}: '${String(time)}' is not an ISO time`);
    out.set(number, date);
  }
  return out;
}
