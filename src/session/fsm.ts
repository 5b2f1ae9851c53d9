// The BGP finite state machine of RFC 4271 §8.2.2 as a pure function: no sockets, no timers, no clock.
// The Peer (peer.ts) turns socket and timer happenings into FsmEvents and carries out the returned FsmActions.
// Optional session attributes that tsbgp does not implement (DelayOpen, damping of peer oscillations,
// collision detection in Established, TrackTcpState) are left at their RFC defaults (disabled), so the branches
// that only apply to them are absent.

import { ErrorCode } from '../wire/errors';
import { CeaseSubcode } from '../wire/notification';

export type StateName = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

export interface FsmState {
  name: StateName;
  /** RFC 4271 §8: ConnectRetryCounter, counts consecutive failed attempts (the Peer uses it for backoff). */
  connectRetryCounter: number;
  /** PassiveTcpEstablishment: wait for the peer to connect, never initiate. */
  passive: boolean;
  /** Negotiated hold time in seconds (0 = no keepalives, no hold timer). Valid from OpenConfirm on. */
  holdTime: number;
}

export type TimerName = 'connect-retry' | 'hold' | 'keepalive';

/** Events of RFC 4271 §8.1 (numbers in comments), carrying what the actions need. */
export type FsmEvent =
  | { type: 'ManualStart'; passive?: boolean } // 1, 4
  /**
   * `silent`: close without the Cease, as a restarting speaker does once graceful restart is negotiated (RFC 4724
   * §4.1: the peer then keeps our routes, stale, until we are back or the restart time runs out).
   */
  | { type: 'ManualStop'; subcode?: number; data?: Uint8Array; silent?: boolean } // 2
  | { type: 'AutomaticStart'; passive?: boolean } // 3, 5
  | { type: 'AutomaticStop'; subcode?: number; data?: Uint8Array } // 8
  | { type: 'ConnectRetryTimerExpires' } // 9
  | { type: 'HoldTimerExpires' } // 10
  | { type: 'KeepaliveTimerExpires' } // 11
  | { type: 'TcpConnectionAcknowledged' } // 16: our outgoing connection is up
  /**
   * 17: an incoming connection was accepted. openWait: seconds the neighbor has to send its OPEN on it (the
   * hold timer in OpenSent), instead of RFC 4271's 4 minutes: anyone who can open a TCP connection from the
   * neighbor's address would otherwise hold its place that long without a word (see peer.ts accept()).
   */
  | { type: 'TcpConnectionConfirmed'; openWait?: number }
  | { type: 'TcpConnectionFails' } // 18
  | { type: 'BGPOpen'; holdTime: number } // 19, holdTime = negotiated value
  | { type: 'BGPHeaderErr'; code: number; subcode: number; data?: Uint8Array } // 21
  | { type: 'BGPOpenMsgErr'; code: number; subcode: number; data?: Uint8Array } // 22
  | { type: 'OpenCollisionDump' } // 23
  | { type: 'NotifMsgVerErr' } // 24
  | { type: 'NotifMsg' } // 25
  | { type: 'KeepAliveMsg' } // 26
  | { type: 'UpdateMsg' } // 27
  | { type: 'UpdateMsgErr'; code: number; subcode: number; data?: Uint8Array } // 28
  | { type: 'RouteRefreshMsg' }; // RFC 2918: valid in Established only; restarts the hold timer like an UPDATE

export type FsmEventType = FsmEvent['type'];

export type FsmAction =
  /** Allocate per-session resources (framer, codec contexts). */
  | { type: 'initialize' }
  | { type: 'connect' }
  | { type: 'drop-connection' }
  | { type: 'send-open' }
  | { type: 'send-keepalive' }
  | { type: 'send-notification'; code: number; subcode: number; data: Uint8Array }
  /** `seconds` absent for connect-retry: the Peer chooses the (backed-off) delay. */
  | { type: 'start-timer'; timer: TimerName; seconds?: number }
  | { type: 'stop-timer'; timer: TimerName }
  | { type: 'established' }
  /** Session gone: routes learnt from the peer are to be handled (deleted, or kept stale under RFC 4724). */
  | { type: 'release-resources' };

export interface FsmResult {
  state: FsmState;
  actions: FsmAction[];
}

/** RFC 4271 §8.2.2 suggests 4 minutes for the hold timer while waiting for the OPEN. */
export const LARGE_HOLD_TIME = 240;

/** RFC 6608 FSM error subcodes: which state received an unexpected message. */
export const FsmErrorSubcode = { UNSPECIFIED: 0, OPENSENT: 1, OPENCONFIRM: 2, ESTABLISHED: 3 } as const;

const EMPTY = new Uint8Array(0);

export const initialState = (passive = false): FsmState => ({
  name: 'Idle',
  connectRetryCounter: 0,
  passive,
  holdTime: 0,
});

const stopRetry: FsmAction = { type: 'stop-timer', timer: 'connect-retry' };
const stopAll: FsmAction[] = [
  stopRetry,
  { type: 'stop-timer', timer: 'hold' },
  { type: 'stop-timer', timer: 'keepalive' },
];
const notify = (code: number, subcode: number, data: Uint8Array = EMPTY): FsmAction => ({
  type: 'send-notification',
  code,
  subcode,
  data,
});

const to = (s: FsmState, name: StateName, actions: FsmAction[], patch: Partial<FsmState> = {}): FsmResult => ({
  state: { ...s, ...patch, name },
  actions,
});

/** Back to Idle after a failure: timers stopped, connection dropped, ConnectRetryCounter incremented. */
const fail = (s: FsmState, before: FsmAction[] = [], countIt = true): FsmResult =>
  to(s, 'Idle', [...before, ...stopAll, { type: 'release-resources' }, { type: 'drop-connection' }], {
    connectRetryCounter: countIt ? s.connectRetryCounter + 1 : s.connectRetryCounter,
  });

/** ManualStop / AutomaticStop once a connection exists: Cease (RFC 4486 §4, RFC 9003 text in data). */
const stop = (
  s: FsmState,
  e: { type: 'ManualStop' | 'AutomaticStop'; subcode?: number; data?: Uint8Array; silent?: boolean },
  sendCease: boolean,
): FsmResult => {
  const manual = e.type === 'ManualStop';
  const before =
    sendCease && !e.silent
      ? [
          notify(
            ErrorCode.CEASE,
            e.subcode ?? (manual ? CeaseSubcode.ADMIN_SHUTDOWN : CeaseSubcode.OTHER_CONFIGURATION_CHANGE),
            e.data,
          ),
        ]
      : [];
  // RFC 4271 §8.2.2: ManualStop sets the ConnectRetryCounter to zero, AutomaticStop increments it.
  const r = fail(s, before, !manual);
  if (manual) r.state.connectRetryCounter = 0;
  return r;
};

const openSent = (s: FsmState, openWait = LARGE_HOLD_TIME): FsmResult =>
  to(s, 'OpenSent', [stopRetry, { type: 'send-open' }, { type: 'start-timer', timer: 'hold', seconds: openWait }]);

/** Timers to run once the hold time is known (RFC 4271 §4.4: keepalive = hold / 3; 0 = none). */
const negotiatedTimers = (holdTime: number): FsmAction[] =>
  holdTime === 0
    ? [
        { type: 'stop-timer', timer: 'hold' },
        { type: 'stop-timer', timer: 'keepalive' },
      ]
    : [
        { type: 'start-timer', timer: 'hold', seconds: holdTime },
        { type: 'start-timer', timer: 'keepalive', seconds: Math.max(1, Math.floor(holdTime / 3)) },
      ];

const restartHold = (s: FsmState): FsmAction[] =>
  s.holdTime === 0 ? [] : [{ type: 'start-timer', timer: 'hold', seconds: s.holdTime }];

const keepalive = (s: FsmState): FsmResult =>
  to(s, s.name, [
    { type: 'send-keepalive' },
    ...(s.holdTime === 0
      ? []
      : [{ type: 'start-timer', timer: 'keepalive', seconds: Math.max(1, Math.floor(s.holdTime / 3)) } as FsmAction]),
  ]);

const stay = (s: FsmState): FsmResult => ({ state: s, actions: [] });

function idle(s: FsmState, e: FsmEvent): FsmResult {
  switch (e.type) {
    case 'ManualStart':
    case 'AutomaticStart': {
      const passive = e.passive ?? s.passive;
      // Passive peers wait in Active for the listener; they never initiate (PassiveTcpEstablishment).
      if (passive)
        return to(s, 'Active', [{ type: 'initialize' }], {
          passive,
          connectRetryCounter: e.type === 'ManualStart' ? 0 : s.connectRetryCounter,
        });
      return to(
        s,
        'Connect',
        [{ type: 'initialize' }, { type: 'start-timer', timer: 'connect-retry' }, { type: 'connect' }],
        {
          passive,
          connectRetryCounter: e.type === 'ManualStart' ? 0 : s.connectRetryCounter,
        },
      );
    }
    default:
      // RFC 4271 §8.2.2 Idle: every other event is ignored.
      return stay(s);
  }
}

function connect(s: FsmState, e: FsmEvent): FsmResult {
  switch (e.type) {
    case 'ManualStart':
    case 'AutomaticStart':
      return stay(s);
    case 'ManualStop':
    case 'AutomaticStop':
      return stop(s, e, false);
    case 'ConnectRetryTimerExpires':
      return to(s, 'Connect', [
        { type: 'drop-connection' },
        { type: 'start-timer', timer: 'connect-retry' },
        { type: 'connect' },
      ]);
    case 'TcpConnectionAcknowledged':
      return openSent(s);
    case 'TcpConnectionConfirmed':
      return openSent(s, e.openWait);
    case 'TcpConnectionFails':
      // Without DelayOpen: back to Idle (the Peer schedules the next AutomaticStart).
      return fail(s);
    case 'NotifMsgVerErr':
      return fail(s, [], false);
    default:
      return fail(s);
  }
}

function active(s: FsmState, e: FsmEvent): FsmResult {
  switch (e.type) {
    case 'ManualStart':
    case 'AutomaticStart':
      return stay(s);
    case 'ManualStop':
    case 'AutomaticStop':
      return stop(s, e, false);
    case 'ConnectRetryTimerExpires':
      if (s.passive) return stay(s);
      return to(s, 'Connect', [{ type: 'start-timer', timer: 'connect-retry' }, { type: 'connect' }]);
    case 'TcpConnectionAcknowledged':
      return openSent(s);
    case 'TcpConnectionConfirmed':
      return openSent(s, e.openWait);
    case 'TcpConnectionFails':
      return fail(s);
    case 'NotifMsgVerErr':
      return fail(s, [], false);
    default:
      return fail(s);
  }
}

/** Header, OPEN and UPDATE errors answer with their own NOTIFICATION (RFC 4271 §6.1, §6.2, §6.3). */
const errorNotify = (e: { code: number; subcode: number; data?: Uint8Array }): FsmAction =>
  notify(e.code, e.subcode, e.data);

/**
 * Events that OpenSent, OpenConfirm and Established handle alike once a connection is up (RFC 4271 §8.2.2):
 * Start events are ignored; Stop events send Cease; hold timer expiry sends its NOTIFICATION; a received
 * NOTIFICATION closes the session (without counting it as a failure when it reports an unsupported version,
 * event 24); a lost collision sends Cease / Connection Collision Resolution. undefined: the state decides.
 */
function connectedEvent(s: FsmState, e: FsmEvent): FsmResult | undefined {
  switch (e.type) {
    case 'ManualStart':
    case 'AutomaticStart':
      return stay(s);
    case 'ManualStop':
    case 'AutomaticStop':
      return stop(s, e, true);
    case 'HoldTimerExpires':
      return fail(s, [notify(ErrorCode.HOLD_TIMER_EXPIRED, 0)]);
    case 'NotifMsgVerErr':
      return fail(s, [], false);
    case 'NotifMsg':
      // Never answer a NOTIFICATION with one (RFC 4271 §6.4: the connection is closed right after it).
      return fail(s);
    case 'OpenCollisionDump':
      return fail(s, [notify(ErrorCode.CEASE, CeaseSubcode.CONNECTION_COLLISION_RESOLUTION)]);
    default:
      return undefined;
  }
}

/**
 * What OpenConfirm and Established add to connectedEvent (RFC 4271 §8.2.2): with the hold time negotiated,
 * the keepalive timer sends KEEPALIVEs, and a lost connection goes straight back to Idle.
 */
function negotiatedEvent(s: FsmState, e: FsmEvent): FsmResult | undefined {
  switch (e.type) {
    case 'KeepaliveTimerExpires':
      return keepalive(s);
    case 'TcpConnectionFails':
      return fail(s);
    default:
      return connectedEvent(s, e);
  }
}

function openSentState(s: FsmState, e: FsmEvent): FsmResult {
  const common = connectedEvent(s, e);
  if (common) return common;
  switch (e.type) {
    case 'TcpConnectionFails':
      // RFC 4271: close, restart ConnectRetryTimer, continue to listen, go to Active.
      return to(s, 'Active', [
        { type: 'drop-connection' },
        { type: 'stop-timer', timer: 'hold' },
        ...(s.passive ? [] : [{ type: 'start-timer', timer: 'connect-retry' } as FsmAction]),
      ]);
    case 'BGPOpen':
      return to(s, 'OpenConfirm', [stopRetry, { type: 'send-keepalive' }, ...negotiatedTimers(e.holdTime)], {
        holdTime: e.holdTime,
      });
    case 'BGPHeaderErr':
    case 'BGPOpenMsgErr':
      return fail(s, [errorNotify(e)]);
    case 'KeepAliveMsg':
    case 'UpdateMsg':
    case 'UpdateMsgErr':
    case 'RouteRefreshMsg':
      return fail(s, [notify(ErrorCode.FSM, FsmErrorSubcode.OPENSENT)]);
    default:
      return fail(s, [notify(ErrorCode.FSM, FsmErrorSubcode.UNSPECIFIED)]);
  }
}

function openConfirm(s: FsmState, e: FsmEvent): FsmResult {
  const common = negotiatedEvent(s, e);
  if (common) return common;
  switch (e.type) {
    case 'BGPHeaderErr':
    case 'BGPOpenMsgErr':
      return fail(s, [errorNotify(e)]);
    case 'KeepAliveMsg':
      return to(s, 'Established', [...restartHold(s), { type: 'established' }]);
    case 'BGPOpen':
    case 'UpdateMsg':
    case 'UpdateMsgErr':
    case 'RouteRefreshMsg':
      return fail(s, [notify(ErrorCode.FSM, FsmErrorSubcode.OPENCONFIRM)]);
    default:
      return fail(s, [notify(ErrorCode.FSM, FsmErrorSubcode.UNSPECIFIED)]);
  }
}

function established(s: FsmState, e: FsmEvent): FsmResult {
  const common = negotiatedEvent(s, e);
  if (common) return common;
  switch (e.type) {
    case 'KeepAliveMsg':
    case 'UpdateMsg':
    case 'RouteRefreshMsg':
      return to(s, 'Established', restartHold(s));
    case 'UpdateMsgErr':
    case 'BGPHeaderErr':
      return fail(s, [errorNotify(e)]);
    case 'BGPOpen':
    case 'BGPOpenMsgErr':
      return fail(s, [notify(ErrorCode.FSM, FsmErrorSubcode.ESTABLISHED)]);
    default:
      return fail(s, [notify(ErrorCode.FSM, FsmErrorSubcode.UNSPECIFIED)]);
  }
}

/** One step of the FSM. Pure: the input state is not modified. */
export function transition(s: FsmState, e: FsmEvent): FsmResult {
  switch (s.name) {
    case 'Idle':
      return idle(s, e);
    case 'Connect':
      return connect(s, e);
    case 'Active':
      return active(s, e);
    case 'OpenSent':
      return openSentState(s, e);
    case 'OpenConfirm':
      return openConfirm(s, e);
    case 'Established':
      return established(s, e);
  }
}
