// `npm run standin -- --sip 127.0.0.1:5090 --admin 127.0.0.1:9022 --secret cymru [--t1 ms]
// [--t2 ms] [--min-se s] [--session-timer-jitter ms] [--session-timer-refresher none|uac|uas]
// [--trace file.jsonl]`: runs the stand-in until SIGTERM/SIGINT, prints one ready line.
import { parseArgs } from 'node:util';
import { hostPort, runStandin } from '../helpers/standin-cli.js';
import { start } from './index.js';

async function main() {
  const { values } = parseArgs({
    options: {
      sip: { type: 'string', default: '127.0.0.1:5060' },
      admin: { type: 'string', default: '127.0.0.1:9022' },
      secret: { type: 'string' },
      t1: { type: 'string' },
      t2: { type: 'string' },
      'min-se': { type: 'string' },
      'session-timer-jitter': { type: 'string' },
      'session-timer-refresher': { type: 'string' },
      trace: { type: 'string' },
    },
  });
  if (!values.secret) throw new Error('--secret is required');
  const refresher = values['session-timer-refresher'];
  if (refresher !== undefined && !['none', 'uac', 'uas'].includes(refresher))
    throw new Error(`--session-timer-refresher expects none, uac or uas, got '${refresher}'`);
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
    ...(values['min-se'] ? { minSE: Number(values['min-se']) } : {}),
    ...(values['session-timer-jitter']
      ? { sessionTimerJitter: Number(values['session-timer-jitter']) }
      : {}),
    ...(refresher ? { sessionTimerDefaultRefresher: refresher as 'none' | 'uac' | 'uas' } : {}),
    ...(values.trace ? { traceFile: values.trace } : {}),
  });
  const { sipAddress: s, adminAddress: a } = standin;
  return {
    ready: `sip udp,tcp/${s.address}:${s.port} admin tcp/${a.address}:${a.port}`,
    close: () => standin.close(),
  };
}

runStandin('drachtio stand-in', main);
