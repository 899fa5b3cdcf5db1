/**
 * What the cross-file rules keep of each number once its file's document is dropped: a few
 * numbers per entry in parallel arrays, so a set of a million numbers costs tens of MB here,
 * not the gigabyte its parsed YAML would.
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

  // one slot per number entry, in file order
  readonly values: number[] = [];
  readonly owners: number[] = [];
  /** Classification of active geographic numbers (null otherwise), for the seat rule. */
  readonly geo: (Classification | null)[] = [];
  readonly fileOf: number[] = [];
  readonly entryOf: number[] = [];

  readonly refs: {
    slot: number;
    field: 'replaces' | 'replacedBy';
    target: number;
    text: string;
  }[] = [];
  // E.164 destinations, for the loop rule: owner slot, destination index, member index inside a
  // ringAll group (-1 for a destination alone), value
  readonly destSlot: number[] = [];
  readonly destIndex: number[] = [];
  readonly destMember: number[] = [];
  readonly destValue: number[] = [];
  /** E.164 destinations of closed actions (numbers' and customers'): few, so kept with their place. */
  readonly closedDests: { at: Place; value: number }[] = [];
  /** What the hours rules need of each number, as HOURS_* bits (0 for a deactivated number). */
  readonly hours: number[] = [];

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
