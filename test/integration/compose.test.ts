/**
 * The compose stack (config/deploy/) as far as a machine without a Docker engine can check it:
 * Debian's docker-compose (v1) validates and resolves the file, and what it resolved is checked
 * against the code and the repository: the gateways' variables, the media paths FreeSWITCH and
 * the gateways share, the files it mounts, the health checks, the Prometheus targets.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { ENV_VARS, loadConfig } from '../../src/config/load.js';
import { type AclUser, PASSWORD_VARS } from '../../src/redis-acl/users.js';
import { requireBinary } from '../helpers/binaries.js';
import { tempDir } from '../helpers/temp-dir.js';

const REPO = resolve(import.meta.dirname, '../..');
const DEPLOY = join(REPO, 'config/deploy');
/** Set by the image (Dockerfile ENV) or read by `calltrack redis-acl`, not by the config. */
const IMAGE_ONLY_VARS = new Set(['NODE_ENV', ...Object.values(PASSWORD_VARS)]);

type Service = {
  build?: { context: string };
  command?: string[];
  environment?: Record<string, string | null>;
  volumes?: (string | { type: string; source?: string; target: string })[];
  healthcheck?: { test: string[] | string };
  restart?: string;
};
type Resolved = { services: Record<string, Service> };
type Mount = { source: string; target: string; bind: boolean };

const bin = requireBinary('docker-compose', 'docker-compose');

/** docker-compose in a clean environment: only the env file given feeds the interpolation. */
function compose(dir: string, file: string, envFile: string, ...args: string[]) {
  const r = spawnSync(bin, ['-f', join(dir, file), '--env-file', join(dir, envFile), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: tempDir('calltrack-compose-home-') },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The stack as docker-compose resolves it: variables filled in, anchors merged, paths absolute. */
function resolved(dir: string, file = 'docker-compose.yml'): Resolved {
  const r = compose(dir, file, '.env.example', 'config');
  if (r.code !== 0) throw new Error(`docker-compose config failed: ${r.err}`);
  return parse(r.out) as Resolved;
}

/** A copy of config/deploy, relative mounts resolving inside it; never a real .env's secrets. */
function copyDeploy(): string {
  const dir = join(tempDir('calltrack-compose-'), 'deploy');
  cpSync(DEPLOY, dir, { recursive: true, filter: (from) => basename(from) !== '.env' });
  return dir;
}

/** A copy of config/deploy with its compose file edited, to break it. */
function deployCopy(edit: (text: string) => string): string {
  const dir = copyDeploy();
  const file = join(dir, 'docker-compose.yml');
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error('the edit changed nothing: the test would prove nothing');
  writeFileSync(file, after);
  return dir;
}

/**
 * Services built from this repository's Dockerfile (the gateways, analytics, the volume init):
 * every other image is pulled.
 */
function ownServices(stack: Resolved): [string, Service][] {
  return Object.entries(stack.services).filter(([, s]) => s.build !== undefined);
}

function gateways(stack: Resolved): [string, Service][] {
  return ownServices(stack).filter(([, s]) => s.environment?.NODE_ID !== undefined);
}

/** `service: VARIABLE` for every variable set on our services that the config does not read. */
function unknownVariables(stack: Resolved): string[] {
  return ownServices(stack).flatMap(([name, s]) =>
    Object.keys(s.environment ?? {})
      .filter((v) => !(v in ENV_VARS) && !IMAGE_ONLY_VARS.has(v))
      .map((v) => `${name}: ${v}`),
  );
}

function mounts(s: Service): Mount[] {
  return (s.volumes ?? []).map((v) => {
    if (typeof v !== 'string') {
      return { source: v.source ?? '', target: v.target, bind: v.type === 'bind' };
    }
    const [source = '', target = ''] = v.split(':');
    return { source, target, bind: source.startsWith('/') };
  });
}

function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/**
 * Paths a gateway hands FreeSWITCH that FreeSWITCH would not find at the same place: a media
 * directory outside every volume both mount at one path, or a shared volume mounted elsewhere.
 */
function mediaPathProblems(stack: Resolved): string[] {
  const fs = stack.services.freeswitch;
  if (!fs) return ['no freeswitch service'];
  const fsVolumes = mounts(fs).filter((m) => !m.bind);
  return gateways(stack).flatMap(([name, s]) => {
    const own = mounts(s).filter((m) => !m.bind);
    const problems = own
      .filter((m) => fsVolumes.some((f) => f.source === m.source && f.target !== m.target))
      .map((m) => `${name}: volume ${m.source} at ${m.target}, in freeswitch elsewhere`);
    for (const variable of ['RECORDING_DIR', 'VOICEMAIL_DIR']) {
      const dir = s.environment?.[variable];
      const shared = own.some(
        (m) =>
          dir &&
          within(dir, m.target) &&
          fsVolumes.some((f) => f.source === m.source && f.target === m.target),
      );
      if (!shared)
        problems.push(`${name}: ${variable}=${dir} is not on a volume freeswitch shares`);
    }
    return problems;
  });
}

t.test('docker-compose validates the stack with the example env file', async (t) => {
  const r = compose(DEPLOY, 'docker-compose.yml', '.env.example', 'config', '-q');
  t.equal(r.code, 0, r.err);
  t.equal(r.err, '', 'no warnings');
});

t.test('a broken copy is refused, naming the problem', async (t) => {
  const unknownKey = deployCopy((s) =>
    s.replace(
      '    image: drachtio/drachtio-server:0.9.10\n',
      '    image: drachtio/drachtio-server:0.9.10\n    restart_polcy: always\n',
    ),
  );
  const a = compose(unknownKey, 'docker-compose.yml', '.env.example', 'config', '-q');
  t.equal(a.code, 1);
  t.match(a.err, /Unsupported config option for services\.drachtio: 'restart_polcy'/);

  const badIndent = deployCopy((s) =>
    s.replace('    image: redis:7.4.2-alpine\n', '     image: redis:7.4.2-alpine\n'),
  );
  const b = compose(badIndent, 'docker-compose.yml', '.env.example', 'config', '-q');
  t.equal(b.code, 1);
  t.match(b.err, /while parsing a block mapping[\s\S]*line \d+, column \d+/);
});

t.test('a secret missing from the env file is refused by name', async (t) => {
  const dir = copyDeploy();
  const example = readFileSync(join(dir, '.env.example'), 'utf8');
  writeFileSync(join(dir, 'no-secret.env'), example.replace(/^DRACHTIO_SECRET=.*$/m, ''));
  const r = compose(dir, 'docker-compose.yml', 'no-secret.env', 'config', '-q');
  t.equal(r.code, 1);
  t.match(r.err, /set DRACHTIO_SECRET in config\/deploy\/\.env/);
});

t.test('every variable on the gateways and analytics is one the config reads', async (t) => {
  const stack = resolved(DEPLOY);
  t.same(
    gateways(stack).map(([name]) => name),
    ['gateway-1', 'gateway-2'],
  );
  t.equal(stack.services.analytics?.build?.context, REPO, 'analytics is built from the repo');
  t.same(unknownVariables(stack), [], 'no variable the config would ignore');
  for (const [name, s] of gateways(stack)) {
    const env = Object.fromEntries(
      Object.entries(s.environment ?? {}).map(([k, v]) => [k, v ?? '']),
    );
    t.doesNotThrow(() => loadConfig(env), `${name}: the config accepts its settings`);
  }
  const nodeIds = gateways(stack).map(([, s]) => s.environment?.NODE_ID);
  t.equal(new Set(nodeIds).size, nodeIds.length, 'a NODE_ID of its own per gateway');

  const misspelt = deployCopy((s) =>
    s.replace('      DIALPLAN_SOURCE: redis\n', '      DIALPLAN_SOURSE: redis\n'),
  );
  t.same(unknownVariables(resolved(misspelt)), ['gateway-2: DIALPLAN_SOURSE'], 'a typo, by name');
});

t.test('FreeSWITCH finds the media files where the gateways say they are', async (t) => {
  const stack = resolved(DEPLOY);
  t.same(mediaPathProblems(stack), [], 'recordings and voicemail at the same paths');

  const moved = deployCopy((s) =>
    s.replace(
      '      - recordings:/app/recordings\n      - voicemail:/app/voicemail\n      - ./prompts',
      '      - recordings:/recordings\n      - voicemail:/app/voicemail\n      - ./prompts',
    ),
  );
  const problems = mediaPathProblems(resolved(moved));
  t.match(problems, [/gateway-1: volume recordings at \/app\/recordings, in freeswitch elsewhere/]);
  t.ok(problems.some((p) => p.startsWith('gateway-2: RECORDING_DIR=/app/recordings')));
});

t.test('every file the stack mounts is in the repository', async (t) => {
  const stack = resolved(DEPLOY);
  const binds = Object.values(stack.services).flatMap((s) => mounts(s).filter((m) => m.bind));
  t.ok(binds.length >= 8, `${binds.length} bind mounts`);
  for (const m of binds) {
    t.ok(within(m.source, REPO), `${m.source} is inside the repository`);
    t.ok(existsSync(m.source), `${relative(REPO, m.source).split(sep).join('/')} exists`);
  }
});

t.test('every long-running service has a health check', async (t) => {
  const stack = resolved(DEPLOY);
  for (const [name, s] of Object.entries(stack.services)) {
    if (s.restart === 'no') continue;
    t.ok(s.healthcheck?.test, `${name} has a health check`);
  }
});

t.test('Prometheus scrapes exactly the stack gateways', async (t) => {
  const stack = resolved(DEPLOY);
  const prometheus = parse(readFileSync(join(DEPLOY, 'prometheus/prometheus.yml'), 'utf8')) as {
    rule_files: string[];
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };
  const job = prometheus.scrape_configs.find((c) => c.job_name === 'calltrack');
  const targets = job?.static_configs.flatMap((c) => c.targets) ?? [];
  t.same(
    targets.sort(),
    gateways(stack)
      .map(([name, s]) => `${name}:${s.environment?.HTTP_PORT ?? '9464'}`)
      .sort(),
  );
  t.same(prometheus.rule_files, ['/etc/prometheus/alerts.yml']);
  const alertsMount = mounts(stack.services.prometheus ?? {}).find(
    (m) => m.target === '/etc/prometheus/alerts.yml',
  );
  t.equal(alertsMount?.source, join(DEPLOY, 'prometheus/alerts.yml'));
});

t.test('Grafana reads the stack Prometheus and the dashboards folder', async (t) => {
  const stack = resolved(DEPLOY);
  const grafana = join(DEPLOY, 'grafana');
  const sources = parse(
    readFileSync(join(grafana, 'provisioning/datasources/prometheus.yml'), 'utf8'),
  );
  t.match(sources.datasources, [
    { uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' },
  ]);
  const boards = parse(
    readFileSync(join(grafana, 'provisioning/dashboards/calltrack.yml'), 'utf8'),
  );
  const path = boards.providers[0].options.path;
  const mounted = mounts(stack.services.grafana ?? {}).find((m) => m.target === path);
  t.equal(mounted?.source, join(grafana, 'dashboards'), 'the provider reads the mounted folder');
  t.ok(JSON.parse(readFileSync(join(grafana, 'dashboards/calltrack.json'), 'utf8')).uid);
});

t.test('each component reaches Redis as its own user of the rendered ACL file', async (t) => {
  const stack = resolved(DEPLOY);
  const redis = stack.services.redis;
  t.match(redis?.command, ['redis-server', '--appendonly', 'yes', '--aclfile', '/acl/users.acl']);
  t.notMatch(JSON.stringify(redis?.command), /requirepass/, 'no shared password');
  const rendered = stack.services['redis-acl'];
  t.match(rendered?.command, [
    'node',
    'dist/src/cli/main.js',
    'redis-acl',
    '--out',
    '/acl/users.acl',
  ]);
  const acl = mounts(rendered ?? {}).find((m) => m.target === '/acl')?.source;
  t.ok(acl, 'redis-acl writes into a volume');
  t.equal(mounts(redis ?? {}).find((m) => m.target === '/acl')?.source, acl, 'that Redis reads');
  const userOf = (url: string | null | undefined) => {
    const u = new URL(url ?? '');
    const password = rendered?.environment?.[PASSWORD_VARS[u.username as AclUser]];
    return password === decodeURIComponent(u.password) ? u.username : `${u.username} (password?)`;
  };
  for (const [name, s] of gateways(stack)) {
    t.equal(userOf(s.environment?.REDIS_URL), 'gateway', `${name}: REDIS_URL`);
    t.equal(userOf(s.environment?.ADMIN_REDIS_URL), 'admin-api', `${name}: ADMIN_REDIS_URL`);
    t.equal(userOf(s.environment?.BILLING_REDIS_URL), 'billing', `${name}: BILLING_REDIS_URL`);
  }
  t.equal(userOf(stack.services.analytics?.environment?.REDIS_URL), 'analytics');
});
