// Which files "exist" for playback and how long they play; where recordings go and whether they
// can be opened there. No audio moves: a recording is a small valid WAV file, so tests can see
// that a file was made.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

export interface MediaConfig {
  /** Known files with their play time in ms; any other path plays only if it exists on disk. */
  files: Map<string, number>;
  /** Play time of files found on disk and of finite tones (ms). */
  defaultPlayMs: number;
  recordDir: string;
  /**
   * Directories FreeSWITCH's own user may not write into (tests run as root, where permissions
   * stop nothing): a volume the gateway sees but FreeSWITCH cannot write, failing with EACCES.
   */
  unwritable: readonly string[];
}

/** Play time in ms, `Infinity` for endless tones/silence, undefined when the file is not found. */
export function playTime(config: MediaConfig, file: string): number | undefined {
  const known = config.files.get(file);
  if (known !== undefined) return Number.isNaN(known) ? config.defaultPlayMs : known;
  if (file.startsWith('tone_stream://')) {
    return /loops=-1/.test(file) ? Number.POSITIVE_INFINITY : config.defaultPlayMs;
  }
  if (file.startsWith('silence_stream://')) {
    const ms = Number(/^silence_stream:\/\/(-?\d+)/.exec(file)?.[1] ?? 0);
    return ms < 0 ? Number.POSITIVE_INFINITY : ms;
  }
  const path = file.replace(/@@\d+$/, '');
  return existsSync(path) ? config.defaultPlayMs : undefined;
}

/** Where FreeSWITCH would write a recording: absolute paths as given, others under recordDir. */
export function recordingPath(config: MediaConfig, file: string): string {
  return isAbsolute(file) ? file : join(config.recordDir, file);
}

/**
 * Opens (creates) a recording as mod_sndfile does, standing in for the audio with a small 8 kHz
 * mono µ-law WAV. Nothing is created on the way: a directory that does not exist (or is not a
 * directory, or is not writable) fails the open, as switch_file_open(WRITE|CREATE) and sf_open
 * fail (mod_sndfile.c:327-342). The system error code, or undefined once the file is open.
 */
export function openRecording(config: MediaConfig, path: string): string | undefined {
  if (forbidden(config, path)) return 'EACCES';
  try {
    writeFileSync(path, wav());
    return undefined;
  } catch (err) {
    return systemError(err);
  }
}

/**
 * record_session's (and uuid_record's) `switch_dir_make_recursive(dir, 0750)` before the open
 * (switch_ivr_async.c:3117): the system error code, or undefined when the directory is there.
 */
export function makeRecordingDir(config: MediaConfig, dir: string): string | undefined {
  if (forbidden(config, dir) && !existsSync(dir)) return 'EACCES';
  try {
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    return undefined;
  } catch (err) {
    return systemError(err);
  }
}

function forbidden(config: MediaConfig, path: string): boolean {
  return config.unwritable.some((dir) => path === dir || path.startsWith(`${dir}/`));
}

function systemError(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

function wav(): Buffer {
  const data = Buffer.alloc(160, 0xff);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(7, 20); // µ-law
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
