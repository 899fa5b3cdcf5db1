/**
 * Where a V8 `.cpuprofile` (node --cpu-prof) spent its time: self time per function, summed over
 * every call path it was sampled on. Read straight from the JSON (nodes with callFrame and
 * hitCount, samples with their timeDeltas), so no profiler UI is needed on a headless box.
 */

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  /** µs */
  startTime: number;
  endTime: number;
  /** The node id of each sample, in order. */
  samples?: number[];
  /** µs before each sample. */
  timeDeltas?: number[];
}

export interface SelfTime {
  /** `(anonymous)` for a nameless function; V8's `(garbage collector)`, `(program)` as named. */
  fn: string;
  /** `path:line` (1-based), the path shortened to what follows `node_modules/` or the root. */
  where: string;
  selfMs: number;
  /** Share of the busy time: all samples but `(idle)`. */
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  busyMs: number;
  top: SelfTime[];
}

/**
 * Each sample's time is the gap to the next sample (the last one's, to `endTime`), as Chrome's
 * profiler counts it; a profile without samples falls back to hit counts spread evenly.
 */
function selfMicros(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  if (samples?.length && timeDeltas?.length === samples.length) {
    let at = profile.startTime;
    const stamps = timeDeltas.map((d) => {
      at += d;
      return at;
    });
    samples.forEach((id, i) => {
      const next = stamps[i + 1] ?? profile.endTime;
      self.set(id, (self.get(id) ?? 0) + Math.max(0, next - stamps[i]!));
    });
    return self;
  }
  const hits = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
  const each = hits ? (profile.endTime - profile.startTime) / hits : 0;
  for (const node of profile.nodes) self.set(node.id, (node.hitCount ?? 0) * each);
  return self;
}

function shortPath(url: string, root: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) return path.slice(modules + 'node_modules/'.length);
  return root && path.startsWith(root) ? path.slice(root.length).replace(/^\//, '') : path;
}

/** The `n` functions with the most self time; `root` is cut from paths of the project's files. */
export function summarise(profile: CpuProfile, n: number, root = ''): ProfileSummary {
  const micros = selfMicros(profile);
  const byFunction = new Map<string, { fn: string; where: string; us: number }>();
  let idle = 0;
  let total = 0;
  for (const node of profile.nodes) {
    const us = micros.get(node.id) ?? 0;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    const where = url ? `${shortPath(url, root)}:${lineNumber + 1}` : '';
    const key = `${functionName}\u0000${where}`;
    const entry = byFunction.get(key) ?? { fn: functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
  }
  const busy = total - idle;
  const top = [...byFunction.values()]
    .filter((e) => e.us > 0)
    .sort((a, b) => b.us - a.us)
    .slice(0, n)
    .map((e) => ({ fn: e.fn, where: e.where, selfMs: e.us / 1000, share: busy ? e.us / busy : 0 }));
  return { totalMs: total / 1000, idleMs: idle / 1000, busyMs: busy / 1000, top };
}

export interface Owner {
  /** A package (`drachtio-srf`), a project file (`dist/src/call/handle-invite.js`), or V8's own. */
  owner: string;
  ms: number;
  share: number;
}

/**
 * Busy time by who caused it: each sample goes to the innermost frame on its stack that is a
 * package or a project file, so a socket write counts for the library that wrote, and Node's
 * internals for whoever called them. Compares two apps on one library (the gateway against the
 * bare B2BUA on drachtio-srf) where self time alone hides what each app made the library do.
 */
export function owners(profile: CpuProfile, n: number, root = ''): Owner[] {
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const ownerOf = (id: number): string => {
    const leaf = byId.get(id)!.callFrame;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { url } = byId.get(at)!.callFrame;
      if (!url || url.startsWith('node:')) continue;
      const path = shortPath(url, root);
      return url.includes('node_modules/') ? packageOf(path) : path;
    }
    return leaf.functionName.startsWith('(') ? leaf.functionName : '(node internals)';
  };
  const ms = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfMicros(profile)) {
    if (byId.get(id)?.callFrame.functionName === '(idle)' || us === 0) continue;
    busy += us;
    const owner = ownerOf(id);
    ms.set(owner, (ms.get(owner) ?? 0) + us);
  }
  return [...ms]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([owner, us]) => ({ owner, ms: us / 1000, share: busy ? us / busy : 0 }));
}

/** `drachtio-srf/lib/srf.js` → `drachtio-srf`, `@scope/pkg/x.js` → `@scope/pkg`. */
function packageOf(path: string): string {
  const parts = path.split('/');
  return parts[0]?.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? path);
}

export function formatOwners(list: readonly Owner[]): string {
  const lines = ['   busy ms  busy %  caused by'];
  for (const o of list)
    lines.push(
      `${o.ms.toFixed(1).padStart(10)}  ${(o.share * 100).toFixed(1).padStart(6)}  ${o.owner}`,
    );
  return `${lines.join('\n')}\n`;
}

/** The summary as text, one function a line: self ms, share of busy time, name, file:line. */
export function formatSummary(s: ProfileSummary): string {
  const lines = [
    `profile: ${s.totalMs.toFixed(0)} ms, idle ${s.idleMs.toFixed(0)} ms, busy ${s.busyMs.toFixed(0)} ms`,
    '   self ms  busy %  function  file:line',
  ];
  for (const e of s.top)
    lines.push(
      `${e.selfMs.toFixed(1).padStart(10)}  ${(e.share * 100).toFixed(1).padStart(6)}  ${e.fn}  ${e.where}`,
    );
  return `${lines.join('\n')}\n`;
}
