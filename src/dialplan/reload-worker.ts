/**
 * Worker thread entry: compiles one dialplan folder off the main thread, for as long as the
 * gateway runs. It keeps each file's facts (set-cache.ts), so a reload reads and checks only the
 * files that changed, then runs the set rules on the whole set; decisions stream to the receiver
 * only for files it does not hold already. The receiver keeps a compile's set only if `done`
 * follows; `failed` carries every problem instead.
 */
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { folderError } from './errors.js';
import { listDialplanFiles } from './load.js';
import {
  CHUNK_SIZE,
  WINDOW,
  type WorkerInput,
  type WorkerMessage,
  type WorkerRequest,
} from './reload-protocol.js';
import { SetBuilder } from './set-builder.js';
import { SetCache } from './set-cache.js';

const port = parentPort;
if (!port) throw new Error('reload-worker must run in a worker thread');
const send = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

const { dir } = workerData as WorkerInput;
// the receiver keeps the decisions; here only the compact facts
const cache = new SetCache({ keepDecisions: false });

/** One compile's queue of messages, sent as the receiver's acknowledgements allow. */
class Outbox {
  readonly #queue: WorkerMessage[] = [];
  readonly #acked: Int32Array;
  #sent = 0;

  constructor(acks: SharedArrayBuffer) {
    this.#acked = new Int32Array(acks);
  }

  push(m: WorkerMessage): void {
    this.#queue.push(m);
  }

  /** Sends what the window allows; with `drain`, waits for acknowledgements until all is sent. */
  pump(drain: boolean): void {
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      if (head.type === 'chunk') {
        const seen = Atomics.load(this.#acked, 0);
        if (this.#sent - seen >= WINDOW) {
          if (!drain) return;
          Atomics.wait(this.#acked, 0, seen, 1000);
          continue;
        }
        this.#sent++;
      }
      send(this.#queue.shift()!);
    }
  }
}

async function compile(request: WorkerRequest): Promise<void> {
  const builder = new SetBuilder(new Date(request.now));
  const outbox = new Outbox(request.acks);
  const files = await listDialplanFiles(dir);
  for (const file of files) {
    const bytes = await readFile(join(dir, file));
    // bytes hash as their text does only when they are valid UTF-8 (decoding replaces the rest)
    const text = isUtf8(bytes) ? bytes : bytes.toString('utf8');
    const added = cache.add(builder, file, text, (key) => request.held[file] === key);
    const decisions = added.hit ? [] : (added.decisions ?? []);
    for (let i = 0; i < decisions.length; i += CHUNK_SIZE)
      outbox.push({ type: 'chunk', json: JSON.stringify(decisions.slice(i, i + CHUNK_SIZE)) });
    outbox.push({ type: 'file', file, key: added.key, reused: added.hit });
    outbox.pump(false);
  }
  cache.retain(files);
  // texts are read again only to place errors: keeping them all would double the worker's memory
  const result = builder.finish((file) => readFileSync(join(dir, file), 'utf8'));
  // sent even when the set fails: the receiver then holds what this cache holds, and the fixed
  // set's next compile reuses every file but the one fixed
  outbox.pump(true);
  if (result.ok) {
    const index = result.index.buffers;
    send({ type: 'done', summary: result.summary, index }, [
      index.keys.buffer as ArrayBuffer,
      index.slots.buffer as ArrayBuffer,
    ]);
  } else {
    send({ type: 'failed', errors: result.errors });
  }
}

/**
 * A full collection once a compile is over. This thread lives on, idle, between reloads; left to
 * itself V8 keeps the heap a full load grew to (hundreds of MB of parsed files on a million
 * numbers, all garbage) and grows it further on the next reload. `gc` is made visible for a
 * context of this thread only; new vm contexts elsewhere in the process see it too, nothing else.
 */
const collect: () => void = (() => {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return () => {};
  }
})();

// one compile at a time, in the order asked
let queue = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  queue = queue
    .then(() => compile(request))
    .catch((err: Error) => {
      cache.clear();
      send({ type: 'failed', errors: [folderError(`reload worker failed: ${err.message}`)] });
    })
    .then(collect);
});
