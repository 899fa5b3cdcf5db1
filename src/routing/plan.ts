/**
 * What a routed call does at one moment: ring its destinations (open), or take the closed
 * action (outside business hours, a public holiday, a closed date). Pure values, made by
 * RouteTable.plan from a decision and an instant; the call path and `calltrack lookup --at`
 * both read them.
 */
import type { Prompt } from '../call/media-port.js';
import type { Route } from './destination.js';

/** Why a number is closed at that moment; `name` is the holiday's or the closed date's. */
export type ClosedWhy =
  | { readonly kind: 'hours' }
  | { readonly kind: 'holiday'; readonly name: string }
  | { readonly kind: 'closed-date'; readonly name?: string };

export type ClosedAction =
  | { readonly kind: 'refuse' }
  | { readonly kind: 'announcement'; readonly prompt: Prompt }
  | { readonly kind: 'voicemail' }
  | { readonly kind: 'destinations'; readonly destinations: readonly Route[] };

export type CallPlan =
  | {
      readonly open: true;
      readonly destinations: readonly Route[];
      /** Which open interval applies (`mon-fri 08:00-18:00`); absent for a number without hours. */
      readonly rule?: string;
    }
  | { readonly open: false; readonly why: ClosedWhy; readonly action: ClosedAction };
