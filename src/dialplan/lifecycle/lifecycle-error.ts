/**
 * A lifecycle operation refused: why, the dialplan errors behind it (`file:line:col: …`), and
 * what kind of refusal it is (the admin API answers 404, 409 or 422 by it; the CLI exits 1).
 */
export type LifecycleRefusal = 'not-found' | 'conflict' | 'invalid';

export class LifecycleError extends Error {
  constructor(
    message: string,
    readonly details: readonly string[] = [],
    readonly reason: LifecycleRefusal = 'invalid',
  ) {
    super(message);
    this.name = 'LifecycleError';
  }
}
