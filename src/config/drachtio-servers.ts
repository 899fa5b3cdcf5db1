/**
 * Which drachtio-servers the gateway connects to: DRACHTIO (`host:port,host:port`) or the
 * one-server form DRACHTIO_HOST/DRACHTIO_PORT, never both. Every server gets the one secret
 * DRACHTIO_SECRET: a list variable ends up in `ps`, compose files and logs far more often than a
 * secret should, and servers of one deployment share their admin secret anyway (README, "Many
 * gateways × many drachtio-servers"). Pure: checked once at config load, every problem named.
 */

export type DrachtioTarget = {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
};

export type DrachtioSettings = {
  host: string;
  port: number;
  secret: string;
  servers?: readonly string[];
};

export type DrachtioCheck = { targets: DrachtioTarget[]; problems: string[] };

/** `host:port`, `[v6]:port`; the port is required (one typo should not pick drachtio's default). */
const ENTRY = /^(?:\[(?<v6>[0-9a-fA-F:.]+)\]|(?<host>[^\s:[\]]+)):(?<port>[^:]*)$/;

/**
 * `listSet`: DRACHTIO was set (even to a list of blanks); `singleSet`: DRACHTIO_HOST or
 * DRACHTIO_PORT was set, by name (`DRACHTIO_HOST`).
 */
export function drachtioTargets(
  d: DrachtioSettings,
  listSet: boolean,
  singleSet: readonly string[],
): DrachtioCheck {
  if (!listSet)
    return { targets: [{ host: d.host, port: d.port, secret: d.secret }], problems: [] };
  const problems: string[] = [];
  if (singleSet.length > 0)
    problems.push(
      `DRACHTIO: set together with ${singleSet.join(' and ')}; use DRACHTIO for one or more servers, or DRACHTIO_HOST/DRACHTIO_PORT for one, not both`,
    );
  const entries = d.servers ?? [];
  if (entries.length === 0)
    problems.push('DRACHTIO: the list is empty; name at least one drachtio-server as host:port');
  const targets: DrachtioTarget[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') {
      problems.push(`DRACHTIO: '${entry}' ${parsed}`);
      continue;
    }
    const key = `${parsed.host.toLowerCase()}:${parsed.port}`;
    if (seen.has(key)) {
      // two connections to one server would take turns at its INVITEs as two gateways do
      problems.push(`DRACHTIO: '${entry}' is listed twice`);
      continue;
    }
    seen.add(key);
    targets.push({ ...parsed, secret: d.secret });
  }
  return { targets, problems };
}

function parseEntry(entry: string): { host: string; port: number } | string {
  const m = ENTRY.exec(entry);
  if (!m?.groups) return 'is not host:port (IPv6 as [address]:port)';
  const host = m.groups.v6 ?? m.groups.host ?? '';
  const text = m.groups.port ?? '';
  const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) return `has a bad port '${text}' (1-65535)`;
  return { host, port };
}

/** How a server is named in metrics (label `server`), logs and /readyz detail. */
export function serverName(target: { host: string; port: number }): string {
  return target.host.includes(':')
    ? `[${target.host}]:${target.port}`
    : `${target.host}:${target.port}`;
}
