#!/usr/bin/env node
/** The `calltrack` command. */
import { performance } from 'node:perf_hooks';
import { runCli } from './run.js';

const code = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  now: () => new Date(),
  env: process.env,
  progress: { stream: process.stderr, clock: () => performance.now() },
});
process.exitCode = code;
