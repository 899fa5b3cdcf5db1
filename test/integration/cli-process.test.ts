/** The `calltrack` command as a process: exit codes and output streams as scripts see them. */
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { BAD_CIDR_AND_NAME_TWICE, carriersFile } from '../helpers/carriers.js';

function calltrack(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DEFAULT_COUNTRY: 'DE' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

t.test('validate: 0 on the samples, 1 with one line per error on stdout', async (t) => {
  t.match(calltrack('validate', 'dialplans'), { code: 0, out: /^dialplans: valid/ });
  const bad = calltrack('validate', 'test/fixtures/dialplans/several-errors-in-one-file');
  t.equal(bad.code, 1);
  t.equal(bad.out.trim().split('\n').length, 7);
  t.match(bad.err, /7 error\(s\)/);
});

t.test(
  'validate --carriers: 0 on the shipped file, 1 with file:line:col per error, 2 unreadable',
  async (t) => {
    t.match(calltrack('validate', '--carriers', 'config/carriers.yaml'), {
      code: 0,
      out: /^config\/carriers\.yaml: valid \(1 carrier: local\)$/m,
    });
    const file = carriersFile(t, BAD_CIDR_AND_NAME_TWICE);
    const bad = calltrack('validate', '--carriers', file);
    t.equal(bad.code, 1, 'a broken file: exit 1');
    t.match(bad.err, /2 error\(s\) in /);
    const lines = bad.out.trim().split('\n');
    t.equal(lines.length, 2, bad.out);
    for (const line of lines) t.match(line, new RegExp(`^${file}:\\d+:\\d+: `), 'file:line:col');
    t.match(calltrack('validate', '--carriers', '/nonexistent/carriers.yaml'), {
      code: 2,
      err: /cannot read \/nonexistent\/carriers\.yaml/,
    });
  },
);

t.test('lookup prints the decision as JSON', async (t) => {
  const r = calltrack('lookup', 'tel:+49-30-2555-0101', '--dialplans', 'dialplans');
  t.equal(r.code, 0, r.err);
  t.match(JSON.parse(r.out), { kind: 'forward', number: '+493025550101', source: 'mobile.de' });
  t.match(JSON.parse(calltrack('lookup', '+41445551234').out), {
    reason: 'not-de-at',
    sipStatus: 404,
  });
});

t.test(
  'lookup and numbers read the (0) form, and refuse an ambiguous number with why',
  async (t) => {
    const r = calltrack('lookup', '+49 (0)30 2555 0101', '--dialplans', 'dialplans');
    t.equal(r.code, 0, r.err);
    t.match(JSON.parse(r.out), { kind: 'forward', number: '+493025550101' });
    for (const [raw, why] of [
      ['+49 030 2555 0101', /a 0 right after the country code \+49 or \+43/],
      ['0049 30 (0)2555 0101', /'\(0\)' may stand only right after the country code/],
      ['(0)30 2555 0101', /'\(0\)' without a country code/],
    ] as const) {
      const bad = calltrack('lookup', raw, '--dialplans', 'dialplans');
      t.equal(bad.code, 2, `${raw}: exit 2`);
      t.equal(bad.out, '', 'no decision printed');
      t.match(bad.err, `number '${raw}' is ambiguous`);
      t.match(bad.err, why);
    }
    const numbers = calltrack(
      'numbers',
      'deactivate',
      '+49030 2555 0101',
      '--dialplans',
      'dialplans',
    );
    t.match(numbers, { code: 2, err: /number '\+49030 2555 0101' is ambiguous: a 0 right after/ });
  },
);

t.test('usage errors exit 2 and say what is wrong', async (t) => {
  t.match(calltrack(), { code: 2, out: /usage: calltrack/ });
  t.match(calltrack('frobnicate'), { code: 2, err: /unknown command 'frobnicate'/ });
  t.match(calltrack('validate', '--bogus'), { code: 2, err: /Unknown option '--bogus'/ });
  t.match(calltrack('lookup'), { code: 2, err: /usage: calltrack lookup/ });
  t.match(calltrack('numbers', 'explode'), { code: 2, err: /calltrack numbers deactivate/ });
  t.match(calltrack('numbers', 'deactivate', '+493025550101', '--today', '22.11.2026'), {
    code: 2,
    err: /--today '22\.11\.2026' is not a date/,
  });
  const env = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'validate'], {
    encoding: 'utf8',
    env: { ...process.env, DEFAULT_COUNTRY: 'FR' },
  });
  t.equal(env.status, 2);
  t.match(
    env.stderr,
    /DEFAULT_COUNTRY \(defaultCountry\): 'defaultCountry' must be one of "DE", "AT", not "FR"/,
  );
});
