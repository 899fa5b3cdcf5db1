/**
 * What the cross-file rules keep of each number once its file's document is dropped: a few
 * numbers per entry in parallel typed arrays, so a set of a million numbers costs tens of MB
 * here, not the gigabyte its parsed YAML would.
 */
import type { Classification } from '../numbering/classify.js';
import type { BusinessHoursDoc, CustomerDoc, NumberDoc, Place } from './types.js';

export type CustomerAt = Place & { customer: CustomerDoc };

/** Bits of `SetState.hours`: the number routes, its own hours (with a timezone; that can close it), its own closed action, a voicemail. */
export const HOURS_ROUTED = 1;
export const HOURS_OWN = 2;
export const HOURS_OWN_TIMEZONE = 4;
export const HOURS_OWN_CLOSES = 8;
export const HOURS_OWN_CLOSED = 16;
export const HOURS_VOICEMAIL = 32;

export class SetState {
  readonly files: string[] = [];
  readonly customers = new Map<string, CustomerAt>();
  /** Customers whose entries failed the schema: references to them are not reported again. */
  readonly brokenCustomerIds = new Set<string>();
  readonly #customerIds: string[] = [];
  readonly #customerSlot = new Map<string, number>();

  // one slot per number entry, in file order; typed columns, grown by `reserve` while files are
  // added and cut to length by `seal`, so a file's facts are copied in whole (set-builder.ts)
  count = 0;
  values = new Float64Array(INITIAL);
  owners = new Uint32Array(INITIAL);
  /** 0, or 1 + the index in `geoKinds` of an active geographic number's classification (seat rule). */
  geo = new Uint16Array(INITIAL);
  readonly geoKinds: Classification[] = [];
  fileOf = new Uint32Array(INITIAL);
  entryOf = new Uint32Array(INITIAL);
  /** What the hours rules need of each number, as HOURS_* bits (0 for a deactivated number). */
  hours = new Uint8Array(INITIAL);
  readonly #geoSlot = new Map<string, number>();

  readonly refs: {
    slot: number;
    field: 'replaces' | 'replacedBy';
    target: number;
    text: string;
  }[] = [];
  // E.164 destinations, for the loop rule: owner slot, destination index, member index inside a
  // ringAll group (-1 for a destination alone), value
  destCount = 0;
  destSlot = new Uint32Array(INITIAL);
  destIndex = new Uint32Array(INITIAL);
  destMember = new Int32Array(INITIAL);
  destValue = new Float64Array(INITIAL);
  /** E.164 destinations of closed actions (numbers' and customers'): few, so kept with their place. */
  readonly closedDests: { at: Place; value: number }[] = [];

  /** Room for `numbers` more slots and `dests` more destinations. */
  reserve(numbers: number, dests: number): void {
    const n = capacity(this.values.length, this.count + numbers);
    if (n > this.values.length) {
      this.values = grown(this.values, n);
      this.owners = grown(this.owners, n);
      this.geo = grown(this.geo, n);
      this.fileOf = grown(this.fileOf, n);
      this.entryOf = grown(this.entryOf, n);
      this.hours = grown(this.hours, n);
    }
    const d = capacity(this.destValue.length, this.destCount + dests);
    if (d > this.destValue.length) {
      this.destSlot = grown(this.destSlot, d);
      this.destIndex = grown(this.destIndex, d);
      this.destMember = grown(this.destMember, d);
      this.destValue = grown(this.destValue, d);
    }
  }

  /** After the last file: every column exactly as long as the set (the rules read `.length`). */
  seal(): void {
    this.values = this.values.subarray(0, this.count);
    this.owners = this.owners.subarray(0, this.count);
    this.geo = this.geo.subarray(0, this.count);
    this.fileOf = this.fileOf.subarray(0, this.count);
    this.entryOf = this.entryOf.subarray(0, this.count);
    this.hours = this.hours.subarray(0, this.count);
    this.destSlot = this.destSlot.subarray(0, this.destCount);
    this.destIndex = this.destIndex.subarray(0, this.destCount);
    this.destMember = this.destMember.subarray(0, this.destCount);
    this.destValue = this.destValue.subarray(0, this.destCount);
  }

  /** One `geo` value per country and area code: the seat rule reads nothing else of it. */
  geoSlot(c: Classification): number {
    const key = `${c.country}:${c.areaCode}`;
    let k = this.#geoSlot.get(key);
    if (k === undefined) {
      k = this.geoKinds.push(c);
      this.#geoSlot.set(key, k);
    }
    return k;
  }

  geoOf(slot: number): Classification | null {
    const k = this.geo[slot]!;
    return k === 0 ? null : this.geoKinds[k - 1]!;
  }

  /** Customer ids as small integers: one string per customer instead of one per number. */
  customerSlot(id: string): number {
    let slot = this.#customerSlot.get(id);
    if (slot === undefined) {
      slot = this.#customerIds.length;
      this.#customerIds.push(id);
      this.#customerSlot.set(id, slot);
    }
    return slot;
  }

  customerId(slot: number): string {
    return this.#customerIds[slot]!;
  }

  placeOf(slot: number, ...field: (string | number)[]): Place {
    return {
      file: this.files[this.fileOf[slot]!]!,
      path: ['numbers', this.entryOf[slot]!, ...field],
    };
  }
}

const INITIAL = 1024;

function capacity(have: number, need: number): number {
  let n = have;
  while (n < need) n *= 2;
  return n;
}

type Column = Float64Array | Uint32Array | Int32Array | Uint16Array | Uint8Array;

function grown<T extends Column>(column: T, length: number): T {
  const next = new (column.constructor as new (n: number) => T)(length);
  next.set(column);
  return next;
}

export function hoursBits(entry: NumberDoc): number {
  const { businessHours: own, closed, voicemail } = entry.options ?? {};
  let bits = HOURS_ROUTED;
  if (own) bits |= HOURS_OWN;
  if (own?.timezone !== undefined) bits |= HOURS_OWN_TIMEZONE;
  if (own && hoursClose(own)) bits |= HOURS_OWN_CLOSES;
  if (closed) bits |= HOURS_OWN_CLOSED;
  if (voicemail) bits |= HOURS_VOICEMAIL;
  return bits;
}

/** Intervals, holidays or closed dates: something that can close a number. */
export function hoursClose(hours: BusinessHoursDoc): boolean {
  return (
    hours.open !== undefined ||
    hours.holidays !== undefined ||
    (hours.closedDates !== undefined && hours.closedDates.length > 0)
  );
}
