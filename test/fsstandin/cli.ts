// `node --import tsx test/fsstandin/cli.ts --sip 127.0.0.1:5080 --esl 127.0.0.1:8021 --secret
// ClueCon [--heartbeat ms] [--files a.wav,b.wav] [--record-dir dir] [--no-srtp] [--trace f.jsonl]`:
// runs the FreeSWITCH stand-in until SIGTERM/SIGINT, prints one ready line.
import { parseArgs } from 'node:util';
import { hostPort, runStandin } from '../helpers/standin-cli.js';
import { start } from './index.js';

async function main() {
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
  return {
    ready: `sip udp/${s.address}:${s.port} esl tcp/${e.address}:${e.port} recordings ${fs.recordDir}`,
    close: () => fs.close(),
  };
}

runStandin('freeswitch stand-in', main);
