/** A dialplan problem as an admin reads it: where (file:line:col) and why. */
export type DialplanError = {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
};

export function formatError(e: DialplanError): string {
  return `${e.file}:${e.line}:${e.col}: ${e.message}`;
}

export function byPosition(a: DialplanError, b: DialplanError): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col;
}
