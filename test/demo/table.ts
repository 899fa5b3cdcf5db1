/** The demo's output: the call table and the main metrics, as plain aligned text. */

export type Row = {
  number: string;
  source: string;
  outcome: string;
  sipStatus: string;
  recordId: string;
  why: string;
};

const COLUMNS: [keyof Row, string][] = [
  ['number', 'number'],
  ['source', 'source'],
  ['outcome', 'outcome'],
  ['sipStatus', 'SIP'],
  ['recordId', 'record id'],
  ['why', 'why'],
];

export function formatTable(rows: readonly Row[]): string {
  const widths = COLUMNS.map(([key, title]) =>
    Math.max(title.length, ...rows.map((r) => r[key].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(COLUMNS.map(([, title]) => title)),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(COLUMNS.map(([key]) => r[key]))),
  ].join('\n');
}

type Sample = { name: string; labels: Record<string, string>; value: number };

/** Prometheus text → samples (names and labels as written; comments skipped). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m?.[1] || !m[3]) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] as string] = l[2] as string;
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** Calls by outcome, rejects by reason, setup time: the figures a person checks first. */
export function formatMetrics(text: string): string {
  const samples = parseMetrics(text);
  const sumBy = (name: string, label: string) => {
    const by = new Map<string, number>();
    for (const s of samples.filter((x) => x.name === name)) {
      const key = s.labels[label] ?? '';
      by.set(key, (by.get(key) ?? 0) + s.value);
    }
    return [...by].map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  };
  const one = (name: string) => samples.find((s) => s.name === name)?.value ?? 0;
  const count = one('calltrack_call_setup_seconds_count');
  const mean =
    count > 0
      ? `${((one('calltrack_call_setup_seconds_sum') / count) * 1000).toFixed(1)} ms mean over ${count} calls`
      : 'no calls';
  return [
    `  calltrack_calls_total by outcome:   ${sumBy('calltrack_calls_total', 'outcome')}`,
    `  calltrack_rejects_total by reason:  ${sumBy('calltrack_rejects_total', 'reason')}`,
    `  calltrack_call_setup_seconds:       ${mean}`,
  ].join('\n');
}
