/**
 * The API's own schemas in the OpenAPI document (pages, problems, audit entries, write results),
 * around the dialplan's definitions (openapi-dialplan.ts).
 */
import { recordSchemas } from './openapi-records.js';
import { ref, type Schema } from './openapi-ref.js';

/** The API's own schemas; names start upper case, the dialplan's lower case. */
export function apiSchemas(): Record<string, Schema> {
  return {
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details (application/problem+json)',
      required: ['type', 'title', 'status', 'detail'],
      properties: {
        type: { type: 'string' },
        title: { type: 'string' },
        status: { type: 'integer', minimum: 400, maximum: 599 },
        detail: { type: 'string' },
        instance: { type: 'string' },
        errors: {
          type: 'array',
          description: 'every error of a rejected change (422)',
          items: ref('FieldError'),
        },
      },
    },
    FieldError: {
      type: 'object',
      required: ['pointer', 'message'],
      properties: {
        pointer: { type: 'string', description: 'RFC 6901 JSON pointer into the request body' },
        message: { type: 'string' },
        location: { type: 'string', description: '`file.yaml:line:col` where a file is involved' },
      },
    },
    Dialplan: {
      type: 'object',
      required: ['version', 'loadedAt', 'counts'],
      additionalProperties: false,
      properties: {
        version: ref('Version'),
        loadedAt: { type: 'string' },
        counts: {
          type: 'object',
          required: ['customers', 'activeNumbers', 'deactivatedNumbers'],
          additionalProperties: false,
          properties: {
            customers: { type: 'integer', minimum: 0 },
            activeNumbers: { type: 'integer', minimum: 0 },
            deactivatedNumbers: { type: 'integer', minimum: 0 },
          },
        },
      },
    },
    Version: { type: 'string', description: 'the dialplan version (the ETag without quotes)' },
    DialplanHistory: {
      type: 'object',
      required: ['versions'],
      properties: {
        versions: {
          type: 'array',
          items: {
            type: 'object',
            required: ['version', 'at', 'origin'],
            properties: {
              version: ref('Version'),
              at: { type: 'string' },
              origin: { type: 'string', description: 'what loaded it: an API write, a file, …' },
              numbers: { type: 'integer', minimum: 0 },
            },
          },
        },
      },
    },
    CustomerList: {
      type: 'object',
      required: ['customers'],
      additionalProperties: false,
      properties: { customers: { type: 'array', items: ref('customer') } },
    },
    NumberDocument: {
      type: 'object',
      description: 'a number as the dialplan files write it',
      required: ['number', 'customer', 'source', 'status'],
      additionalProperties: false,
      properties: {
        number: ref('e164'),
        customer: ref('customerId'),
        source: { type: 'string' },
        status: { enum: ['active', 'deactivated'] },
        destinations: { type: 'array', items: ref('destination') },
        options: ref('options'),
        deactivatedAt: ref('date'),
        replacedBy: ref('e164'),
      },
    },
    NumberPage: {
      type: 'object',
      required: ['numbers'],
      additionalProperties: false,
      properties: {
        numbers: { type: 'array', items: ref('NumberDocument') },
        next: { type: 'string', description: 'the `cursor` of the next page; absent on the last' },
      },
    },
    Reclaimable: {
      type: 'object',
      description:
        'deactivated or idle numbers past 12 months without a call, as `calltrack numbers reclaimable`',
      required: ['reclaimable', 'undetermined'],
      additionalProperties: false,
      properties: {
        reclaimable: {
          type: 'array',
          items: {
            type: 'object',
            required: ['number', 'customer', 'source', 'idleSince', 'basis'],
            additionalProperties: false,
            properties: {
              number: ref('e164'),
              customer: { type: 'string' },
              source: { type: 'string' },
              idleSince: { type: 'string', format: 'date' },
              basis: { enum: ['last-call', 'activation'] },
            },
          },
        },
        undetermined: {
          type: 'array',
          description: 'numbers without a last call or an activation date: not judged',
          items: ref('e164'),
        },
      },
    },
    MergePatch: {
      type: 'object',
      description: 'an RFC 7396 JSON merge patch of the entry: given fields replace, null removes',
    },
    ReplaceRequest: {
      type: 'object',
      required: ['newNumber'],
      additionalProperties: false,
      properties: {
        newNumber: {
          type: 'string',
          description: 'in any shape the loader takes (+49…, 0049…, 030…); written in E.164',
        },
        source: { type: 'string', minLength: 1, maxLength: 64 },
      },
    },
    ReclaimRequest: {
      type: 'object',
      required: ['numbers'],
      additionalProperties: false,
      properties: { numbers: { type: 'array', minItems: 1, items: ref('e164') } },
    },
    WriteResult: {
      type: 'object',
      description:
        'an accepted write: the version change, the entry before and after, the files written',
      required: ['versionBefore', 'versionAfter', 'files'],
      additionalProperties: false,
      properties: {
        versionBefore: ref('Version'),
        versionAfter: ref('Version'),
        before: {},
        after: {},
        changedNumbers: { type: 'array', items: ref('e164') },
        files: { type: 'array', items: { type: 'string' } },
        warnings: ref('WriteWarnings'),
      },
    },
    WriteWarnings: {
      type: 'array',
      description:
        'only when there are any: fields of the written entry naming a transport (sips: needs tls, or ;transport=) or, by a literal address, an IP family that a connected drachtio-server does not listen on; the write stands, calls to them through that server do not connect',
      items: {
        type: 'object',
        required: ['pointer', 'message'],
        additionalProperties: false,
        properties: {
          pointer: { type: 'string', description: 'JSON pointer into the written entry' },
          message: { type: 'string' },
        },
      },
    },
    DryRunResult: {
      type: 'object',
      description: '`?dryRun=true`: the change is valid; nothing was written',
      required: ['dryRun', 'valid', 'versionAfter'],
      properties: {
        dryRun: { const: true },
        valid: { const: true },
        versionAfter: ref('Version'),
        warnings: ref('WriteWarnings'),
      },
    },
    AuditEntry: {
      type: 'object',
      required: ['id', 'at', 'actor', 'role', 'action', 'target'],
      additionalProperties: false,
      properties: {
        id: {
          type: 'string',
          pattern: '^[0-9]+-[0-9]+$',
          description: 'the `after` of the next page',
        },
        at: { type: 'string' },
        actor: { type: 'string', description: "the token's name" },
        role: { type: 'string' },
        action: { type: 'string', examples: ['number.update', 'history.download'] },
        target: { type: 'string', description: 'a tracking number, customer id or recording id' },
        before: {},
        after: {},
        versionBefore: ref('Version'),
        versionAfter: ref('Version'),
        detail: { type: 'object' },
      },
    },
    AuditPage: {
      type: 'object',
      required: ['entries'],
      additionalProperties: false,
      properties: {
        entries: { type: 'array', items: ref('AuditEntry') },
        next: { type: 'string', description: 'the `after` of the next page; absent on the last' },
      },
    },
    ...recordSchemas(),
  };
}
