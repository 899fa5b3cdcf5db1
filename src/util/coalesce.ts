/**
 * Runs of an async job that never overlap: asked for while one runs, the job runs once more
 * after it, for every request made meanwhile (the later run sees the latest state).
 */
export function coalesced(job: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const run = job();
    running = run;
    void run.then(
      () => {
        if (running === run) running = undefined;
      },
      () => {
        if (running === run) running = undefined;
      },
    );
    return run;
  };
  return () => {
    if (queued) return queued;
    if (running) {
      queued = running
        .catch(() => undefined)
        .then(() => {
          queued = undefined;
          return start();
        });
      return queued;
    }
    return start();
  };
}
