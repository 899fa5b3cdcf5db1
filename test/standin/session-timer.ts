// RFC 4028 session timers the way drachtio-server v0.9.10 runs them (sip-dialog.cpp
// setSessionTimer/doSessionTimerHandling, sip-dialog-controller.cpp): who refreshes, when the
// timer fires, and what then happens. The app is never told about a refresh, only about a BYE.
import { pickHeader } from './app-headers.js';
import { terminateDialog } from './dialog-requests.js';
import type { Dialog } from './dialogs.js';
import { sendRefresh } from './session-refresh.js';
import { getParam } from './sip-address.js';
import { headerValue, type SipHeader, type SipMessage } from './sip-message.js';
import type { Stack } from './stack.js';

/** Why the BYE was sent when the peer did not refresh in time, or a refresh failed. */
export const SESSION_EXPIRED = 'Session timer expired';

interface SessionExpires {
  seconds: number;
  /** The refresher parameter as written (sofia compares it case-sensitively with `uac`). */
  refresher: string | undefined;
}

function parseSessionExpires(value: string | undefined): SessionExpires | undefined {
  const m = value === undefined ? null : /^\s*(\d+)\s*(;.*)?$/.exec(value);
  if (!m?.[1]) return undefined;
  return { seconds: Number(m[1]), refresher: getParam(m[2] ?? '', 'refresher') };
}

function sessionExpiresOf(message: SipMessage): SessionExpires | undefined {
  return parseSessionExpires(headerValue(message.headers, 'session-expires'));
}

/**
 * (Re)starts the dialog's timer. When we refresh it fires at half the interval plus a random
 * offset (drachtio: `rand() % 10000 - 5000` ms); when the peer must, at the full interval.
 */
export function armSessionTimer(
  stack: Stack,
  dialog: Dialog,
  seconds: number,
  weRefresh: boolean,
): void {
  dialog.sessionTimer?.stop();
  const { jitter } = stack.config.sessionTimer;
  const offset = jitter > 0 ? Math.floor(Math.random() * 2 * jitter) - jitter : 0;
  const ms = weRefresh ? Math.floor((seconds * 1000) / 2) + offset : seconds * 1000;
  // drachtio's duration is unsigned and would wrap; a negative delay here just fires at once.
  const stop = stack.timers.once(Math.max(0, ms), () => expire(stack, dialog));
  dialog.sessionTimer = { seconds, weRefresh, stop };
}

function expire(stack: Stack, dialog: Dialog): void {
  const timer = dialog.sessionTimer;
  dialog.sessionTimer = undefined;
  if (!timer || stack.dialogs.get(dialog.id) !== dialog) return;
  if (timer.weRefresh) sendRefresh(stack, dialog, timer.seconds);
  else terminateDialog(stack, dialog, SESSION_EXPIRED);
}

export interface AnswerTimer {
  /** `Session-Expires: <interval>;refresher=<r>` the server adds to the 200, if any. */
  header: SipHeader | undefined;
  seconds: number;
  weRefresh: boolean;
}

/**
 * The app answers 200 to a new INVITE (doRespondToSipRequest, sip-dialog-controller.cpp
 * ~1358-1412): a Session-Expires the app put in its 200 wins and goes out as written; else the
 * offer's, with its refresher or the configured default, where `none` means no session timer at
 * all. The interval is raised to Min-SE (drachtio: the literal 90) but never refused with 422.
 */
export function timerForAnswer(
  stack: Stack,
  invite: SipMessage,
  appHeaders: readonly SipHeader[],
): AnswerTimer | undefined {
  const { minSE, defaultRefresher } = stack.config.sessionTimer;
  const fromApp = parseSessionExpires(pickHeader(appHeaders, 'session-expires'));
  if (fromApp) {
    const weRefresh = fromApp.refresher !== undefined && fromApp.refresher !== 'uac';
    return { header: undefined, seconds: Math.max(minSE, fromApp.seconds), weRefresh };
  }
  const offer = sessionExpiresOf(invite);
  if (!offer) return undefined;
  const refresher = offer.refresher ? offer.refresher : defaultRefresher;
  if (refresher === 'none') return undefined;
  const seconds = Math.max(minSE, offer.seconds);
  const header = { name: 'Session-Expires', value: `${seconds};refresher=${refresher}` };
  return { header, seconds, weRefresh: refresher !== 'uac' };
}

/**
 * A 200 to an INVITE or re-INVITE we sent: its Session-Expires (re)arms the timer, and we refresh
 * unless it names `refresher=uas`. No Min-SE check here (drachtio leaves that as a TODO).
 */
export function armFromAnswer(stack: Stack, dialog: Dialog, response: SipMessage): void {
  const se = sessionExpiresOf(response);
  if (!se) return;
  armSessionTimer(stack, dialog, se.seconds, se.refresher === undefined || se.refresher === 'uac');
}

/**
 * A re-INVITE or UPDATE from the peer (processRequestInsideDialog ~1736-1760), before the app
 * sees it: the running timer is cancelled, and re-armed from the request's Session-Expires. A
 * request without one leaves the dialog with no session timer. Returns false when the interval
 * is below Min-SE: the caller answers 422 and the app never sees the request.
 */
export function peerRefresh(stack: Stack, dialog: Dialog, request: SipMessage): boolean {
  const weWereRefresher = dialog.sessionTimer?.weRefresh ?? false;
  dialog.sessionTimer?.stop();
  dialog.sessionTimer = undefined;
  const se = sessionExpiresOf(request);
  if (!se) return true;
  if (se.seconds < stack.config.sessionTimer.minSE) return false;
  // Surprising but as written: without a refresher parameter the roles swap (sip-dialog-controller.cpp:1754).
  const theyRefresh = (se.refresher === undefined && weWereRefresher) || se.refresher === 'uac';
  armSessionTimer(stack, dialog, se.seconds, !theyRefresh);
  return true;
}

/** The header of drachtio's `422 Session Interval Too Small`. */
export function minSEHeader(stack: Stack): SipHeader {
  return { name: 'Min-SE', value: String(stack.config.sessionTimer.minSE) };
}
