/**
 * Worker thread entry: reads, checks and compiles a dialplan directory file by file off the main
 * thread, streaming decisions while it reads on. The receiver keeps them only if `done` follows;
 * `failed` carries every problem instead.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { listDialplanFiles } from './load.js';
import { CHUNK_SIZE, WINDOW, type WorkerInput, type WorkerMessage } from './reload-protocol.js';
import { SetBuilder } from './set-builder.js';

const port = parentPort;
if (!port) throw new Error('reload-worker must run in a worker thread');
const send = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

const { dir, now, acks } = workerData as WorkerInput;
const acked = new Int32Array(acks);
const outbox: string[] = [];
let sent = 0;

/** Sends what the window allows; with `drain`, waits for acknowledgements until all is sent. */
function pump(drain: boolean): void {
  while (outbox.length > 0) {
    const seen = Atomics.load(acked, 0);
    if (sent - seen >= WINDOW) {
      if (!drain) return;
      Atomics.wait(acked, 0, seen, 1000);
      continue;
    }
    send({ type: 'chunk', json: outbox.shift()! });
    sent++;
  }
}

const builder = new SetBuilder(new Date(now));
for (const file of await listDialplanFiles(dir)) {
  const decisions = builder.addFile(file, await readFile(join(dir, file), 'utf8'));
  for (let i = 0; i < decisions.length; i += CHUNK_SIZE)
    outbox.push(JSON.stringify(decisions.slice(i, i + CHUNK_SIZE)));
  pump(false);
}
// texts are read again only to place errors: keeping them all would double the worker's memory
const result = builder.finish((file) => readFileSync(join(dir, file), 'utf8'));
if (result.ok) {
  pump(true);
  const index = result.index.buffers;
  send({ type: 'done', summary: result.summary, index }, [
    index.keys.buffer as ArrayBuffer,
    index.slots.buffer as ArrayBuffer,
  ]);
} else {
  send({ type: 'failed', errors: result.errors });
}
