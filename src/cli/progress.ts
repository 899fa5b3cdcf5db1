/**
 * Signs of life for long commands (validating or reclaiming a million numbers, exporting a long
 * period). Drawn on stderr, never stdout, which may be piped CSV or JSON: on a terminal as one
 * line redrawn in place; elsewhere (scripts, CI logs) nothing, unless asked for with `--progress`,
 * which writes plain lines for a log. Throttled: work reports as often as it likes.
 */
import { CliError, type CliIO } from './io.js';
import { formatProgress, type Progress } from './progress-format.js';

export type { Progress } from './progress-format.js';

/** The part of a stream (stderr) the reporter uses; `columns`: a terminal's width. */
export type ProgressStream = { isTTY?: boolean; columns?: number; write(text: string): unknown };

/** `auto`: on a terminal only; `on`: also elsewhere, a line per update; `off`: never. */
export type ProgressMode = 'auto' | 'on' | 'off';

/** Where the CLI's progress goes; `clock`: monotonic milliseconds (injected for tests). */
export type ProgressOutput = { stream: ProgressStream; clock: () => number; mode?: ProgressMode };

export type ProgressReporter = {
  /**
   * The latest state; drawn when the last draw is old enough (or the phase changed). A phase
   * starts at its first update (the first at the reporter's start): report 0 when it begins.
   */
  update(p: Progress): void;
  /** The final line, with the elapsed time: drawn whenever something was, or when asked for. */
  done(p: Progress): void;
  /** Clears the line, so an error message starts on a clean one. */
  fail(): void;
};

/** On a terminal; a log gets fewer lines, since each one stays. */
export const INTERVAL_MS = { terminal: 200, log: 1000 } as const;

const CLEAR_LINE = '\r\x1b[2K';

export const NO_PROGRESS: ProgressReporter = {
  update: () => undefined,
  done: () => undefined,
  fail: () => undefined,
};

export function progressReporter(output: ProgressOutput | undefined): ProgressReporter {
  if (!output) return NO_PROGRESS;
  const { stream, clock, mode = 'auto' } = output;
  if (mode === 'off' || (mode === 'auto' && !stream.isTTY)) return NO_PROGRESS;
  const inPlace = stream.isTTY === true;
  const interval = inPlace ? INTERVAL_MS.terminal : INTERVAL_MS.log;
  const start = clock();
  let lastDraw = start;
  let lastPhase: string | undefined;
  // rate and ETA are of the current phase: the time of the phases before would skew both
  let phase: string | undefined;
  let phaseStart = start;
  let drawn = false;
  let finished = false;
  const draw = (text: string, end: string) => {
    // a line that wraps cannot be redrawn by a carriage return: cut it to the terminal's width
    const fit = inPlace && !end && stream.columns ? text.slice(0, stream.columns - 1) : text;
    stream.write(inPlace ? `${CLEAR_LINE}${fit}${end}` : `${text}\n`);
    drawn = true;
  };
  return {
    update(p) {
      if (finished) return;
      const now = clock();
      if (p.phase !== phase) {
        if (phase !== undefined) phaseStart = now;
        phase = p.phase;
      }
      // nothing in the first interval: a quick command stays quiet; then at most once per interval
      const due = now - lastDraw >= interval || (p.phase !== lastPhase && now - start >= interval);
      if (!due) return;
      lastDraw = now;
      lastPhase = p.phase;
      draw(formatProgress(p, now - phaseStart), '');
    },
    done(p) {
      if (finished) return;
      finished = true;
      // a terminal user of a command that took less than an interval saw nothing move: no line
      if (drawn || mode === 'on') draw(formatProgress(p, clock() - start, true), '\n');
    },
    fail() {
      if (finished) return;
      finished = true;
      if (drawn && inPlace) stream.write(CLEAR_LINE);
    },
  };
}

/** Runs `work` with a reporter; its line is cleared when the work throws. */
export async function withProgress<T>(
  output: ProgressOutput | undefined,
  work: (progress: ProgressReporter) => Promise<T>,
): Promise<T> {
  const progress = progressReporter(output);
  try {
    return await work(progress);
  } catch (err) {
    progress.fail();
    throw err;
  }
}

/** `--progress` / `--no-progress` into the mode of the command's progress output. */
export function withProgressFlags(
  io: CliIO,
  flags: { progress?: boolean; 'no-progress'?: boolean },
): CliIO {
  if (flags.progress && flags['no-progress'])
    throw new CliError('--progress and --no-progress contradict each other');
  if (!io.progress || !(flags.progress || flags['no-progress'])) return io;
  return { ...io, progress: { ...io.progress, mode: flags.progress ? 'on' : 'off' } };
}
