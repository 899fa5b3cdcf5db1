// `npm run standin -- --sip 127.0.0.1:5090 --admin 127.0.0.1:9022 --secret cymru [--t1 ms]
// [--t2 ms] [--trace file.jsonl]`: runs the stand-in until SIGTERM/SIGINT, prints one ready line.
import { parseArgs } from 'node:util';
import { start } from './index.js';

interface HostPort {
  host: string;
  port: number;
}

function hostPort(value: string, flag: string): HostPort {
  const m = /^(.+):(\d+)$/.exec(value);
  if (!m?.[1] || !m[2]) throw new Error(`${flag} expects host:port, got '${value}'`);
  return { host: m[1], port: Number(m[2]) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sip: { type: 'string', default: '127.0.0.1:5060' },
      admin: { type: 'string', default: '127.0.0.1:9022' },
      secret: { type: 'string' },
      t1: { type: 'string' },
      t2: { type: 'string' },
      trace: { type: 'string' },
    },
  });
  if (!values.secret) throw new Error('--secret is required');
  const sip = hostPort(values.sip, '--sip');
  const admin = hostPort(values.admin, '--admin');
  const standin = await start({
    sipPort: sip.port,
    adminPort: admin.port,
    host: sip.host,
    adminHost: admin.host,
    secret: values.secret,
    ...(values.t1 ? { t1: Number(values.t1) } : {}),
    ...(values.t2 ? { t2: Number(values.t2) } : {}),
    ...(values.trace ? { traceFile: values.trace } : {}),
  });
  const { sipAddress: s, adminAddress: a } = standin;
  console.log(
    `drachtio stand-in ready: sip udp/${s.address}:${s.port} admin tcp/${a.address}:${a.port}`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    standin.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // `npm run` does not pass SIGTERM on to the script; stop as well when the parent goes away.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 500).unref();
}

main().catch((err: unknown) => {
  console.error(`drachtio stand-in: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
