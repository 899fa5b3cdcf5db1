/**
 * A published snapshot as data: the manifest is checked field by field before a file name
 * becomes a path; the files are checked against their hashes and the set's version, which is
 * the loader's own version of the same files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  manifestOf,
  parseManifest,
  sha256,
  verifySnapshot,
} from '../../src/dialplan/distribution/snapshot.js';
import { loadDialplanDir } from '../../src/dialplan/load.js';
import { versionOf } from '../../src/dialplan/version.js';
import { coalesced } from '../../src/util/coalesce.js';

const DIR = 'test/fixtures/dialplans/valid-minimal';
const files = ['numbers.yaml', 'customers.yaml'].map((file) => ({
  file,
  bytes: readFileSync(join(DIR, file)),
}));
const texts = files.map((f) => ({ file: f.file, text: f.bytes.toString() }));

t.test('the snapshot version is the loader’s version of the same files', async (t) => {
  const loaded = await loadDialplanDir(DIR, new Date('2026-11-22T10:00:00Z'));
  t.ok(loaded.ok);
  if (loaded.ok)
    t.equal(versionOf(texts), loaded.set.summary.version, 'order given does not matter');
});

t.test('an honest snapshot verifies', async (t) => {
  const version = versionOf(texts);
  const m = manifestOf(version, files, 'files-1', new Date('2026-11-22T10:00:00Z'));
  const parsed = parseManifest(JSON.stringify(m), version);
  t.match(parsed, { ok: true, manifest: { version, node: 'files-1' } });
  t.same(
    verifySnapshot(
      m,
      files.map((f) => f.bytes),
    ),
    { ok: true, files },
  );
});

t.test('a manifest that is not what it says is refused, saying why', async (t) => {
  const version = versionOf(texts);
  const good = { file: 'numbers.yaml', sha256: sha256(files[0]!.bytes) };
  const refused = (doc: unknown, v = version) => {
    const r = parseManifest(typeof doc === 'string' ? doc : JSON.stringify(doc), v);
    return r.ok ? 'accepted' : `${r.reason}: ${r.detail}`;
  };
  t.equal(parseManifest(null, version).ok, false, 'missing');
  t.match(refused('{nope'), /^manifest: .*not JSON/);
  t.match(refused('42'), /^manifest: .*not an object/);
  t.match(refused({ version: 'ffffffffffffffff', files: [] }), /names version ffffffffffffffff/);
  t.match(refused({ version }), /no file list/);
  for (const file of [
    '../numbers.yaml',
    'sub/numbers.yaml',
    'a\\b.yaml',
    '.hidden.yaml',
    'numbers.txt',
    '..yaml',
    7,
  ])
    t.match(
      refused({ version, files: [{ ...good, file }] }),
      /files\/0: not a plain dialplan/,
      `${file}`,
    );
  t.match(refused({ version, files: [{ ...good, sha256: 'abc' }] }), /files\/0: bad sha256/);
  t.match(refused({ version, files: [good, good] }), /files\/1: numbers.yaml twice/);
});

t.test('files that do not match the manifest are refused, saying which', async (t) => {
  const version = versionOf(texts);
  const m = manifestOf(version, files, 'files-1', new Date());
  t.match(verifySnapshot(m, [files[0]!.bytes, null]), { ok: false, reason: 'missing' });
  const changed = Buffer.from(`${files[0]!.bytes}#`);
  t.match(verifySnapshot(m, [changed, files[1]!.bytes]), {
    ok: false,
    reason: 'hash',
    detail: /^numbers.yaml:/,
  });
  const other = manifestOf('0123456789abcdef', files, 'files-1', new Date());
  t.match(
    verifySnapshot(
      other,
      files.map((f) => f.bytes),
    ),
    {
      ok: false,
      reason: 'version',
      detail: `the files are version ${version}, not 0123456789abcdef`,
    },
  );
});

t.test('coalesced runs never overlap; requests meanwhile make one more run', async (t) => {
  let running = 0;
  let runs = 0;
  let release: () => void = () => undefined;
  const job = coalesced(async () => {
    running++;
    runs++;
    t.equal(running, 1, 'one at a time');
    await new Promise<void>((r) => (release = r));
    running--;
  });
  const first = job();
  const second = job();
  const third = job();
  t.equal(second, third, 'requests while one runs share the next run');
  release();
  await first;
  await new Promise((r) => setImmediate(r));
  release();
  await second;
  t.equal(runs, 2);
});
