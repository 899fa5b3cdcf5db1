/**
 * The gateway's unhandled-rejection handler, in a real Node process (only a process shows what
 * Node does after the handler): a drachtio-srf ENODIALOG rejection nobody awaited (drachtio-fsmrf
 * sends such a BYE when FreeSWITCH died between answering and connecting its event socket; found
 * by `npm run bench -- faults`, freeswitch-kill) is logged and the process lives on; any other
 * unhandled rejection still ends it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { isDialogGone } from '../../src/sip/stray-rejections.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** Installs the handler as src/main.ts does, rejects with `code` unawaited, then says "alive". */
function run(code: string) {
  const script = `
    import { createLogger } from './src/observability/logger.ts';
    import { strayRejectionHandler } from './src/sip/stray-rejections.ts';
    process.on('unhandledRejection', strayRejectionHandler(createLogger('info')));
    const err = Object.assign(new Error('Server error: unable to find dialog for dialog id provided'), { code: ${JSON.stringify(code)} });
    void Promise.reject(err);
    setTimeout(() => console.log('alive'), 100);
  `;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 20_000,
  });
}

t.test('ENODIALOG unawaited: logged as a warning, the process lives on', async (t) => {
  const r = run('ENODIALOG');
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /"level":40[^\n]*ENODIALOG[^\n]*no longer has: ignored/);
  t.match(r.stdout, /\nalive\n$/);
});

t.test('any other unhandled rejection still ends the process', async (t) => {
  const r = run('EDRACHTIO');
  t.not(r.status, 0);
  t.notMatch(r.stdout, /alive/);
  t.match(r.stderr, /unable to find dialog/);
});

t.test('only an Error with code ENODIALOG counts as a dialog gone', async (t) => {
  t.ok(isDialogGone(Object.assign(new Error('x'), { code: 'ENODIALOG' })));
  t.notOk(isDialogGone(new Error('unable to find dialog')));
  t.notOk(isDialogGone({ code: 'ENODIALOG' }));
  t.notOk(isDialogGone(undefined));
});
