/**
 * `calltrack doctor`: reads the configuration the gateway reads and checks each thing it depends
 * on, the way the gateway will use it (the peers' own protocols, their credentials), each with
 * a deadline; one row per check with what to fix. Exit 1 when any check failed.
 */
import { parseServer } from '../../media/server-spec.js';
import { transportNeeds } from '../../routing/transport-needs.js';
import { CliError, type CliIO } from '../io.js';
import { checkCarriers } from './carriers-check.js';
import { checkConfig } from './config-check.js';
import { checkDialplans } from './dialplans-check.js';
import { drachtioRow, probeDrachtio } from './drachtio-check.js';
import { formatDoctor } from './format.js';
import { freeswitchRow, probeFreeswitch } from './freeswitch-check.js';
import { checkRedis } from './redis-check.js';
import { type CheckResult, doctorExitCode, skipped } from './result.js';
import { checkSmtp } from './smtp-check.js';

/** Per check: long enough for a peer across a WAN, short enough that a run never drags. */
export const CHECK_TIMEOUT_MS = 3000;

export async function doctorCommand(io: CliIO, args: string[]): Promise<number> {
  if (args.length > 0)
    throw new CliError(`usage: calltrack doctor (no arguments; got '${args[0]}')`);
  const results = await runChecks(io.env, io.now(), CHECK_TIMEOUT_MS);
  for (const line of formatDoctor(results)) io.out(line);
  return doctorExitCode(results);
}

export async function runChecks(
  env: Readonly<Record<string, string | undefined>>,
  now: Date,
  timeoutMs: number,
): Promise<CheckResult[]> {
  const { row, config } = checkConfig(env);
  if (!config) {
    const rest = ['dialplans', 'carriers', 'drachtio', 'redis', 'freeswitch', 'smtp'];
    return [row, ...rest.map((check) => skipped(check, 'needs a valid configuration'))];
  }
  const servers = config.media.servers;
  const freeswitch = servers.length
    ? servers.map(async (text, i) =>
        freeswitchRow(text, await probeFreeswitch(parseServer(text), timeoutMs), i + 1),
      )
    : [
        Promise.resolve(
          skipped('freeswitch', 'FREESWITCH not set: no media (whisper, recording, voicemail)'),
        ),
      ];
  const dialplans = checkDialplans(config, now, timeoutMs);
  // what the dialplans (files or the published snapshot) and the trunk need each server to listen on
  const needs = dialplans.then(({ table }) => transportNeeds(table, config.resolvedTrunk.route));
  // independent peers, checked side by side: a run takes one deadline at most, not the sum
  const rows = await Promise.all([
    dialplans.then((d) => d.row),
    checkCarriers(config),
    // every drachtio-server the gateway would connect to (DRACHTIO lists several)
    ...config.drachtioServers.map(async (d) =>
      drachtioRow(
        d,
        await probeDrachtio(d, timeoutMs),
        Boolean(config.drachtio.servers),
        await needs,
      ),
    ),
    checkRedis(config, timeoutMs),
    ...freeswitch,
    checkSmtp(config, timeoutMs),
  ]);
  return [row, ...rows];
}
