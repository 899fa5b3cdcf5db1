/**
 * A promise with a deadline: its value, or a DeadlineError after `ms`. A value that arrives after
 * the deadline is handed to `discard` (resources it holds must not leak).
 */
export class DeadlineError extends Error {
  constructor(
    readonly ms: number,
    what: string,
  ) {
    super(`${what} did not finish within ${ms} ms`);
    this.name = 'DeadlineError';
  }
}

export function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  discard: (late: T) => unknown,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      reject(new DeadlineError(ms, what));
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        if (expired) void discard(value);
        else resolve(value);
      },
      (err) => {
        clearTimeout(timer);
        if (!expired) reject(err);
      },
    );
  });
}
