/**
 * HTTP(S) requests to the admin API for tests, every answer held to the OpenAPI document the API
 * serves (src/admin/openapi.ts): the status must be one the operation documents, the content
 * type one of that response's, and a JSON body must validate (ajv, JSON Schema 2020-12, the
 * OpenAPI 3.1 dialect) against its schema. A mismatch rejects the request's promise, which fails
 * the test. A request to something the document does not describe (an unknown route, a method a
 * resource lacks) must be answered with a problem (RFC 9457) matching the Problem schema.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { buildOpenApi } from '../../src/admin/openapi.js';

type Json = Record<string, unknown>;

// biome-ignore lint/suspicious/noExplicitAny: each test reads the body it asked for; the document checked its shape
export type AdminAnswer<B = any> = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body; the text for other content types; undefined when empty. */
  body: B;
  raw: Buffer;
};

export type AdminRequest = {
  token?: string;
  /** A whole Authorization header (not a bearer, a malformed one). */
  auth?: string;
  method?: string;
  /** Source address (all of 127/8 is loopback on Linux). */
  from?: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as it is. */
  body?: unknown;
};

const DOC_ID = 'https://calltrack.invalid/openapi.json';

export class OpenApiMismatch extends Error {
  override name = 'OpenApiMismatch';
}

/** Which response of the document an answer must match, and the schemas to match it with. */
export class OpenApiChecker {
  readonly #doc: Json;
  readonly #ajv: Ajv2020;
  readonly #compiled = new Map<string, ValidateFunction>();
  readonly #paths: { method: string; template: string; re: RegExp; params: number }[] = [];

  constructor(doc: Json = buildOpenApi()) {
    this.#doc = doc;
    // the document's own keywords (x-hint) and formats are annotations here, as 2020-12 has them
    this.#ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    this.#ajv.addSchema({ $id: DOC_ID, components: doc.components }, DOC_ID);
    for (const [template, item] of Object.entries(doc.paths as Record<string, Json>)) {
      const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`);
      for (const method of Object.keys(item))
        this.#paths.push({ method, template, re, params: (template.match(/\{/g) ?? []).length });
    }
    // a literal segment wins over a parameter: /v1/numbers/reclaimable is not a number
    this.#paths.sort((a, b) => a.params - b.params);
  }

  /** The operation (`get /v1/numbers/{number}`) a request is for, if the document has it. */
  operation(method: string, path: string): { key: string; op: Json } | undefined {
    const bare = path.split('?')[0]!;
    const m = method.toLowerCase();
    const found = this.#paths.find((p) => p.method === m && p.re.test(bare));
    if (!found) return undefined;
    const op = (this.#doc.paths as Record<string, Record<string, Json>>)[found.template]![m]!;
    return { key: `${m} ${found.template}`, op };
  }

  #resolve(value: Json): Json {
    const ref = value.$ref;
    if (typeof ref !== 'string') return value;
    let node: unknown = this.#doc;
    for (const part of ref.slice(2).split('/')) node = (node as Json)[part];
    return node as Json;
  }

  #validator(key: string, schema: Json): ValidateFunction {
    let v = this.#compiled.get(key);
    if (!v) {
      const text = JSON.stringify(schema).replaceAll('"#/components/', `"${DOC_ID}#/components/`);
      v = this.#ajv.compile(JSON.parse(text));
      this.#compiled.set(key, v);
    }
    return v;
  }

  /** Throws OpenApiMismatch when the answer is not one the document allows. */
  check(method: string, path: string, answer: AdminAnswer, undocumented = false): void {
    const where = `${method} ${path.slice(0, 80)} → ${answer.status}`;
    const type = String(answer.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim();
    const found = undocumented ? undefined : this.operation(method, path);
    if (undocumented && this.operation(method, path))
      throw new OpenApiMismatch(`${where}: marked undocumented, but the document has it`);
    if (!found) {
      // anything outside the document is a problem: an unknown route, a method not allowed
      if (answer.status < 400 || type !== 'application/problem+json')
        throw new OpenApiMismatch(`${where}: not in the document, and not a problem (${type})`);
      this.#checkBody(where, 'Problem', { $ref: '#/components/schemas/Problem' }, answer);
      return;
    }
    const responses = found.op.responses as Record<string, Json>;
    const documented = responses[String(answer.status)];
    if (!documented)
      throw new OpenApiMismatch(
        `${where}: status not documented for ${found.key} (documented: ${Object.keys(responses).join(', ')})`,
      );
    const response = this.#resolve(documented);
    for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, Json>))
      if (this.#resolve(header).required && answer.headers[name.toLowerCase()] === undefined)
        throw new OpenApiMismatch(`${where}: required header ${name} missing`);
    const content = response.content as Record<string, Json> | undefined;
    if (!content) {
      if (answer.raw.length > 0)
        throw new OpenApiMismatch(`${where}: a body where none is documented`);
      return;
    }
    const media = content[type];
    if (!media)
      throw new OpenApiMismatch(
        `${where}: content type '${type}' not documented (${Object.keys(content).join(', ')})`,
      );
    if (media.schema && /json$/.test(type))
      this.#checkBody(where, `${found.key} ${answer.status} ${type}`, media.schema as Json, answer);
  }

  #checkBody(where: string, key: string, schema: Json, answer: AdminAnswer): void {
    const validate = this.#validator(key, schema);
    if (!validate(answer.body))
      throw new OpenApiMismatch(
        `${where}: body does not match the document: ${this.#ajv.errorsText(validate.errors)}\n${answer.raw.toString('utf8').slice(0, 500)}`,
      );
  }
}

let shared: OpenApiChecker | undefined;
/** One checker for the whole test process: the document is compiled once. */
export const documentChecker = (): OpenApiChecker => (shared ??= new OpenApiChecker());

export type AdminClientOptions = {
  port: number;
  host?: string;
  /** HTTPS, trusting this CA (PEM). */
  ca?: Buffer;
  checker?: OpenApiChecker;
};

/** Requests to one admin listener; every answer checked against the document. */
export function adminClient(options: AdminClientOptions) {
  const checker = options.checker ?? documentChecker();
  const send = (path: string, opts: AdminRequest = {}) => rawRequest(options, path, opts);
  return {
    /** One request; rejects with OpenApiMismatch when the answer breaks the document. */
    async request(path: string, opts: AdminRequest = {}): Promise<AdminAnswer> {
      const answer = await send(path, opts);
      checker.check(opts.method ?? 'GET', path, answer);
      return answer;
    },
    /** A request to something the document does not describe: the answer must be a problem. */
    async undocumented(path: string, opts: AdminRequest = {}): Promise<AdminAnswer> {
      const answer = await send(path, opts);
      checker.check(opts.method ?? 'GET', path, answer, true);
      return answer;
    },
    get(path: string, token?: string, from?: string): Promise<AdminAnswer> {
      return this.request(path, { token, from });
    },
  };
}

export type AdminClient = ReturnType<typeof adminClient>;

/** The request itself, unchecked. */
export function rawRequest(
  options: AdminClientOptions,
  path: string,
  opts: AdminRequest = {},
): Promise<AdminAnswer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.auth) headers.authorization = opts.auth;
  let payload: string | undefined;
  if (opts.body !== undefined) {
    payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const request = options.ca ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.host ?? '127.0.0.1',
        port: options.port,
        path,
        method: opts.method ?? 'GET',
        headers,
        localAddress: opts.from ?? '127.0.0.1',
        ...(options.ca && { ca: options.ca, servername: 'localhost' }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const type = String(res.headers['content-type'] ?? '');
          let body: unknown = raw.length > 0 ? raw.toString('utf8') : undefined;
          if (/json/.test(type) && raw.length > 0) {
            try {
              body = JSON.parse(raw.toString('utf8'));
            } catch (err) {
              reject(new OpenApiMismatch(`${path}: '${type}' that is not JSON: ${err}`));
              return;
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, raw });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
