/** A dialplan load's progress (once per file) as lines of the CLI's progress reporter. */
import type { OnLoadProgress } from '../dialplan/load.js';
import type { SetSummary } from '../dialplan/set-builder.js';
import type { Progress, ProgressReporter } from './progress.js';

export function loadProgress(reporter: ProgressReporter, phase: string): OnLoadProgress {
  return (p) => {
    if (p.stage === 'read')
      reporter.update({
        phase: `${phase}: reading`,
        done: p.files,
        total: p.totalFiles,
        unit: 'files',
      });
    else if (p.stage === 'check')
      reporter.update({
        phase,
        done: p.numbers,
        unit: 'numbers',
        detail: `${p.files}/${p.totalFiles} files`,
        // by size, not by files: one file may hold most of the numbers
        fraction: p.totalSize > 0 ? p.size / p.totalSize : 1,
      });
    else
      reporter.update({
        phase: `${phase}: rules over the whole set`,
        done: p.numbers,
        unit: 'numbers',
        detail: `${p.files} files`,
        rate: false,
      });
  };
}

/** The final line of a load that succeeded. */
export function loadedProgress(phase: string, summary: SetSummary): Progress {
  return {
    phase,
    done: summary.activeNumbers + summary.deactivatedNumbers,
    unit: 'numbers',
    detail: `${summary.files.length} files`,
  };
}
