/** E.164 as dialplans write it: '+', a country code (never 0), 6 to 15 digits in all. */
export const E164_PATTERN = /^\+[1-9][0-9]{5,14}$/;
