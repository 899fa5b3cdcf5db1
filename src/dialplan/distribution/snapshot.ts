/**
 * A published dialplan version as data: its manifest, checked field by field before any of it is
 * used (file names become paths on this host), and its files, checked against the manifest's
 * hashes and version. Pure: Redis and the disk are the callers' business.
 */
import { createHash } from 'node:crypto';
import { isDialplanFile } from '../load.js';
import { versionOf } from '../version.js';

export type ManifestFile = { file: string; sha256: string };
export type Manifest = {
  version: string;
  files: ManifestFile[];
  publishedAt: string;
  node: string;
};
export type SnapshotFile = { file: string; bytes: Buffer };

/** Why a snapshot was refused; the label of the refusal counter. */
export type RefusalReason = 'manifest' | 'missing' | 'hash' | 'version' | 'invalid';
export type Refusal = { ok: false; reason: RefusalReason; detail: string };

const VERSION = /^[0-9a-f]{16}$/;
const SHA256 = /^[0-9a-f]{64}$/;

export const isVersion = (v: string): boolean => VERSION.test(v);

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The manifest the publisher writes for these files. */
export function manifestOf(
  version: string,
  files: readonly SnapshotFile[],
  node: string,
  at: Date,
): Manifest {
  return {
    version,
    files: files.map((f) => ({ file: f.file, sha256: sha256(f.bytes) })),
    publishedAt: at.toISOString(),
    node,
  };
}

/** A plain file name the loader would read: no folder, no dot file, no path tricks. */
function safeName(file: unknown): file is string {
  return (
    typeof file === 'string' &&
    file.length <= 255 &&
    isDialplanFile(file) &&
    !/[/\\\0]/.test(file) &&
    !file.includes('..')
  );
}

/** `text` as stored under the manifest key of `version` → a manifest to act on, or why not. */
export function parseManifest(
  text: string | null,
  version: string,
): { ok: true; manifest: Manifest } | Refusal {
  const refuse = (detail: string): Refusal => ({ ok: false, reason: 'manifest', detail });
  if (text === null) return refuse(`no manifest for version ${version}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return refuse('the manifest is not JSON');
  }
  if (typeof doc !== 'object' || doc === null) return refuse('the manifest is not an object');
  const m = doc as Record<string, unknown>;
  if (m.version !== version) return refuse(`the manifest names version ${String(m.version)}`);
  if (!Array.isArray(m.files)) return refuse('the manifest has no file list');
  const seen = new Set<string>();
  const files: ManifestFile[] = [];
  for (const [i, f] of (m.files as unknown[]).entries()) {
    const { file, sha256: hash } = (f ?? {}) as Record<string, unknown>;
    if (!safeName(file)) return refuse(`files/${i}: not a plain dialplan file name`);
    if (typeof hash !== 'string' || !SHA256.test(hash)) return refuse(`files/${i}: bad sha256`);
    if (seen.has(file)) return refuse(`files/${i}: ${file} twice`);
    seen.add(file);
    files.push({ file, sha256: hash });
  }
  const publishedAt = typeof m.publishedAt === 'string' ? m.publishedAt : '';
  const node = typeof m.node === 'string' ? m.node : '';
  return { ok: true, manifest: { version, files, publishedAt, node } };
}

/** The blobs fetched for a manifest (same order) → its files, or why they cannot be served. */
export function verifySnapshot(
  manifest: Manifest,
  blobs: readonly (Buffer | null)[],
): { ok: true; files: SnapshotFile[] } | Refusal {
  const files: SnapshotFile[] = [];
  for (const [i, entry] of manifest.files.entries()) {
    const bytes = blobs[i];
    if (!bytes) return { ok: false, reason: 'missing', detail: `${entry.file}: blob missing` };
    if (sha256(bytes) !== entry.sha256)
      return { ok: false, reason: 'hash', detail: `${entry.file}: content does not match sha256` };
    files.push({ file: entry.file, bytes });
  }
  const actual = versionOf(files.map((f) => ({ file: f.file, text: f.bytes.toString('utf8') })));
  if (actual !== manifest.version)
    return {
      ok: false,
      reason: 'version',
      detail: `the files are version ${actual}, not ${manifest.version}`,
    };
  return { ok: true, files };
}
