/**
 * The catalogue of reasons a call is refused at routing, each with its SIP answer and the sentence
 * logged for it. Later layers (the SIP adapter, metrics, call records) take status and text from
 * here instead of repeating them.
 */
export const REJECT_REASONS = Object.freeze({
  unknown: { sipStatus: 404, sipReason: 'Not Found', log: 'tracking number is not configured' },
  deactivated: { sipStatus: 410, sipReason: 'Gone', log: 'tracking number is deactivated' },
  'not-de-at': {
    sipStatus: 404,
    sipReason: 'Not Found',
    log: 'called number is outside the German and Austrian ranges',
  },
  malformed: {
    sipStatus: 484,
    sipReason: 'Address Incomplete',
    log: 'called number is malformed or incomplete',
  },
} as const);

export type RejectReason = keyof typeof REJECT_REASONS;
