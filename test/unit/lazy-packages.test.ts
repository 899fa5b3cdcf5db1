/**
 * Packages only some deployments use (public holidays, voicemail mail, FreeSWITCH, the pretty
 * log) load at their first use, not with the modules that name them: ~14 MB of live heap that
 * every major GC would mark on a gateway that never uses them (issue 16). Each still works once
 * used, synchronously as before.
 */
import { readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
import t from 'tap';
import { DAY_MS } from '../../src/hours/zone-clock.js';

// what `import` resolves (ESM goes through the module hooks, which run in a thread of their own
// and report here), and what `require` loaded (CommonJS has its cache)
const imported: string[] = [];
const { port1, port2 } = new MessageChannel();
let awaited: { url: string; seen: () => void } | undefined;
port1.on('message', (url: string) => {
  imported.push(url);
  if (url === awaited?.url) awaited.seen();
});
t.teardown(() => port1.close());
const HOOK = `let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  port.postMessage(r.url);
  return r;
}`;
register(`data:text/javascript,${encodeURIComponent(HOOK)}`, {
  data: { port: port2 },
  transferList: [port2],
});
const cache = createRequire(import.meta.url).cache;
const loaded = (pkg: string) =>
  [...Object.keys(cache), ...imported].some((file) => file.includes(`/node_modules/${pkg}/`));
/**
 * The hook thread's messages arrive after the imports they tell of, in order: once a marker
 * imported last is told of, every import before it has been.
 */
let markers = 0;
async function settled(): Promise<void> {
  const url = `data:text/javascript,export default ${++markers}`;
  const seen = new Promise<void>((resolve) => {
    awaited = { url, seen: resolve };
  });
  await import(url);
  await seen;
}
const LAZY = ['date-holidays', 'nodemailer', 'drachtio-fsmrf', 'drachtio-modesl', 'pino-pretty'];

t.test('the gateway starts without any of them', async (t) => {
  // every module src/main.ts imports (main itself would start a gateway), and so all it imports
  const main = readFileSync(new URL('../../src/main.ts', import.meta.url), 'utf8');
  const modules = [...main.matchAll(/^import [^;]* from '\.\/([^']+)';$/gm)].map((m) => m[1]!);
  t.ok(modules.includes('voicemail/start.js') && modules.length > 20, 'the start graph is read');
  for (const m of modules) await import(`../../src/${m}`);
  await settled();
  t.ok(loaded('yaml'), 'the hook sees what is imported');
  for (const pkg of LAZY) t.notOk(loaded(pkg), `${pkg} is not loaded`);
});

t.test('each loads at its first use and works', async (t) => {
  const holidays = await import('../../src/hours/holidays.js');
  t.equal(holidays.regionProblem('DE-BY'), undefined, 'a known state is accepted');
  t.match(holidays.regionProblem('DE-XX'), /DE has no state 'XX'/, 'an unknown one is refused');
  t.ok(loaded('date-holidays'));
  // 2026-10-26, Nationalfeiertag in Austria
  t.equal(
    holidays.holidayCalendar('AT').nameOn(Date.UTC(2026, 9, 26) / DAY_MS),
    'Nationalfeiertag',
  );

  const { smtpSender } = await import('../../src/voicemail/smtp.js');
  smtpSender('smtp://127.0.0.1:9', 'gateway@example.test', 100).close();
  t.ok(loaded('nodemailer'));

  const { createMrf } = await import('../../src/media/fsmrf-types.js');
  t.ok(createMrf({}), 'a Mrf is made');
  t.ok(loaded('drachtio-fsmrf'));

  const { logDestination } = await import('../../src/observability/log-format.js');
  t.ok(logDestination('pretty', false, process.stderr), 'the prettifier is made');
  t.ok(loaded('pino-pretty'));
});
