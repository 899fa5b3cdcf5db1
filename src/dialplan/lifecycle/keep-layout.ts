/**
 * `yaml` re-renders a whole document when it stringifies one: comments stay, but their spacing
 * does not (`"316"       # Graz` becomes `"316" # Graz`). This puts the original spelling back on
 * every line the edit did not change, so a diff of the file shows the edit and nothing else.
 */

/**
 * A line as the stringifier would render it: one space before a trailing comment. Only a comment
 * with no quote after its `#` is normalised, so a `#` inside a quoted string is never taken for one.
 */
const rendered = (line: string) => line.replace(/\s+(#[^"']*)$/, ' $1').trimEnd();

/** How far ahead an edited line looks for its unchanged original. */
const WINDOW = 200;

export function keepLayout(original: string, edited: string): string {
  const a = original.split('\n');
  const b = edited.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && rendered(a[head]!) === rendered(b[head]!)) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    rendered(a[a.length - 1 - tail]!) === rendered(b[b.length - 1 - tail]!)
  )
    tail++;
  const middle = align(a.slice(head, a.length - tail), b.slice(head, b.length - tail));
  return [...a.slice(0, head), ...middle, ...a.slice(a.length - tail)].join('\n');
}

/** Between the unchanged head and tail: each edited line takes the next original that renders alike. */
function align(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  for (const line of b) {
    const want = rendered(line);
    let j = i;
    while (j < a.length && j < i + WINDOW && rendered(a[j]!) !== want) j++;
    if (j < a.length && rendered(a[j]!) === want) {
      out.push(a[j]!);
      i = j + 1;
    } else out.push(line);
  }
  return out;
}
