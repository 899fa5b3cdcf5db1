import type { ProgressOutput } from './progress.js';

/** What a CLI command may touch: its output streams and the clock. Tests pass their own. */
export type CliIO = {
  out: (line: string) => void;
  err: (line: string) => void;
  now: () => Date;
  env: Readonly<Record<string, string | undefined>>;
  /** Where long commands show progress (stderr); none: they show none. */
  progress?: ProgressOutput;
};

/** A refusal the user can act on; the CLI prints it and exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}
