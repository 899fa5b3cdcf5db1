/**
 * The text of a progress line, from what a long command has done and how long it took. Pure: the
 * reporter (progress.ts) decides when and where it is drawn.
 */

/** What a long command has done so far. */
export type Progress = {
  /** What it is doing: `checking dialplans`, `exporting`. */
  phase: string;
  /** The main count, in `unit`s; the rate is of this count. */
  done: number;
  /** The main count's end, when known before the end. */
  total?: number;
  unit: string;
  /**
   * The share of the work done (0…1) when it is measured otherwise than by `done / total`: the
   * size of the files checked, the time position within an exported period.
   */
  fraction?: number;
  /** Other counts, after the main one: `34/100 files`. */
  detail?: string;
  /** False where `done` did not come at the phase's pace (a count carried over from before). */
  rate?: boolean;
};

/** Below this share an ETA is mostly noise (the first small file, the first page). */
const ETA_FROM_SHARE = 0.01;

const count = new Intl.NumberFormat('en-US');

/**
 * `phase: done/total unit · detail · 34% · 1,200 unit/s · ETA 0:12`, `elapsedMs` since the phase
 * began; the final line says `done` and how long the whole command took.
 */
export function formatProgress(p: Progress, elapsedMs: number, final = false): string {
  const parts = [
    p.total === undefined
      ? `${count.format(p.done)} ${p.unit}`
      : `${count.format(p.done)}/${count.format(p.total)} ${p.unit}`,
  ];
  if (p.detail) parts.push(p.detail);
  const share = final ? 1 : shareOf(p);
  if (share !== undefined) parts.push(`${Math.floor(share * 100)}%`);
  const seconds = elapsedMs / 1000;
  if (seconds > 0 && p.done > 0 && p.rate !== false)
    parts.push(`${count.format(Math.round(p.done / seconds))} ${p.unit}/s`);
  if (final) parts.push(`in ${duration(elapsedMs)}`);
  else if (share !== undefined && share >= ETA_FROM_SHARE && share < 1 && elapsedMs > 0)
    parts.push(`ETA ${duration((elapsedMs * (1 - share)) / share)}`);
  return `${p.phase}${final ? ' done' : ''}: ${parts.join(' · ')}`;
}

/** Clamped to 0…1: a count past its estimated total still reads 100%, never more. */
function shareOf(p: Progress): number | undefined {
  const raw = p.fraction ?? (p.total ? p.done / p.total : p.total === 0 ? 1 : undefined);
  return raw === undefined || Number.isNaN(raw) ? undefined : Math.min(1, Math.max(0, raw));
}

/** `0:07`, `12:34`, `1:02:03`; under ten seconds with a tenth, for the final line of a quick run. */
export function duration(ms: number): string {
  const total = Math.max(0, ms) / 1000;
  if (total < 10) return `${total.toFixed(1)}s`;
  const s = Math.round(total);
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}
