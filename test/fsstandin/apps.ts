// Dialplan applications run by `sendmsg … execute`: CHANNEL_EXECUTE at the start and
// CHANNEL_EXECUTE_COMPLETE (Application-UUID = the command's Event-UUID) when done.
import { performance } from 'node:perf_hooks';
import type { Channel, RunningApp } from './channel.js';
import type { Switch } from './core.js';
import { playTime } from './media.js';
import { framesMs, record, recordSession } from './recording.js';

export interface Execution {
  app: string;
  arg: string;
  eventUuid: string;
}

export function execute(sw: Switch, channel: Channel, exec: Execution): void {
  const appHeaders = (): [string, string][] => [
    ['Application', exec.app],
    ['Application-Data', exec.arg],
    ['Application-UUID', exec.eventUuid],
  ];
  if (!KNOWN_APPS.has(exec.app)) {
    // switch_core_session_execute_application: "Invalid Application", the channel is hung up.
    sw.trace.add({ kind: 'note', text: `invalid application ${exec.app} on ${channel.uuid}` });
    sw.hangup(channel, 'DESTINATION_OUT_OF_ORDER', 'stand-in');
    return;
  }
  channel.vars.set('current_application', exec.app);
  channel.vars.set('current_application_data', exec.arg);
  sw.fireChannel('CHANNEL_EXECUTE', channel, appHeaders());
  const complete = (response: string, extra: [string, string][] = []) => {
    channel.vars.set('current_application_response', response);
    sw.trace.add({ kind: 'execute', channel: channel.ref, app: exec.app, arg: exec.arg, response });
    sw.fireChannel('CHANNEL_EXECUTE_COMPLETE', channel, [
      ...appHeaders().slice(0, 2),
      ['Application-Response', response],
      ['Application-UUID', exec.eventUuid],
      ...extra,
    ]);
  };
  const handler = HANDLERS[exec.app] ?? instant;
  handler(sw, channel, exec.arg, complete);
}

type Complete = (response: string, extra?: [string, string][]) => void;
type Handler = (sw: Switch, channel: Channel, arg: string, complete: Complete) => void;

const instant: Handler = (_sw, _ch, _arg, complete) => complete('_none_');

const HANDLERS: Record<string, Handler> = {
  playback,
  record_session: recordSession,
  record,
  hangup,
  set: (_sw, ch, arg, complete) => {
    setVar(ch, arg);
    complete('_none_');
  },
  export: (_sw, ch, arg, complete) => {
    setVar(ch, arg);
    complete('_none_');
  },
  multiset: (_sw, ch, arg, complete) => {
    const m = /^\^\^(.)(.*)$/.exec(arg);
    const parts = m?.[1] ? (m[2] ?? '').split(m[1]) : arg.split(/\s+/);
    for (const part of parts) setVar(ch, part);
    complete('_none_');
  },
  sleep: (_sw, ch, arg, complete) => {
    const timer = setTimeout(() => done(), Number(arg) || 0);
    const app: RunningApp = { app: 'sleep', interrupt: () => done() };
    const done = () => {
      clearTimeout(timer);
      if (!ch.running.delete(app)) return;
      complete('_none_');
    };
    ch.running.add(app);
  },
};

// biome-ignore format: one table
const KNOWN_APPS = new Set([
  ...Object.keys(HANDLERS), 'answer', 'pre_answer', 'ring_ready', 'park', 'info', 'log', 'set_mute',
  'unset', 'ring', 'echo', 'socket',
]);

function setVar(ch: Channel, arg: string): void {
  const eq = arg.indexOf('=');
  if (eq > 0) ch.vars.set(arg.slice(0, eq).trim(), arg.slice(eq + 1));
}

/** playback: FILE PLAYED when done or broken; FILE NOT FOUND; PLAYBACK ERROR on bridge/hangup. */
function playback(sw: Switch, ch: Channel, arg: string, complete: Complete): void {
  const delimiter = ch.vars.get('playback_delimiter');
  const files = delimiter ? arg.split(delimiter) : [arg];
  const times = files.map((f) => playTime(sw.config.media, f));
  if (times.some((t) => t === undefined)) {
    sw.trace.add({ kind: 'play', channel: ch.ref, file: arg, result: 'FILE NOT FOUND' });
    complete('FILE NOT FOUND');
    return;
  }
  const total = times.reduce<number>((a, t) => a + (t ?? 0), 0);
  if (ch.bridgedTo) {
    // FreeSWITCH runs it, and the caller hears a prompt (an endless ringback) instead of the
    // dealer: the gateway never plays on a bridged leg
    ch.pitfalls.push('playback-on-bridged-leg');
    sw.trace.add({
      kind: 'pitfall',
      channel: ch.ref,
      what: 'playback-on-bridged-leg',
      detail: `playback ${arg} on a leg bridged to ${ch.bridgedTo}`,
    });
  }
  const started = performance.now();
  ch.played.push(arg);
  sw.fireChannel('PLAYBACK_START', ch, [['Playback-File-Path', arg]]);
  // played to its end: the file's length; broken off: the whole frames sent until then
  const finish = (response: string, played = framesMs(performance.now() - started)) => {
    clearTimeout(timer);
    if (!ch.running.delete(app)) return;
    const ms = Math.min(played, total);
    const vars: [string, string][] = [
      ['playback_seconds', String(Math.floor(ms / 1000))],
      ['playback_ms', String(ms)],
      ['playback_samples', String(ms * 8)],
      ['playback_last_offset_pos', String(ms * 8)],
    ];
    for (const [k, v] of vars) ch.vars.set(k, v);
    sw.trace.add({ kind: 'play', channel: ch.ref, file: arg, result: response });
    sw.fireChannel('PLAYBACK_STOP', ch, [['Playback-File-Path', arg]]);
    complete(response);
  };
  const timer = Number.isFinite(total)
    ? setTimeout(() => finish('FILE PLAYED', total), total)
    : undefined;
  const app: RunningApp = {
    app: 'playback',
    interrupt: (reason) => finish(reason === 'break' ? 'FILE PLAYED' : 'PLAYBACK ERROR'),
  };
  ch.running.add(app);
  // a break left from a uuid_break while nothing ran ends this application's loop at once
  if (ch.takePendingBreak()) app.interrupt('break');
}

function hangup(sw: Switch, ch: Channel, arg: string, complete: Complete): void {
  const cause = arg.trim() || 'NORMAL_CLEARING';
  if (ch.wedged) {
    sw.trace.add({
      kind: 'note',
      text: `hangup on ${ch.uuid} does not complete: the leg hangs after record on a bridged leg`,
    });
    return;
  }
  complete('_none_', [['Hangup-Cause', cause]]);
  sw.hangup(ch, cause, 'app');
}
