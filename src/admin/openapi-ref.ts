/** A schema of the OpenAPI document, and how one names another (`components.schemas`). */
export type Schema = Record<string, unknown>;

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
