/**
 * `calltrack validate` over the fixtures under test/fixtures/dialplans, each named by the error it
 * carries: exit 1 and exactly the expected `file:line:col: message` lines; the good ones exit 0.
 */
import t from 'tap';
import { cli } from '../helpers/cli-io.js';

const DIR = 'test/fixtures/dialplans';

t.test('the shipped samples and the minimal fixture are valid', async (t) => {
  for (const dir of ['dialplans', `${DIR}/valid-minimal`, `${DIR}/valid-tls-destination`]) {
    const r = await cli(['validate', dir]);
    t.equal(r.code, 0, dir);
    t.match(r.out.join('\n'), /valid \(\d+ files, \d+ customers/);
  }
});

const expected: Record<string, RegExp[]> = {
  'not-de-at': [
    /^numbers\.yaml:3:13: \+41445551234 is not in the German \(\+49\) or Austrian \(\+43\) number range/,
  ],
  'outside-seat-area-code': [
    /^numbers\.yaml:4:13: \+498925550101 is in area code 089 \(DE\), but customer 'autohaus-berlin' has its seat in area code 030/,
  ],
  'number-in-two-files': [
    /^b\.yaml:8:13: \+493025550101 already belongs to customer 'autohaus-berlin' at a\.yaml:3: a number belongs to one customer$/,
  ],
  'reassigned-in-quarantine': [
    /^numbers\.yaml:7:13: \+493025550101 was deactivated on 2026-09-30 and may not be active again before 2027-03-30 \(6-month quarantine\)$/,
  ],
  'bad-destination': [
    /^numbers\.yaml:8:13: destination 'http:\/\/pbx\.example\/verkauf' is neither an E\.164 number/,
  ],
  'bad-transport': [
    /^numbers\.yaml:8:13: destination 'sip:verkauf@pbx\.example;transport=tpc' has the parameter ';transport=tpc': only ;transport=udp\|tcp\|tls is allowed$/,
    /^numbers\.yaml:10:54: destination 'sips:b@pbx\.example;transport=udp' asks for sips: over UDP$/,
    /^numbers\.yaml:17:13: destination 'sip:verkauf@pbx\.example;transport=ws' has the parameter ';transport=ws': only ;transport=udp\|tcp\|tls is allowed$/,
  ],
  'schema-violation': [
    /^numbers\.yaml:6:13: 'status' must be one of "active", "deactivated", not "activ"$/,
  ],
  'yaml-syntax-error': [/^numbers\.yaml:6:5: YAML: /],
  'number-with-trunk-zero': [
    /^numbers\.yaml:3:13: 'number' must be an E\.164 number: .*; write '\+49 \(0\)30 25550101' as '\+493025550101'$/,
    /^numbers\.yaml:8:13: destination '\+49 030 89001234' is not an E\.164 number: '\+49 030 89001234' is ambiguous: a 0 right after the country code \+49 or \+43 is a national trunk prefix/,
    /^numbers\.yaml:10:13: 'number' must be an E\.164 number: .*; '\+49 30 \(0\)25550102' is ambiguous: '\(0\)' may stand only right after the country code/,
  ],
  'bad-edge-options': [
    /^customers\.yaml:6:21: 'trackingHeader' must be one of "none", "history-info", "diversion", not "history_info"$/,
    /^numbers\.yaml:11:27: 'maxConcurrentCalls' must be a whole number of calls from 1 to 10000 \(counted per gateway node\)$/,
  ],
  'bad-business-hours': [
    /^customers\.yaml:8:17: holidays 'DE-BX': DE has no state 'BX' \(states: BB, BE, BW, BY, /,
    /^numbers\.yaml:3:13: \+493025550101 takes the closed action voicemail of customer 'autohaus-berlin' \(customers\.yaml:9\) but has no options\.voicemail/,
    /^numbers\.yaml:12:19: timezone 'Europe\/Berlim' is not an IANA time zone/,
    /^numbers\.yaml:15:13: interval fri 17:00-02:00 overlaps mon-fri 08:00-18:00 \(numbers\.yaml:14\) from fri 17:00/,
  ],
  'several-errors-in-one-file': [
    /^numbers\.yaml:3:13: \+41445551234 is not in the German/,
    /^numbers\.yaml:9:22: 'ringTimeout' must be a whole number of seconds from 1 to 180: drachtio-server's SIP stack cancels a dealer's INVITE 185 s after its last 18x \(timer C\), whatever the ring timeout$/,
    /^numbers\.yaml:10:13: 'number' must be a string, not number \(put numbers and area codes in quotes/,
    /^numbers\.yaml:11:15: customer 'autohaus-nowhere' is not defined in any dialplan file$/,
    /^numbers\.yaml:15:13: destination 'sip:@' /,
    /^numbers\.yaml:17:13: \+498925550101 is in area code 089/,
    /^numbers\.yaml:21:5: unknown field 'ringtimeout' \(allowed here: number, customer, source, status/,
  ],
};

for (const [fixture, lines] of Object.entries(expected)) {
  t.test(`${fixture}: exit 1 with file:line:col of every error`, async (t) => {
    const dir = `${DIR}/${fixture}`;
    const r = await cli(['validate', dir]);
    t.equal(r.code, 1);
    t.equal(r.out.length, lines.length, `${lines.length} error line(s): ${r.out.join(' | ')}`);
    lines.forEach((re, i) => {
      const line = r.out[i] ?? '';
      t.ok(line.startsWith(`${dir}/`), 'the file is named with its directory');
      t.match(line.slice(dir.length + 1), re);
    });
    t.match(r.err.join('\n'), new RegExp(`${lines.length} error\\(s\\) in ${dir}`));
  });
}

t.test('quarantine is judged by the injected clock', async (t) => {
  const r = await cli(['validate', `${DIR}/reassigned-in-quarantine`], '2027-04-01T00:00:00Z');
  t.equal(r.code, 1, 'still refused: the activation date lies inside the quarantine');
  t.match(r.out[0], /may not be active again before 2027-03-30/);
});

t.test('a directory that does not exist is a usage error, not a crash', async (t) => {
  const r = await cli(['validate', 'test/fixtures/no-such-dir']);
  t.equal(r.code, 2);
  t.match(r.err.join('\n'), /cannot read dialplan directory test\/fixtures\/no-such-dir: ENOENT/);
});
