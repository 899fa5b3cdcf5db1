/**
 * The FreeSWITCH SIP profile the media path uses: fsmrf sends its INVITEs there (the
 * drachtio/drachtio-freeswitch-mrf image configures it). Its own module so that `calltrack doctor`
 * can name it without loading drachtio-fsmrf.
 */
export const MRF_PROFILE = 'drachtio_mrf';
