/** A lifecycle operation refused: why, and the dialplan errors behind it (`file:line:col: …`). */
export class LifecycleError extends Error {
  constructor(
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'LifecycleError';
  }
}
