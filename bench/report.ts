/** Benchmark output: one line per figure, `<bench> <figure>: <number> <unit>`, for scripts. */
export function figure(bench: string, name: string, value: number, unit: string): void {
  const shown = Math.abs(value) >= 1000 ? Math.round(value) : Number(value.toPrecision(4));
  process.stdout.write(`${bench} ${name}: ${shown} ${unit}\n`);
}
