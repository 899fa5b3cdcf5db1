// Recording as FreeSWITCH 1.10.12 does it: `record` (switch_ivr_record_file) records the leg's
// input until a break, hangup or its limit; `record_session` and `uuid_record start`
// (switch_ivr_record_session_event) start a media bug. Where each opens its file, what happens
// when it cannot, and how long a recording is said to be.
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Channel, RunningApp } from './channel.js';
import type { Switch } from './core.js';
import { makeRecordingDir, openRecording, recordingPath } from './media.js';
import type { RecordingApp } from './trace.js';

type Complete = (response: string, extra?: [string, string][]) => void;

/** One frame of the 8 kHz PCMU leg: FreeSWITCH counts recorded samples frame by frame. */
export const FRAME_MS = 20;

/** Whole frames in a measured time (ms). */
export function framesMs(elapsedMs: number): number {
  return Math.floor(elapsedMs / FRAME_MS) * FRAME_MS;
}

/**
 * How long `record` with a limit runs, as record_ms will report it. FreeSWITCH takes the start
 * in whole epoch seconds and, before each 20 ms frame, ends when `now - start > limit`
 * (switch_ivr_play_say.c:749-751, 799-801): more than the limit, at most a second more,
 * depending on where in its second the recording started. Computed, never measured, so a timer
 * that fires late on a busy machine does not change it.
 */
export function limitEndMs(startEpochMs: number, limitSecs: number): number {
  const endsAt = (Math.floor(startEpochMs / 1000) + limitSecs + 1) * 1000;
  return Math.ceil((endsAt - startEpochMs) / FRAME_MS) * FRAME_MS;
}

/**
 * record: the file is opened first (switch_ivr_play_say.c:563). When that fails (a directory
 * that does not exist is not created) FreeSWITCH hangs the channel up with
 * DESTINATION_OUT_OF_ORDER and the app returns at once (play_say.c:563-568, mod_dptools.c:
 * 3280-3284): CHANNEL_EXECUTE_COMPLETE `_none_` without record_* variables, then the hangup.
 * On a bridged leg this is what breaks real calls (a leg hangs, a channel leaks): the stand-in
 * never completes it and the channel can no longer be hung up by the app.
 */
export function record(sw: Switch, ch: Channel, arg: string, complete: Complete): void {
  const [file = '', limit = ''] = arg.trim().split(/\s+/);
  const path = recordingPath(sw.config.media, file);
  const error = openRecording(sw.config.media, path);
  if (error) {
    const log = `Error Opening File [${path}]`;
    sw.trace.add({ kind: 'record-failed', channel: ch.ref, app: 'record', path, error, log });
    complete('_none_');
    sw.hangup(ch, 'DESTINATION_OUT_OF_ORDER', 'stand-in');
    return;
  }
  ch.recordings.push(path);
  sw.fireChannel('RECORD_START', ch, [['Record-File-Path', path]]);
  sw.trace.add({ kind: 'record', channel: ch.ref, app: 'record', path });
  if (ch.bridgedTo) {
    ch.wedged = true;
    ch.pitfalls.push('record-on-bridged-leg');
    sw.trace.add({
      kind: 'pitfall',
      channel: ch.ref,
      what: 'record-on-bridged-leg',
      detail: `record ${file} on a leg bridged to ${ch.bridgedTo}: never completes, hangup of this leg no longer completes (leak)`,
    });
    return;
  }
  const started = performance.now();
  const seconds = Number(limit.replace(/^\+/, ''));
  const limitMs = seconds > 0 ? limitEndMs(Date.now(), seconds) : Number.POSITIVE_INFINITY;
  const finish = (reason: 'limit' | 'break' | 'hangup') => {
    clearTimeout(timer);
    if (!ch.running.delete(app)) return;
    const elapsed = framesMs(performance.now() - started);
    // a break that comes after the limit's frame found the recording already ended by it
    const endedBy = reason === 'limit' || elapsed >= limitMs ? 'limit' : reason;
    const ms = endedBy === 'limit' ? limitMs : elapsed;
    ch.vars.set('record_seconds', String(Math.floor(ms / 1000)));
    ch.vars.set('record_ms', String(ms));
    ch.vars.set('record_samples', String(ms * 8));
    sw.fireChannel('RECORD_STOP', ch, [['Record-File-Path', path]]);
    sw.trace.add({ kind: 'record-stop', channel: ch.ref, app: 'record', path, ms, endedBy });
    complete('_none_');
  };
  const timer = Number.isFinite(limitMs) ? setTimeout(() => finish('limit'), limitMs) : undefined;
  const app: RunningApp = {
    app: 'record',
    interrupt: (reason) => finish(reason === 'break' ? 'break' : 'hangup'),
  };
  ch.running.add(app);
  if (ch.takePendingBreak()) app.interrupt('break');
}

/**
 * record_session: completes at once (`_none_`) whatever happened, mod_dptools.c:3349 ignores the
 * result; the channel stays up unless RECORD_HANGUP_ON_ERROR asked for a hangup.
 */
export function recordSession(sw: Switch, ch: Channel, arg: string, complete: Complete): void {
  const started = startSessionRecording(sw, ch, 'record_session', arg.trim().split(/\s+/)[0] ?? '');
  complete('_none_');
  if (started === 'hangup') sw.hangup(ch, 'DESTINATION_OUT_OF_ORDER', 'stand-in');
}

/**
 * switch_ivr_record_session_event: makes the file's directory (0750, switch_ivr_async.c:3117),
 * opens the file at the start (3136) and adds the media bug, whose INIT fires RECORD_START; the
 * file then grows until hangup. Either failure sets record_completion_cause=uri-failure (3119,
 * 3142, 3341-3344) and adds no bug; a failed open hangs up only with RECORD_HANGUP_ON_ERROR
 * (3138-3141). 'hangup' asks the caller to hang up once it has answered.
 */
export function startSessionRecording(
  sw: Switch,
  ch: Channel,
  app: Exclude<RecordingApp, 'record'>,
  file: string,
): 'started' | 'failed' | 'hangup' {
  const path = recordingPath(sw.config.media, file);
  const dir = dirname(path);
  const dirError = makeRecordingDir(sw.config.media, dir);
  const openError = dirError ? undefined : openRecording(sw.config.media, path);
  if (dirError || openError) {
    ch.vars.set('record_completion_cause', 'uri-failure');
    const log = dirError ? `Error creating ${dir}` : `Error opening ${path}`;
    const error = dirError ?? openError ?? '';
    sw.trace.add({ kind: 'record-failed', channel: ch.ref, app, path, error, log });
    return openError && switchTrue(ch.vars.get('RECORD_HANGUP_ON_ERROR')) ? 'hangup' : 'failed';
  }
  ch.recordings.push(path);
  sw.fireChannel('RECORD_START', ch, [['Record-File-Path', path]]);
  sw.trace.add({ kind: 'record', channel: ch.ref, app, path });
  return 'started';
}

/** switch_true(): yes, on, true, t, enabled, active, allow or a number other than 0. */
function switchTrue(value: string | undefined): boolean {
  if (!value) return false;
  if (/^-?\d+$/.test(value)) return Number(value) !== 0;
  return /^(yes|on|true|t|enabled|active|allow)$/i.test(value);
}
