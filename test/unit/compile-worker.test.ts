/**
 * The reload worker lives across reloads of its folder and keeps what it read: after a one-file
 * change only that file's decisions cross the thread boundary (the others are the very objects
 * of the previous compile), and the set equals a fresh build of the folder.
 */
import { Buffer } from 'node:buffer';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  compileInline,
  compileInWorker,
  compileWorkerOf,
  stopCompilers,
} from '../../src/dialplan/compile-modes.js';
import { type LoadResult, loadDialplanDir } from '../../src/dialplan/load.js';
import { ACTIVE, CUSTOMERS, numberEntry, numbersFile } from '../helpers/dialplan-texts.js';
import { tempDir } from '../helpers/temp-dir.js';

const NOW = new Date('2026-11-22T12:00:00Z');

t.teardown(stopCompilers);

function folder(): { dir: string; write: (file: string, entries: string[]) => void } {
  const dir = tempDir('calltrack-compile-worker-');
  writeFileSync(join(dir, CUSTOMERS.file), CUSTOMERS.text);
  const write = (file: string, entries: string[]) =>
    writeFileSync(join(dir, file), numbersFile(file, entries).text);
  write('a.yaml', [numberEntry('+493025550101', ACTIVE), numberEntry('+493025550102', ACTIVE)]);
  write('b.yaml', [numberEntry('+493025550103', ACTIVE)]);
  return { dir, write };
}

/** The result alone: an inline compile hands the texts on as well. */
function resultOf(r: LoadResult & { sources?: unknown }): LoadResult {
  const { sources: _, ...result } = r;
  return result as LoadResult;
}

async function fresh(dir: string): Promise<LoadResult> {
  return resultOf(await loadDialplanDir(dir, NOW));
}

function decisionsOf(r: LoadResult) {
  if (!r.ok) throw new Error(`expected a valid set: ${r.errors[0]?.message}`);
  return r.set.decisions;
}

for (const [mode, compileIn] of [
  ['worker', compileInWorker],
  ['inline', compileInline],
] as const) {
  const compile = async (dir: string, now: Date) => resultOf(await compileIn(dir, now));
  t.test(`${mode}: a one-file change reuses the other files' decisions`, async (t) => {
    const { dir, write } = folder();
    const first = await compile(dir, NOW);
    t.strictSame(first, await fresh(dir), 'first compile as a fresh build');
    write('b.yaml', [
      numberEntry('+493025550103', [...ACTIVE, 'options: { displayPrefix: "[b]" }']),
    ]);
    const second = await compile(dir, NOW);
    t.strictSame(second, await fresh(dir), 'after the change as a fresh build');
    const [a1, a2, b] = decisionsOf(second);
    t.equal(a1, decisionsOf(first)[0], 'a.yaml: the same decision object, not sent again');
    t.equal(a2, decisionsOf(first)[1]);
    t.not(b, decisionsOf(first)[2], 'b.yaml: read again');
    t.match(b, { options: { displayPrefix: '[b]' } });

    // an error in the changed file is found, and positioned, with a.yaml replayed
    write('b.yaml', [numberEntry('+4930', ACTIVE)]);
    const bad = await compile(dir, NOW);
    t.strictSame(bad, await fresh(dir));
    t.match(!bad.ok && bad.errors, [{ file: 'b.yaml', line: 3 }]);

    rmSync(join(dir, 'b.yaml'));
    const removed = await compile(dir, NOW);
    t.strictSame(removed, await fresh(dir));
    t.equal(decisionsOf(removed)[0], a1, 'still the first decision objects');
    if (mode === 'worker')
      t.strictSame(
        compileWorkerOf(dir)?.heldFiles,
        ['a.yaml', 'customers.yaml'],
        'removed file dropped',
      );
  });
}

t.test(
  'worker: one thread per folder, kept across reloads; a stopped one starts again',
  async (t) => {
    const { dir, write } = folder();
    await compileInWorker(dir, NOW);
    const worker = compileWorkerOf(dir);
    t.ok(worker?.running);
    write('c.yaml', [numberEntry('+493025550109', ACTIVE)]);
    const added = await compileInWorker(dir, NOW);
    t.strictSame(added, await fresh(dir), 'a file added');
    t.equal(compileWorkerOf(dir), worker, 'the same worker');
    await worker!.stop();
    t.notOk(worker!.running);
    const restarted = await compileInWorker(dir, NOW);
    t.strictSame(restarted, await fresh(dir), 'a new thread reads everything again');
    t.ok(worker!.running);
  },
);

t.test('worker: a file read as bytes hashes as its text (BOM, invalid UTF-8)', async (t) => {
  const { dir } = folder();
  const text = numbersFile('b.yaml', [numberEntry('+493025550103', ACTIVE)]).text;
  writeFileSync(
    join(dir, 'b.yaml'),
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
  );
  // a comment with a byte that is not UTF-8: decoding replaces it, so the version hashes the replacement
  writeFileSync(
    join(dir, 'c.yaml'),
    Buffer.concat([
      Buffer.from('# caf'),
      Buffer.from([0xe9]),
      Buffer.from(`\n${numbersFile('c.yaml', [numberEntry('+493025550104', ACTIVE)]).text}`),
    ]),
  );
  t.strictSame(await compileInWorker(dir, NOW), await fresh(dir), 'cold');
  writeFileSync(
    join(dir, 'a.yaml'),
    numbersFile('a.yaml', [numberEntry('+493025550101', ACTIVE)]).text,
  );
  t.strictSame(await compileInWorker(dir, NOW), await fresh(dir), 'b.yaml and c.yaml replayed');
});
