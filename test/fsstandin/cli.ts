// `node --import tsx test/fsstandin/cli.ts --sip 127.0.0.1:5080 --esl 127.0.0.1:8021 --secret
// ClueCon [--heartbeat ms] [--files a.wav,b.wav] [--record-dir dir] [--no-srtp] [--trace f.jsonl]`:
// runs the FreeSWITCH stand-in until SIGTERM/SIGINT, prints one ready line.
import { parseArgs } from 'node:util';
import { start } from './index.js';

function hostPort(value: string, flag: string): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(value);
  if (!m?.[1] || !m[2]) throw new Error(`${flag} expects host:port, got '${value}'`);
  return { host: m[1], port: Number(m[2]) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sip: { type: 'string', default: '127.0.0.1:5080' },
      esl: { type: 'string', default: '127.0.0.1:8021' },
      secret: { type: 'string', default: 'ClueCon' },
      heartbeat: { type: 'string' },
      files: { type: 'string' },
      'record-dir': { type: 'string' },
      'no-srtp': { type: 'boolean', default: false },
      trace: { type: 'string' },
    },
  });
  const sip = hostPort(values.sip, '--sip');
  const esl = hostPort(values.esl, '--esl');
  if (sip.host !== esl.host) throw new Error('--sip and --esl must use the same host');
  const fs = await start({
    host: sip.host,
    sipPort: sip.port,
    eslPort: esl.port,
    secret: values.secret,
    srtpOffer: !values['no-srtp'],
    ...(values.heartbeat ? { heartbeatMs: Number(values.heartbeat) } : {}),
    ...(values.files ? { files: values.files.split(',') } : {}),
    ...(values['record-dir'] ? { recordDir: values['record-dir'] } : {}),
    ...(values.trace ? { traceFile: values.trace } : {}),
  });
  const { sipAddress: s, eslAddress: e } = fs;
  console.log(
    `freeswitch stand-in ready: sip udp/${s.address}:${s.port} esl tcp/${e.address}:${e.port} recordings ${fs.recordDir}`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    fs.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 500).unref();
}

main().catch((err: unknown) => {
  console.error(`freeswitch stand-in: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
