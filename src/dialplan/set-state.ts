/**
 * What the cross-file rules keep of each number once its file's document is dropped: a few
 * numbers per entry in parallel arrays, so a set of a million numbers costs tens of MB here,
 * not the gigabyte its parsed YAML would.
 */
import type { Classification } from '../numbering/classify.js';
import type { CustomerDoc, Place } from './types.js';

export type CustomerAt = Place & { customer: CustomerDoc };

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
