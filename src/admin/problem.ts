/**
 * Error answers of the admin API as RFC 9457 problem details (`application/problem+json`):
 * `type` is about:blank (the status says it all, RFC 9457 §4.2.1), `title` the status phrase,
 * `detail` what was wrong with this request — never a token, never another customer's data.
 */
import { STATUS_CODES } from 'node:http';

/**
 * One thing wrong with a request body: where (an RFC 6901 JSON pointer into the request; '' is
 * the request as a whole) and, when a dialplan file is involved, `file:line:col` in it.
 */
export type FieldError = { pointer: string; message: string; location?: string };

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** Members added to the body (RFC 9457 §3.2 extension members), e.g. `errors`. */
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail);
    this.name = 'Problem';
  }

  /** 422: the request was understood but would make invalid data; every error listed. */
  static invalid(detail: string, errors: readonly FieldError[]): Problem {
    return new Problem(422, detail, {}, { errors });
  }

  get body(): Record<string, unknown> {
    return {
      type: 'about:blank',
      title: STATUS_CODES[this.status] ?? 'Error',
      status: this.status,
      detail: this.detail,
      ...this.extra,
    };
  }
}

export const PROBLEM_TYPE = 'application/problem+json';

/** RFC 6901: a JSON pointer from path segments. */
export function pointer(path: readonly (string | number)[]): string {
  return path.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
