// What both stand-in commands (`npm run standin`, `npm run fsstandin`) share: `host:port`
// flags, and running until SIGTERM/SIGINT or until the parent goes away.

export function hostPort(value: string, flag: string): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(value);
  if (!m?.[1] || !m[2]) throw new Error(`${flag} expects host:port, got '${value}'`);
  return { host: m[1], port: Number(m[2]) };
}

/**
 * Runs `start`, prints the ready line it returns, and closes on SIGTERM/SIGINT; a failure is one
 * line on stderr and exit 1.
 */
export function runStandin(
  name: string,
  start: () => Promise<{ ready: string; close: () => Promise<void> }>,
): void {
  start().then(
    ({ ready, close }) => {
      console.log(`${name} ready: ${ready}`);
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        close().then(() => process.exit(0));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      // `npm run` does not pass SIGTERM on to the script; stop as well when the parent goes away
      const parent = process.ppid;
      setInterval(() => {
        if (process.ppid !== parent) stop();
      }, 500).unref();
    },
    (err: unknown) => {
      console.error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
