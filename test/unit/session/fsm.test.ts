import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type FsmAction,
  type FsmEvent,
  type FsmState,
  initialState,
  LARGE_HOLD_TIME,
  type StateName,
  transition,
} from '../../../src/session/fsm';

const EVENTS: FsmEvent[] = [
  { type: 'ManualStart' },
  { type: 'ManualStop' },
  { type: 'AutomaticStart' },
  { type: 'AutomaticStop' },
  { type: 'ConnectRetryTimerExpires' },
  { type: 'HoldTimerExpires' },
  { type: 'KeepaliveTimerExpires' },
  { type: 'TcpConnectionAcknowledged' },
  { type: 'TcpConnectionConfirmed' },
  { type: 'TcpConnectionFails' },
  { type: 'BGPOpen', holdTime: 90 },
  { type: 'BGPHeaderErr', code: 1, subcode: 2, data: Uint8Array.of(0, 10) },
  { type: 'BGPOpenMsgErr', code: 2, subcode: 2 },
  { type: 'OpenCollisionDump' },
  { type: 'NotifMsgVerErr' },
  { type: 'NotifMsg' },
  { type: 'KeepAliveMsg' },
  { type: 'UpdateMsg' },
  { type: 'UpdateMsgErr', code: 3, subcode: 1 },
  { type: 'RouteRefreshMsg' },
];

const ev = (t: FsmEvent['type']): FsmEvent => EVENTS.find((e) => e.type === t)!;
const st = (name: StateName, extra: Partial<FsmState> = {}): FsmState => ({
  ...initialState(),
  name,
  connectRetryCounter: 2,
  holdTime: 90,
  ...extra,
});

// Expected next state for every state × event (RFC 4271 §8.2.2, no optional attributes).
const I = 'Idle',
  C = 'Connect',
  A = 'Active',
  S = 'OpenSent',
  O = 'OpenConfirm',
  E = 'Established';
const TABLE: Record<StateName, Record<FsmEvent['type'], StateName>> = {
  Idle: {
    ManualStart: C,
    ManualStop: I,
    AutomaticStart: C,
    AutomaticStop: I,
    ConnectRetryTimerExpires: I,
    HoldTimerExpires: I,
    KeepaliveTimerExpires: I,
    TcpConnectionAcknowledged: I,
    TcpConnectionConfirmed: I,
    TcpConnectionFails: I,
    BGPOpen: I,
    BGPHeaderErr: I,
    BGPOpenMsgErr: I,
    OpenCollisionDump: I,
    NotifMsgVerErr: I,
    NotifMsg: I,
    KeepAliveMsg: I,
    UpdateMsg: I,
    UpdateMsgErr: I,
    RouteRefreshMsg: I,
  },
  Connect: {
    ManualStart: C,
    ManualStop: I,
    AutomaticStart: C,
    AutomaticStop: I,
    ConnectRetryTimerExpires: C,
    HoldTimerExpires: I,
    KeepaliveTimerExpires: I,
    TcpConnectionAcknowledged: S,
    TcpConnectionConfirmed: S,
    TcpConnectionFails: I,
    BGPOpen: I,
    BGPHeaderErr: I,
    BGPOpenMsgErr: I,
    OpenCollisionDump: I,
    NotifMsgVerErr: I,
    NotifMsg: I,
    KeepAliveMsg: I,
    UpdateMsg: I,
    UpdateMsgErr: I,
    RouteRefreshMsg: I,
  },
  Active: {
    ManualStart: A,
    ManualStop: I,
    AutomaticStart: A,
    AutomaticStop: I,
    ConnectRetryTimerExpires: C,
    HoldTimerExpires: I,
    KeepaliveTimerExpires: I,
    TcpConnectionAcknowledged: S,
    TcpConnectionConfirmed: S,
    TcpConnectionFails: I,
    BGPOpen: I,
    BGPHeaderErr: I,
    BGPOpenMsgErr: I,
    OpenCollisionDump: I,
    NotifMsgVerErr: I,
    NotifMsg: I,
    KeepAliveMsg: I,
    UpdateMsg: I,
    UpdateMsgErr: I,
    RouteRefreshMsg: I,
  },
  OpenSent: {
    ManualStart: S,
    ManualStop: I,
    AutomaticStart: S,
    AutomaticStop: I,
    ConnectRetryTimerExpires: I,
    HoldTimerExpires: I,
    KeepaliveTimerExpires: I,
    TcpConnectionAcknowledged: I,
    TcpConnectionConfirmed: I,
    TcpConnectionFails: A,
    BGPOpen: O,
    BGPHeaderErr: I,
    BGPOpenMsgErr: I,
    OpenCollisionDump: I,
    NotifMsgVerErr: I,
    NotifMsg: I,
    KeepAliveMsg: I,
    UpdateMsg: I,
    UpdateMsgErr: I,
    RouteRefreshMsg: I,
  },
  OpenConfirm: {
    ManualStart: O,
    ManualStop: I,
    AutomaticStart: O,
    AutomaticStop: I,
    ConnectRetryTimerExpires: I,
    HoldTimerExpires: I,
    KeepaliveTimerExpires: O,
    TcpConnectionAcknowledged: I,
    TcpConnectionConfirmed: I,
    TcpConnectionFails: I,
    BGPOpen: I,
    BGPHeaderErr: I,
    BGPOpenMsgErr: I,
    OpenCollisionDump: I,
    NotifMsgVerErr: I,
    NotifMsg: I,
    KeepAliveMsg: E,
    UpdateMsg: I,
    UpdateMsgErr: I,
    RouteRefreshMsg: I,
  },
  Established: {
    ManualStart: E,
    ManualStop: I,
    AutomaticStart: E,
    AutomaticStop: I,
    ConnectRetryTimerExpires: I,
    HoldTimerExpires: I,
    KeepaliveTimerExpires: E,
    TcpConnectionAcknowledged: I,
    TcpConnectionConfirmed: I,
    TcpConnectionFails: I,
    BGPOpen: I,
    BGPHeaderErr: I,
    BGPOpenMsgErr: I,
    OpenCollisionDump: I,
    NotifMsgVerErr: I,
    NotifMsg: I,
    KeepAliveMsg: E,
    UpdateMsg: E,
    UpdateMsgErr: I,
    RouteRefreshMsg: E,
  },
};

const notifs = (a: FsmAction[]) =>
  a.filter((x): x is Extract<FsmAction, { type: 'send-notification' }> => x.type === 'send-notification');
const has = (a: FsmAction[], t: FsmAction['type']) => a.some((x) => x.type === t);
const CONNECTED: StateName[] = ['OpenSent', 'OpenConfirm', 'Established'];

for (const state of Object.keys(TABLE) as StateName[]) {
  test(`FSM ${state}: every event goes where RFC 4271 §8.2.2 says`, () => {
    for (const e of EVENTS) {
      const s = st(state);
      const frozen = JSON.stringify(s);
      const r = transition(s, e);
      assert.equal(r.state.name, TABLE[state][e.type], `${state} + ${e.type}`);
      assert.equal(JSON.stringify(s), frozen, 'input state untouched');
      // Invariants of every transition into Idle from a non-Idle state.
      if (state !== 'Idle' && r.state.name === 'Idle') {
        assert.ok(has(r.actions, 'drop-connection'), `${state} + ${e.type} drops`);
        assert.ok(has(r.actions, 'release-resources'), `${state} + ${e.type} releases`);
        const stopped = r.actions.filter((a) => a.type === 'stop-timer').map((a) => (a as { timer: string }).timer);
        assert.deepEqual(stopped.sort(), ['connect-retry', 'hold', 'keepalive']);
        const n = notifs(r.actions);
        // Only connections talking BGP send a NOTIFICATION; never in reply to one or to a dead socket.
        if (!CONNECTED.includes(state) || ['NotifMsg', 'NotifMsgVerErr', 'TcpConnectionFails'].includes(e.type))
          assert.equal(n.length, 0, `${state} + ${e.type}`);
        else assert.equal(n.length, 1, `${state} + ${e.type} notifies`);
        // Counter: ManualStop zeroes, NotifMsgVerErr keeps, others increment.
        const want = e.type === 'ManualStop' ? 0 : e.type === 'NotifMsgVerErr' ? 2 : 3;
        assert.equal(r.state.connectRetryCounter, want, `${state} + ${e.type} counter`);
      }
      if (state === 'Idle')
        assert.ok(r.actions.every((a) => a.type === 'initialize' || a.type === 'start-timer' || a.type === 'connect'));
    }
  });
}

test('Idle + ManualStart connects with the connect retry timer; passive goes to Active without connecting', () => {
  const r = transition(initialState(), { type: 'ManualStart' });
  assert.equal(r.state.name, 'Connect');
  assert.ok(has(r.actions, 'connect'));
  assert.deepEqual(
    r.actions.find((a) => a.type === 'start-timer'),
    { type: 'start-timer', timer: 'connect-retry' },
  );
  const p = transition(initialState(), { type: 'ManualStart', passive: true });
  assert.equal(p.state.name, 'Active');
  assert.ok(!has(p.actions, 'connect'));
  // A passive peer stays in Active when the retry timer fires.
  const q = transition(p.state, { type: 'ConnectRetryTimerExpires' });
  assert.equal(q.state.name, 'Active');
  assert.deepEqual(q.actions, []);
});

test('TCP up: OPEN sent, hold timer set to the large value', () => {
  for (const from of ['Connect', 'Active'] as StateName[]) {
    const r = transition(st(from), { type: 'TcpConnectionAcknowledged' });
    assert.deepEqual(r.actions, [
      { type: 'stop-timer', timer: 'connect-retry' },
      { type: 'send-open' },
      { type: 'start-timer', timer: 'hold', seconds: LARGE_HOLD_TIME },
    ]);
  }
});

test('an incoming connection waits openWait seconds for the OPEN, not the large value', () => {
  for (const from of ['Connect', 'Active'] as StateName[]) {
    const r = transition(st(from), { type: 'TcpConnectionConfirmed', openWait: 5 });
    assert.equal(r.state.name, 'OpenSent');
    assert.deepEqual(r.actions, [
      { type: 'stop-timer', timer: 'connect-retry' },
      { type: 'send-open' },
      { type: 'start-timer', timer: 'hold', seconds: 5 },
    ]);
  }
});

test('OpenSent + BGPOpen: KEEPALIVE, negotiated hold and keepalive timers; hold 0 runs no timers', () => {
  const r = transition(st('OpenSent'), { type: 'BGPOpen', holdTime: 90 });
  assert.equal(r.state.holdTime, 90);
  assert.deepEqual(r.actions, [
    { type: 'stop-timer', timer: 'connect-retry' },
    { type: 'send-keepalive' },
    { type: 'start-timer', timer: 'hold', seconds: 90 },
    { type: 'start-timer', timer: 'keepalive', seconds: 30 },
  ]);
  const z = transition(st('OpenSent'), { type: 'BGPOpen', holdTime: 0 });
  assert.ok(!z.actions.some((a) => a.type === 'start-timer'));
  assert.ok(z.actions.some((a) => a.type === 'stop-timer' && a.timer === 'hold'));
  // Established with hold time 0: keepalive messages do not restart any timer.
  const e = transition(st('Established', { holdTime: 0 }), { type: 'KeepAliveMsg' });
  assert.deepEqual(e.actions, []);
});

test('OpenConfirm + KEEPALIVE: Established, hold timer restarted', () => {
  const r = transition(st('OpenConfirm'), { type: 'KeepAliveMsg' });
  assert.deepEqual(r.actions, [{ type: 'start-timer', timer: 'hold', seconds: 90 }, { type: 'established' }]);
});

test('Established: UPDATE and KEEPALIVE restart the hold timer; keepalive timer sends KEEPALIVE', () => {
  for (const t of ['UpdateMsg', 'KeepAliveMsg', 'RouteRefreshMsg'] as const) {
    assert.deepEqual(transition(st('Established'), { type: t }).actions, [
      { type: 'start-timer', timer: 'hold', seconds: 90 },
    ]);
  }
  assert.deepEqual(transition(st('Established'), { type: 'KeepaliveTimerExpires' }).actions, [
    { type: 'send-keepalive' },
    { type: 'start-timer', timer: 'keepalive', seconds: 30 },
  ]);
});

test('NOTIFICATION codes sent by each failure', () => {
  const code = (s: StateName, e: FsmEvent) => notifs(transition(st(s), e).actions).map((n) => [n.code, n.subcode]);
  assert.deepEqual(code('Established', ev('HoldTimerExpires')), [[4, 0]]);
  assert.deepEqual(code('OpenSent', ev('HoldTimerExpires')), [[4, 0]]);
  assert.deepEqual(code('Established', ev('ManualStop')), [[6, 2]]);
  assert.deepEqual(code('OpenConfirm', ev('AutomaticStop')), [[6, 6]]);
  assert.deepEqual(code('OpenSent', ev('OpenCollisionDump')), [[6, 7]]);
  assert.deepEqual(code('OpenSent', ev('BGPOpenMsgErr')), [[2, 2]]);
  assert.deepEqual(code('Established', ev('UpdateMsgErr')), [[3, 1]]);
  assert.deepEqual(code('Established', ev('BGPHeaderErr')), [[1, 2]]);
  // RFC 6608 subcodes for unexpected messages.
  assert.deepEqual(code('OpenSent', ev('UpdateMsg')), [[5, 1]]);
  assert.deepEqual(code('OpenConfirm', ev('UpdateMsg')), [[5, 2]]);
  assert.deepEqual(code('Established', ev('BGPOpen')), [[5, 3]]);
  // RFC 9003 text travels in the Cease data.
  const data = Uint8Array.of(3, 0x62, 0x79, 0x65);
  const n = notifs(transition(st('Established'), { type: 'ManualStop', data }).actions)[0];
  assert.deepEqual(n.data, data);
  // Header error data is kept.
  assert.deepEqual(notifs(transition(st('OpenSent'), ev('BGPHeaderErr')).actions)[0].data, Uint8Array.of(0, 10));
});

test('NOTIFICATION is sent before the connection is dropped', () => {
  const r = transition(st('Established'), ev('HoldTimerExpires'));
  const i = r.actions.findIndex((a) => a.type === 'send-notification');
  const j = r.actions.findIndex((a) => a.type === 'drop-connection');
  assert.ok(i >= 0 && i < j);
});

test('OpenSent + TcpConnectionFails goes back to Active and retries unless passive', () => {
  const r = transition(st('OpenSent'), ev('TcpConnectionFails'));
  assert.equal(r.state.name, 'Active');
  assert.ok(r.actions.some((a) => a.type === 'start-timer' && a.timer === 'connect-retry'));
  const p = transition(st('OpenSent', { passive: true }), ev('TcpConnectionFails'));
  assert.ok(!p.actions.some((a) => a.type === 'start-timer'));
});
