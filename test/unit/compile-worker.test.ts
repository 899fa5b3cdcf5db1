/**
 * Reload compiles remember each file of their folder: a worker starts from the facts the previous
 * one sent back, so after a one-file change only that file's decisions cross the thread boundary
 * (the others are the very objects of the previous compile), and the set equals a fresh build.
 */
import { Buffer } from 'node:buffer';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  compileInline,
  compileInWorker,
  compileWorkerOf,
  forgetCompiles,
} from '../../src/dialplan/compile-modes.js';
import { type LoadResult, loadDialplanDir } from '../../src/dialplan/load.js';
import { ACTIVE, CUSTOMERS, numberEntry, numbersFile } from '../helpers/dialplan-texts.js';
import { tempDir } from '../helpers/temp-dir.js';

const NOW = new Date('2026-11-22T12:00:00Z');

t.teardown(forgetCompiles);

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
    if (mode === 'worker') {
      const kept = ['a.yaml', 'customers.yaml'];
      t.strictSame(compileWorkerOf(dir)?.heldFiles, kept, 'removed file: decisions dropped');
      t.strictSame(compileWorkerOf(dir)?.cachedFiles, kept, 'and its facts');
    }
  });
}

t.test('worker: each compile starts from the facts the last one sent back', async (t) => {
  const { dir, write } = folder();
  const first = await compileInWorker(dir, NOW);
  const compiler = compileWorkerOf(dir)!;
  t.strictSame(compiler.cachedFiles, ['a.yaml', 'b.yaml', 'customers.yaml']);
  write('c.yaml', [numberEntry('+493025550109', ACTIVE)]);
  const added = await compileInWorker(dir, NOW);
  t.strictSame(added, await fresh(dir), 'a file added');
  t.equal(decisionsOf(added)[0], decisionsOf(first)[0], 'a.yaml reused');
  t.strictSame(compiler.cachedFiles, ['a.yaml', 'b.yaml', 'c.yaml', 'customers.yaml']);
  compiler.clear();
  const again = await compileInWorker(dir, NOW);
  t.strictSame(again, await fresh(dir));
  t.not(decisionsOf(again)[0], decisionsOf(first)[0], 'forgotten: every file read again');
});

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
