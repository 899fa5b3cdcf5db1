import type { StopSignal } from './stop-signal.js';

/** Resolves once `signal` aborts, at once when it already has (an abort event never repeats). */
export function aborted(signal: StopSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}
