/**
 * `npm run demo [-- --keep] [-- --at <ISO time>]`. Stops everything it started at the end, on
 * Ctrl-C and on SIGTERM; `--keep` leaves it all running until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { ensureBuilt } from '../helpers/built.js';
import { DEMO_AT } from './numbers.js';
import { Processes } from './procs.js';
import { runDemo } from './runner.js';

const { values } = parseArgs({
  options: { keep: { type: 'boolean', default: false }, at: { type: 'string', default: DEMO_AT } },
});
if (Number.isNaN(Date.parse(values.at))) {
  process.stderr.write(`--at '${values.at}' is not an ISO time with an offset (${DEMO_AT})\n`);
  process.exit(2);
}

const procs = new Processes();
const stopped = new AbortController();
const stop = (code: number) => {
  if (stopped.signal.aborted) return;
  stopped.abort();
  procs.stopAll().finally(() => process.exit(code));
};
process.once('SIGINT', () => {
  process.stdout.write('\nstopping everything the demo started\n');
  stop(130);
});
process.once('SIGTERM', () => stop(143));

ensureBuilt();
runDemo(procs, { at: values.at, keep: values.keep, stopped: stopped.signal }).then(
  (code) => {
    if (!values.keep || code !== 0) return stop(code);
    process.stdout.write('\nrunning until Ctrl-C (--keep)\n');
  },
  (err: unknown) => {
    // what fails while everything is being stopped is that stop, not news
    if (stopped.signal.aborted) return;
    process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
    stop(1);
  },
);
