/**
 * Error answers of the admin API as RFC 9457 problem details (`application/problem+json`):
 * `type` is about:blank (the status says it all, RFC 9457 §4.2.1), `title` the status phrase,
 * `detail` what was wrong with this request — never a token, never another customer's data.
 */
import { STATUS_CODES } from 'node:http';

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = 'Problem';
  }

  get body(): Record<string, unknown> {
    return {
      type: 'about:blank',
      title: STATUS_CODES[this.status] ?? 'Error',
      status: this.status,
      detail: this.detail,
    };
  }
}

export const PROBLEM_TYPE = 'application/problem+json';
