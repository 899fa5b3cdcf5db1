/**
 * The carriers file (CARRIERS_FILE): YAML, checked against config/schema/carriers.schema.json
 * and then for what a schema cannot say (addresses that parse, names and networks that belong to
 * one carrier only). Every problem is listed at once as `file:line:col: message`; the result is
 * frozen.
 */
import { BlockList } from 'node:net';
import type { Issue } from '../dialplan/types.js';
import { type Carrier, parseCidr } from '../edge/carriers.js';
import { parseCheckedYaml, readConfigFile } from './yaml-file.js';

type CarriersDoc = { version: 1; carriers: Carrier[] };

export function loadCarriers(file: string): readonly Carrier[] {
  return parseCarriers(file, readConfigFile('CARRIERS_FILE', file));
}

export function parseCarriers(file: string, text: string): readonly Carrier[] {
  return parseCheckedYaml<CarriersDoc>(file, text, 'carriers.schema.json', (doc) =>
    checkCarriers(file, doc.carriers),
  ).carriers;
}

type Net = {
  carrier: string;
  text: string;
  list: BlockList;
  cidr: NonNullable<ReturnType<typeof parseCidr>>;
};

/** Addresses that parse, one carrier per name, and no network in two carriers (which would win?). */
function checkCarriers(file: string, carriers: readonly Carrier[]): Issue[] {
  const issues: Issue[] = [];
  const names = new Map<string, number>();
  const nets: Net[] = [];
  carriers.forEach((carrier, i) => {
    const first = names.get(carrier.name);
    if (first !== undefined)
      issues.push({
        file,
        path: ['carriers', i, 'name'],
        message: `carrier '${carrier.name}' is already defined (entry ${first + 1}); one entry per carrier`,
      });
    else names.set(carrier.name, i);
    carrier.cidrs.forEach((text, k) => {
      const at = { file, path: ['carriers', i, 'cidrs', k] };
      const cidr = parseCidr(text);
      if (!cidr) {
        issues.push({ ...at, message: `'${text}' is not an IP address or CIDR range` });
        return;
      }
      const clash = nets.find((n) => n.carrier !== carrier.name && overlaps(n, cidr));
      if (clash)
        issues.push({
          ...at,
          message: `${text} overlaps ${clash.text} of carrier '${clash.carrier}'; a source address belongs to one carrier`,
        });
      const list = new BlockList();
      list.addSubnet(cidr.address, cidr.prefix, cidr.family);
      nets.push({ carrier: carrier.name, text, list, cidr });
    });
  });
  return issues;
}

/** Two networks overlap when one holds the other's first address. */
function overlaps(a: Net, b: Net['cidr']): boolean {
  if (a.cidr.family !== b.family) return false;
  const other = new BlockList();
  other.addSubnet(b.address, b.prefix, b.family);
  return a.list.check(b.address, b.family) || other.check(a.cidr.address, a.cidr.family);
}
