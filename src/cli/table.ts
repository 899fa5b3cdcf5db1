/** Text columns aligned for a terminal: the report's table and the doctor's. */

export type TableOptions = {
  /** Columns whose cells are right-aligned (figures); the others are left-aligned. */
  alignRight?: readonly boolean[];
};

/** The header and each row as one line, columns two spaces apart, no trailing blanks. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string[] {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    header
      .map((_, i) => {
        const cell = cells[i] ?? '';
        return options.alignRight?.[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
