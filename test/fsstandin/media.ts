// Which files "exist" for playback and how long they play; where recordings go. No audio moves:
// a recording is a small valid WAV file, so tests can see that a file was made.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

export interface MediaConfig {
  /** Known files with their play time in ms; any other path plays only if it exists on disk. */
  files: Map<string, number>;
  /** Play time of files found on disk and of finite tones (ms). */
  defaultPlayMs: number;
  recordDir: string;
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

/** Writes a small 8 kHz mono µ-law WAV (header + a few bytes) standing in for the recording. */
export function writeRecording(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
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
  writeFileSync(path, Buffer.concat([header, data]));
}
