/**
 * Worker thread entry: checks a dialplan set as it would be after a change — the folder's files,
 * with the changed ones' new texts in their place — off the main thread, which keeps routing
 * calls meanwhile. Only the verdict crosses back: the summary, or every error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { SetBuilder } from '../set-builder.js';
import type { CheckInput } from './check-set.js';

const port = parentPort;
if (!port) throw new Error('check-worker must run in a worker thread');
const { dir, now, files, changed } = workerData as CheckInput;
const textOf = (file: string) => changed[file] ?? readFileSync(join(dir, file), 'utf8');
const builder = new SetBuilder(new Date(now));
for (const file of files) builder.addFile(file, textOf(file));
const result = builder.finish(textOf);
port.postMessage(result.ok ? { ok: true, summary: result.summary } : result);
