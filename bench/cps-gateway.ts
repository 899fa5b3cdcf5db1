/**
 * The gateway as `bench/cps` and `bench/cps-ab` run it: as production does, records to Redis (the
 * bench's own redis-server), the default log level (info: every per-call line written and read),
 * its own temp dir for the dialplan and the record spool.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Endpoint } from '../test/standin/index.js';
import { type Proc, startGateway, tempDir } from './cps-procs.js';

export type ProductionGateway = {
  admin: Endpoint;
  secret: string;
  dealer: Endpoint;
  redisUrl: string;
  /** One dialplan file's YAML. */
  dialplan: string;
  /** Variables on top (NODE_ID: two gateways on one Redis need their own). */
  env?: Record<string, string | undefined>;
  nodeFlags?: string[];
  /** The checkout whose `dist/` runs (default: this one). */
  root?: string;
};

export function startProductionGateway(o: ProductionGateway): Promise<Proc> {
  const dir = tempDir('calltrack-bench-cps-');
  const dialplans = join(dir, 'dialplans');
  mkdirSync(dialplans);
  writeFileSync(join(dialplans, 'bench.yaml'), o.dialplan);
  const production = {
    RECORD_SINK: 'redis',
    REDIS_URL: o.redisUrl,
    RECORD_SPOOL_DIR: join(dir, 'spool'),
    // unset: the gateway's default level
    LOG_LEVEL: undefined,
    ...o.env,
  };
  return startGateway(o.admin, o.secret, dialplans, o.dealer, production, o.nodeFlags, o.root);
}

/**
 * `NAME=value,NAME=value` (BENCH_AGAINST_ENV) as variables; an item without a name and `=`
 * stops the bench before anything starts, naming the variable and the item.
 */
export function envList(name: string, text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of text.split(',').map((s) => s.trim())) {
    if (!item) continue;
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(item);
    if (!m) throw new Error(`${name}: '${item}' is not NAME=value (items separated by commas)`);
    out[m[1]!] = m[2]!;
  }
  return out;
}
