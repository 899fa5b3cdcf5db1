/**
 * Worker thread entry: compiles a dialplan folder off the main thread, then exits (its heap, a
 * full load's parsed files included, goes with it). It starts from the facts of the previous
 * compile (set-cache.ts), so it reads and checks only the files that changed, then runs the set
 * rules on the whole set; decisions stream to the receiver only for files it does not hold
 * already. The receiver keeps the set only if `done` follows; `failed` carries every problem.
 */
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { listDialplanFiles } from './load.js';
import { CHUNK_SIZE, WINDOW, type WorkerInput, type WorkerMessage } from './reload-protocol.js';
import { SetBuilder } from './set-builder.js';
import { SetCache } from './set-cache.js';

const port = parentPort;
if (!port) throw new Error('reload-worker must run in a worker thread');
const send = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

const input = workerData as WorkerInput;
const acked = new Int32Array(input.acks);
// the receiver keeps the decisions; here only the compact facts
const cache = new SetCache({ keepDecisions: false }, input.cache);
const outbox: WorkerMessage[] = [];
let sent = 0;

/** Sends what the window allows; with `drain`, waits for acknowledgements until all is sent. */
function pump(drain: boolean): void {
  while (outbox.length > 0) {
    if (outbox[0]!.type === 'chunk') {
      const seen = Atomics.load(acked, 0);
      if (sent - seen >= WINDOW) {
        if (!drain) return;
        Atomics.wait(acked, 0, seen, 1000);
        continue;
      }
      sent++;
    }
    send(outbox.shift()!);
  }
}

const builder = new SetBuilder(new Date(input.now));
const changed = input.changed ?? {};
const files = [
  ...new Set([...(await listDialplanFiles(input.dir)), ...Object.keys(changed)]),
].sort();
for (const file of files) {
  const bytes = changed[file] ?? (await readFile(join(input.dir, file)));
  // bytes hash as their text does only when they are valid UTF-8 (decoding replaces the rest)
  const text = typeof bytes === 'string' || isUtf8(bytes) ? bytes : bytes.toString('utf8');
  const added = cache.add(builder, file, text, (key) => input.held[file] === key);
  const decisions = added.hit ? [] : (added.decisions ?? []);
  for (let i = 0; i < decisions.length; i += CHUNK_SIZE)
    outbox.push({ type: 'chunk', json: JSON.stringify(decisions.slice(i, i + CHUNK_SIZE)) });
  outbox.push({ type: 'file', file, key: added.key, reused: added.hit });
  pump(false);
}
cache.retain(files);
// texts are read again only to place errors: keeping them all would double the worker's memory
const result = builder.finish(
  (file) => changed[file] ?? readFileSync(join(input.dir, file), 'utf8'),
);
// sent even when the set fails: the receiver then holds what the cache holds, and the fixed
// set's next compile reuses every file but the one fixed
pump(true);
const { snapshot, transfer } = cache.takeSnapshot();
send({ type: 'cache', cache: snapshot }, transfer);
if (result.ok) {
  const index = result.index.buffers;
  send({ type: 'done', summary: result.summary, index }, [
    index.keys.buffer as ArrayBuffer,
    index.slots.buffer as ArrayBuffer,
  ]);
} else {
  send({ type: 'failed', errors: result.errors });
}
