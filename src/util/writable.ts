/** `T` without `readonly`: for building a record by plain stores before it is handed on. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Every key of `T`, optional ones included (as `undefined` if unset): a literal that copies a
 * type field by field instead of spreading it `satisfies` this, so a new field cannot be missed.
 */
export type EveryKey<T> = { [K in keyof Required<T>]: T[K] };
