/**
 * The validators `npm run build` writes as code (src/schema/build-validators.ts) against the same
 * schemas compiled at run time: the same verdict and the same sentences for every dialplan
 * fixture and for configs broken in each way the schema refuses; a built validator is used only
 * when made of the schema text the file holds now.
 */
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import t from 'tap';
import { parseYaml } from '../../src/dialplan/parse.js';
import { builtName, describeErrors, schemaValidator } from '../../src/schema/ajv.js';
import { buildValidators } from '../../src/schema/build-validators.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** A directory of built validators; they require ajv's runtime, found as in dist/. */
function validatorsDir(prefix: string): string {
  const dir = tempDir(prefix);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

const built = validatorsDir('calltrack-validators-');
const names = buildValidators(built);
const none = join(built, 'none');

/** Both verdicts with their sentences, built first. */
function both(name: string, doc: unknown) {
  return [schemaValidator(name, built), schemaValidator(name, none)].map((validate) => ({
    valid: validate(doc),
    problems: describeErrors(validate.errors),
  }));
}

t.test('a module for every schema, each used as it is', async (t) => {
  t.same(names.sort(), [
    'admin-tokens.schema.json',
    'carriers.schema.json',
    'config.schema.json',
    'dialplan.schema.json',
  ]);
  for (const name of names)
    t.equal(
      schemaValidator(name, built),
      createRequire(import.meta.url)(join(built, builtName(name))),
      `${name}: the built module`,
    );
});

t.test('every dialplan fixture: the same verdict and sentences', async (t) => {
  const root = join(ROOT, 'test', 'fixtures', 'dialplans');
  let invalid = 0;
  for (const dir of readdirSync(root))
    for (const file of readdirSync(join(root, dir))) {
      const parsed = parseYaml(file, readFileSync(join(root, dir, file), 'utf8'));
      if (!parsed.ok) continue;
      const [fromBuild, compiled] = both('dialplan.schema.json', parsed.doc);
      t.same(fromBuild, compiled, `${dir}/${file}`);
      if (!compiled?.valid) invalid++;
    }
  t.ok(invalid >= 2, `${invalid} of them refused by the schema, each with its sentences`);
});

t.test('configs broken in each way: the same verdict and sentences', async (t) => {
  const defaults = JSON.parse(readFileSync(join(ROOT, 'config', 'default.json'), 'utf8'));
  const broken: Record<string, (c: Record<string, Record<string, unknown>>) => void> = {
    'as shipped': () => undefined,
    'a number out of range': (c) => {
      c.media = { ...c.media, maxPendingAnchors: 0 };
    },
    'a string for a number': (c) => {
      c.media = { ...c.media, anchorTimeoutMs: 'soon' };
    },
    'an unknown key': (c) => {
      c.media = { ...c.media, anchorTimeout: 2000 };
    },
    'a pattern not matched': (c) => {
      c.media = { ...c.media, servers: ['fs1'] };
    },
    'a required key missing': (c) => {
      const { listenAddress: _, ...media } = c.media ?? {};
      c.media = media;
    },
  };
  for (const [what, breakIt] of Object.entries(broken)) {
    const config = structuredClone(defaults);
    breakIt(config);
    const [fromBuild, compiled] = both('config.schema.json', config);
    t.same(fromBuild, compiled, what);
    t.equal(compiled?.valid, what === 'as shipped', `${what}: ${compiled?.problems[0]?.message}`);
  }
});

t.test('a module made of other schema text is not used: the schema is compiled', async (t) => {
  const stale = validatorsDir('calltrack-validators-stale-');
  buildValidators(stale);
  const file = join(stale, builtName('carriers.schema.json'));
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace(/schemaHash = "[0-9a-f]+"/, 'schemaHash = "0"'),
  );
  const validate = schemaValidator('carriers.schema.json', stale);
  t.not(validate, createRequire(import.meta.url)(file), 'not the stale module');
  t.equal(validate({ version: 1, carriers: [] }), true, 'a working validator all the same');
  t.equal(validate({ version: 2, carriers: [] }), false);
});
