/** One row of `calltrack doctor`: what was checked, how it went, and what to do about it. */

export type CheckStatus = 'ok' | 'warn' | 'FAIL' | 'skipped';

export type CheckResult = {
  readonly check: string;
  readonly status: CheckStatus;
  /** What was found; may span lines (every configuration problem on its own). */
  readonly detail: string;
  /** For warn and FAIL: what to set or run, concretely. */
  readonly fix?: string;
};

export const ok = (check: string, detail: string): CheckResult => ({
  check,
  status: 'ok',
  detail,
});

export const skipped = (check: string, detail: string): CheckResult => ({
  check,
  status: 'skipped',
  detail,
});

export const failed = (check: string, detail: string, fix: string): CheckResult => ({
  check,
  status: 'FAIL',
  detail,
  fix,
});

export const warned = (check: string, detail: string, fix: string): CheckResult => ({
  check,
  status: 'warn',
  detail,
  fix,
});

/** 1 when anything failed; a warning alone does not stop a deployment. */
export function doctorExitCode(results: readonly CheckResult[]): number {
  return results.some((r) => r.status === 'FAIL') ? 1 : 0;
}
