// A BGP peer: the FSM (fsm.ts) bound to a TCP socket, timers behind a Clock, the Framer and the codec.
// One Peer is one configured neighbor. It owns at most two connections at a time: the main one and, during a
// connection collision (RFC 4271 §6.8), a second incoming one until one of the two is chosen.

import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { ErrorCode, isDecodeError } from '../wire/errors';
import { Framer } from '../wire/framer';
import { parseIp } from '../wire/ip';
import { encodeKeepalive } from '../wire/keepalive';
import {
  CeaseSubcode,
  decodeNotification,
  encodeNotification,
  notificationText,
  shutdownCommunication,
} from '../wire/notification';
import { decodeOpen, encodeOpen, OpenErrorSubcode } from '../wire/open';
import { decodeRouteRefresh, encodeRouteRefresh } from '../wire/refresh';
import {
  afiOf,
  Cap,
  type Capability,
  type FamilyKey,
  IPV4_UNICAST,
  MessageType,
  type Notification,
  type Open,
  type RouteRefresh,
  safiOf,
  type Update,
} from '../wire/types';
import { decodeUpdate } from '../wire/update';
import { type Clock, systemClock, type TimerHandle } from './clock';
import { type FsmAction, type FsmEvent, type FsmState, initialState, type StateName, transition } from './fsm';
import {
  AS_TRANS,
  checkOpen,
  type Negotiated,
  negotiate,
  omitCapabilities,
  type RefusedCapability,
  refusedCapabilities,
} from './negotiate';
import { checkReceived, type SessionFacts } from './received';
import { hasSecurity, secureSocket, type TcpSecurity } from './tcp-security';

export interface PeerCapabilities {
  /** RFC 6793, default on. */
  asn4?: boolean;
  /** RFC 2918, default on. */
  routeRefresh?: boolean;
  /** RFC 7313. */
  enhancedRouteRefresh?: boolean;
  /** RFC 7911 per family: 1 receive, 2 send, 3 both. */
  addPath?: { family: FamilyKey; mode: number }[];
  /**
   * RFC 4724: announce graceful restart. `restarting` sets the R bit (§3: we have restarted, the peer must not
   * wait for our End-of-RIB), `forwarding` the F bit of every family (§3: forwarding state preserved, so the
   * peer keeps our stale routes until our End-of-RIB instead of deleting them when we are back).
   */
  gracefulRestart?: { restartTime: number; families?: FamilyKey[]; forwarding?: boolean; restarting?: boolean };
  /** RFC 8654. */
  extendedMessage?: boolean;
  /** RFC 8950. */
  extendedNextHop?: { afi: number; safi: number; nextHopAfi: number }[];
  /** draft-walton-bgp-hostname-capability. */
  hostname?: { hostname: string; domain: string };
  /** draft-abraitis-bgp-version-capability. */
  softwareVersion?: string;
  /** RFC 8277 §2.1: the most labels we receive per route, per labeled family. */
  multipleLabels?: { family: FamilyKey; count: number }[];
}

export interface PeerOptions {
  /** For messages; defaults to the peer address. */
  name?: string;
  peerAddress: string;
  /** Default 179. */
  peerPort?: number;
  /** Source address for outgoing connections; also matched by the listener when given. */
  localAddress?: string;
  /** Source port for outgoing connections (rarely useful). */
  localPort?: number;
  localAs: number;
  /** Expected AS of the peer, or 'auto' to take whatever it announces. */
  peerAs: number | 'auto';
  /**
   * The peer is in another member AS of our confederation (RFC 5065): the session is external, but the
   * confederation segments of its AS_PATHs are expected rather than malformed.
   */
  confederationPeer?: boolean;
  /** Dotted quad or 4 bytes. */
  routerId: string | Uint8Array;
  /** Seconds, 0 or >= 3. Default 180. */
  holdTime?: number;
  /** Only accept connections, never initiate. */
  passive?: boolean;
  /** Families to announce in MULTIPROTOCOL capabilities. Default: IPv4 unicast. */
  families?: FamilyKey[];
  capabilities?: PeerCapabilities;
  clock?: Clock;
  /** Seconds between connection attempts: doubles from min up to max after each failure. Default 5 → 120. */
  connectRetry?: { min: number; max: number };
  /** Restart by itself after the session went down (default true). */
  autoRestart?: boolean;
  /** Socket buffer above which no more UPDATEs are written until 'drain'. Default 64 KiB. */
  writeHighWater?: number;
  /** Seconds a connection the neighbor opened has to send its OPEN before it is closed. Default 5. */
  openWait?: number;
  /** TCP MD5 key and TTL security of the connections (set before the SYN on outgoing ones). */
  security?: TcpSecurity;
}

/** Where UPDATE messages come from (an Adj-RIB-Out): asked for more only when the socket can take them. */
export interface UpdateSource {
  pull(max: number): Uint8Array[];
}

export type Direction = 'sent' | 'received';

export interface DownInfo {
  reason: string;
  /** The session had reached Established before going down. */
  wasEstablished: boolean;
  /** RFC 4724 applies: the peer's routes are to be kept as stale (peer announced GR, no NOTIFICATION involved). */
  graceful: boolean;
  notification?: { direction: Direction; notification: Notification };
}

/** Typed event map of Peer. */
export interface PeerEvents {
  state: [from: StateName, to: StateName];
  open: [direction: Direction, open: Open];
  update: [update: Update, negotiated: Negotiated, body: Uint8Array];
  notification: [direction: Direction, notification: Notification, text: string];
  keepalive: [direction: Direction];
  refresh: [refresh: RouteRefresh];
  established: [negotiated: Negotiated];
  down: [info: DownInfo];
  /** RFC 4271 §6.8 resolved: which connection stayed (the one we initiated, or the peer's). */
  collision: [kept: 'local' | 'remote'];
  /** A connection from the neighbor's address was refused or closed before it carried a session, and why. */
  refused: [reason: string];
}

const ipv4Bytes = (s: string | Uint8Array): Uint8Array => {
  if (typeof s !== 'string') return s;
  const b = parseIp(s);
  if (b?.length !== 4) throw new Error(`router id ${s} is not an IPv4 address`);
  return b;
};
const u32 = (b: Uint8Array): number => ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;

/** A socket's address as text, IPv4-mapped IPv6 (dual-stack sockets) turned back into a dotted quad. */
export function socketAddressText(s: string | undefined): string {
  if (!s) return '';
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  return (m ? m[1] : s).toLowerCase();
}

/** An address as bytes, IPv4-mapped IPv6 turned back into IPv4. */
export function socketAddressBytes(s: string | undefined): Uint8Array | null {
  if (!s) return null;
  return parseIp(socketAddressText(s));
}

/** One TCP connection and the FSM state that goes with it. */
class Connection {
  fsm: FsmState;
  socket: net.Socket | null = null;
  framer = new Framer();
  sentOpen: Open | null = null;
  receivedOpen: Open | null = null;
  negotiated: Negotiated | null = null;
  hold: TimerHandle = undefined;
  keepalive: TimerHandle = undefined;
  /** UPDATEs handed to send() and not yet written. */
  updates: Uint8Array[] = [];
  waitingDrain = false;
  /** Reading suspended by pauseReceive(): the socket is paused and the hold timer is not running. */
  recvPaused = false;
  /** No more events to the peer: this connection lost a collision or was replaced. */
  detached = false;
  /** Set before a transition: why the connection may go down. */
  reason = '';
  /** The other end, "address port N", for log lines. */
  remote = '';
  /** What the checks of received UPDATEs need to know of the session (set at the first one). */
  facts?: SessionFacts;
  notification?: { direction: Direction; notification: Notification };

  constructor(
    readonly peer: Peer,
    readonly outgoing: boolean,
    passive: boolean,
  ) {
    this.fsm = initialState(passive);
  }
}

export class Peer extends EventEmitter<PeerEvents> {
  readonly name: string;
  readonly opts: Readonly<PeerOptions>;
  readonly routerId: Uint8Array;
  private readonly clock: Clock;
  private main: Connection;
  private candidate: Connection | null = null;
  private retryTimer: TimerHandle = undefined;
  private restartTimer: TimerHandle = undefined;
  private enabled = false;
  private refused: RefusedCapability[] = [];
  private noCapabilities = false;
  private source: UpdateSource | null = null;
  private readonly highWater: number;
  private readonly openWait: number;
  private stopWaiters: (() => void)[] = [];

  constructor(opts: PeerOptions) {
    super();
    this.opts = opts;
    this.name = opts.name ?? opts.peerAddress;
    this.routerId = ipv4Bytes(opts.routerId);
    this.clock = opts.clock ?? systemClock;
    this.highWater = opts.writeHighWater ?? 65536;
    this.openWait = opts.openWait ?? 5;
    this.main = new Connection(this, !opts.passive, !!opts.passive);
  }

  get state(): StateName {
    return this.main.fsm.name;
  }

  /** Parameters of the current session (from OpenConfirm on), else null. */
  get negotiated(): Negotiated | null {
    return this.main.negotiated;
  }

  get connectRetryCounter(): number {
    return this.main.fsm.connectRetryCounter;
  }

  /** Local address of the current connection as bytes (for next-hop self). */
  get localAddress(): Uint8Array | null {
    return socketAddressBytes(this.main.socket?.localAddress);
  }

  /** Whether the current connection was initiated by us (RFC 4271 §6.8 cares). */
  get outgoing(): boolean {
    return this.main.outgoing;
  }

  get remoteAddress(): string | undefined {
    return this.main.socket?.remoteAddress;
  }

  /** Capabilities the peer refused (NOTIFICATION 2/7) and that later OPENs leave out. */
  get refusedCapabilities(): readonly RefusedCapability[] {
    return this.refused;
  }

  /** ManualStart. */
  start(): void {
    this.enabled = true;
    this.clock.clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.dispatch(this.main, { type: 'ManualStart', passive: !!this.opts.passive });
  }

  /**
   * ManualStop: NOTIFICATION Cease, then close. The subcode is Administrative Shutdown unless told (RFC 4486
   * §4: Peer De-configured when the configuration dropped or changed the neighbor); `text` goes with
   * Administrative Shutdown and Reset as the RFC 9003 shutdown communication, the only subcodes it is defined
   * for; bytes go as the NOTIFICATION's data whatever the subcode. Resolves once the connection is closed.
   * `graceful`: an Established session on which both sides announced graceful restart is closed without the
   * NOTIFICATION (RFC 4724 §4.1, what ExaBGP 4.2 does), so that the peer keeps our routes while we restart.
   */
  stop(
    text?: string | Uint8Array,
    subcode: number = CeaseSubcode.ADMIN_SHUTDOWN,
    opts: { graceful?: boolean } = {},
  ): Promise<void> {
    this.enabled = false;
    this.clock.clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const communication = subcode === CeaseSubcode.ADMIN_SHUTDOWN || subcode === CeaseSubcode.ADMIN_RESET;
    const data = text instanceof Uint8Array ? text : text && communication ? shutdownCommunication(text) : undefined;
    const done = new Promise<void>((resolve) => this.stopWaiters.push(resolve));
    const sockets = [this.main.socket, this.candidate?.socket].filter((s): s is net.Socket => !!s);
    if (this.candidate) this.dispatch(this.candidate, { type: 'ManualStop', subcode, data });
    const silent = !!opts.graceful && this.main.fsm.name === 'Established' && !!this.main.negotiated?.gracefulRestart;
    this.main.reason = silent
      ? 'closed without NOTIFICATION for graceful restart (RFC 4724)'
      : subcode === CeaseSubcode.PEER_DECONFIGURED
        ? 'peer de-configured'
        : subcode === CeaseSubcode.MAX_PREFIXES
          ? 'maximum number of prefixes reached'
          : 'administrative shutdown';
    this.dispatch(this.main, { type: 'ManualStop', subcode, data, silent });
    let left = sockets.length;
    if (left === 0) this.resolveStop();
    for (const s of sockets) {
      if (s.destroyed) {
        if (--left === 0) this.resolveStop();
      } else s.once('close', () => --left === 0 && this.resolveStop());
    }
    return done;
  }

  private resolveStop(): void {
    const w = this.stopWaiters;
    this.stopWaiters = [];
    for (const f of w) f();
  }

  /** Where UPDATEs come from once Established (pulled as the socket drains). */
  setSource(src: UpdateSource | null): void {
    this.source = src;
    this.wake();
  }

  /** Something new to send: write as much as the socket takes. */
  wake(): void {
    this.flush(this.main);
  }

  /**
   * Queue UPDATE messages (full messages, header included). Returns false when the queue is long: the caller
   * should wait for the next wake (e.g. use setSource instead) to keep memory bounded.
   */
  send(messages: Uint8Array | Uint8Array[]): boolean {
    const c = this.main;
    if (c.fsm.name !== 'Established') return false;
    if (Array.isArray(messages)) for (const m of messages) c.updates.push(m);
    else c.updates.push(messages);
    this.flush(c);
    return c.updates.length < 1024;
  }

  /**
   * Stop reading what the peer sends (Established only): the consumers of its UPDATEs are behind. TCP then
   * slows the peer down (its writes block once our receive window is full), and nothing piles up here.
   * RFC 4271 §6.5's hold timer measures the peer's silence; while we are not listening we cannot hear its
   * KEEPALIVEs, so the timer is stopped meanwhile and restarted in full on resumeReceive(). Our own KEEPALIVEs
   * keep going, so the peer's hold timer is not affected either.
   */
  pauseReceive(): void {
    const c = this.main;
    if (c.recvPaused || c.fsm.name !== 'Established' || !c.socket) return;
    c.recvPaused = true;
    c.socket.pause();
    this.stopTimer(c, 'hold');
  }

  /** Read again: the messages already received are handled first, then the socket flows again. */
  resumeReceive(): void {
    const c = this.main;
    if (!c.recvPaused) return;
    c.recvPaused = false;
    if (c.fsm.name !== 'Established') return;
    if (c.fsm.holdTime > 0) this.startTimer(c, 'hold', c.fsm.holdTime);
    this.handleFramed(c);
    if (!c.recvPaused) c.socket?.resume();
  }

  get receivePaused(): boolean {
    return this.main.recvPaused;
  }

  /** Ask the peer to send a family again (RFC 2918; needs its route refresh capability). */
  requestRefresh(family: FamilyKey, subtype = 0): boolean {
    const c = this.main;
    if (c.fsm.name !== 'Established' || !c.negotiated?.routeRefresh) return false;
    this.writePriority(c, encodeRouteRefresh({ afi: afiOf(family), safi: safiOf(family), subtype }));
    return true;
  }

  /**
   * A connection from the listener for this peer. Returns false when it was refused (stopped, or a session is
   * already established: RFC 4271 §6.8 keeps the established one).
   *
   * Anyone who can open a TCP connection from the neighbor's address (another user on the neighbor's host, for
   * one) can stay silent on it. So a connection the neighbor opened is "pending" until its OPEN arrives, and:
   * it has openWait seconds to send it (FSM event 17's openWait); it never displaces a connection of ours
   * that is being set up (it waits beside it as the candidate until its OPEN arrives); and there is at most
   * one pending per neighbor, the newest: an older one that is still silent is closed. Keeping the older one
   * instead would let a single silent connection, renewed each time it is closed, refuse the real neighbor's.
   */
  accept(socket: net.Socket): boolean {
    const from = `${socketAddressText(socket.remoteAddress)} port ${socket.remotePort ?? 0}`;
    if (!this.enabled) return this.refuse(socket, `refused a connection from ${from}: the neighbor is stopped`);
    const m = this.main;
    switch (m.fsm.name) {
      case 'Idle':
      case 'Active':
        this.takeOver(socket);
        return true;
      case 'OpenSent':
        if (!m.outgoing) {
          this.emit('refused', `closed the connection from ${m.remote} that sent no OPEN: ${from} replaces it`);
          this.takeOver(socket);
          return true;
        }
        return this.beside(socket, from);
      case 'Connect':
      case 'OpenConfirm':
        return this.beside(socket, from);
      case 'Established':
        // RFC 4271 §6.8: a collision with an Established session closes the new connection, with Cease /
        // Connection Collision Resolution (RFC 4486 §3, subcode 7).
        return this.refuse(
          socket,
          `refused a connection from ${from}: a session is established`,
          CeaseSubcode.CONNECTION_COLLISION_RESOLUTION,
        );
    }
  }

  /** The incoming connection becomes the main one: nothing worth keeping is on the current one. */
  private takeOver(socket: net.Socket): void {
    const m = this.main;
    const before = { ...m.fsm };
    const c = new Connection(this, false, !!this.opts.passive);
    this.main = c;
    // A silent incoming connection being replaced: closed as the loser of a collision, without a 'down'.
    if (m.socket) this.dismiss(m, 'replaced by a newer connection');
    if (before.name === 'Idle') {
      this.clock.clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
      this.dispatch(c, { type: 'AutomaticStart', passive: true });
    } else {
      c.fsm = { ...before, name: 'Active' };
      this.clock.clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    // Keep the backoff history of the peer.
    c.fsm.connectRetryCounter = before.connectRetryCounter;
    c.fsm.passive = !!this.opts.passive;
    this.bind(c, socket);
    // From Idle, dispatch() already reported Idle → Active.
    if (before.name !== 'Idle' && before.name !== c.fsm.name) this.emit('state', before.name, c.fsm.name);
    this.dispatch(c, { type: 'TcpConnectionConfirmed', openWait: this.openWait });
  }

  /** The incoming connection waits beside ours as the candidate until its OPEN arrives (resolveCollision). */
  private beside(socket: net.Socket, from: string): boolean {
    // A candidate is always pending: it is resolved as soon as its OPEN arrives.
    if (this.candidate) {
      this.emit(
        'refused',
        `closed the connection from ${this.candidate.remote} that sent no OPEN: ${from} replaces it`,
      );
      this.dismiss(this.candidate, 'replaced by a newer connection');
    }
    const c = new Connection(this, false, true);
    c.fsm = { ...c.fsm, name: 'Active' };
    this.candidate = c;
    this.bind(c, socket);
    this.dispatch(c, { type: 'TcpConnectionConfirmed', openWait: this.openWait });
    return true;
  }

  private refuse(socket: net.Socket, reason: string, ceaseSubcode?: number): false {
    this.emit('refused', reason);
    if (ceaseSubcode === undefined) socket.destroy();
    else {
      socket.on('error', () => undefined);
      socket.end(encodeNotification({ code: ErrorCode.CEASE, subcode: ceaseSubcode, data: new Uint8Array(0) }));
      // A peer that does not read must not keep the socket.
      setTimeout(() => socket.destroy(), 2000).unref();
    }
    return false;
  }

  /**
   * Close a connection that is not (or no longer) the main one with Cease / Connection Collision Resolution
   * (RFC 4271 §6.8, RFC 4486 §3), reporting nothing about it: it carried no session.
   */
  private dismiss(c: Connection, reason: string): void {
    c.detached = true;
    c.reason = reason;
    this.dispatch(c, { type: 'OpenCollisionDump' });
  }

  // ---- FSM plumbing ----

  private dispatch(c: Connection, e: FsmEvent): void {
    const from = c.fsm.name;
    const r = transition(c.fsm, e);
    c.fsm = r.state;
    const isMain = c === this.main && !c.detached;
    if (isMain && from !== r.state.name) this.emit('state', from, r.state.name);
    for (const a of r.actions) this.act(c, a, from);
    if (isMain && r.state.name === 'Idle' && from !== 'Idle') this.afterIdle(c);
    if (c === this.candidate && r.state.name === 'Idle') this.candidate = null;
  }

  private act(c: Connection, a: FsmAction, from: StateName): void {
    switch (a.type) {
      case 'initialize':
        c.framer = new Framer();
        c.negotiated = null;
        c.sentOpen = c.receivedOpen = null;
        break;
      case 'connect':
        this.connect(c);
        break;
      case 'drop-connection':
        this.drop(c);
        break;
      case 'send-open': {
        const o = this.buildOpen();
        c.sentOpen = o;
        this.writePriority(c, encodeOpen(o));
        if (!c.detached) this.emit('open', 'sent', o);
        break;
      }
      case 'send-keepalive':
        this.writePriority(c, encodeKeepalive());
        break;
      case 'send-notification': {
        const n: Notification = { code: a.code, subcode: a.subcode, data: a.data };
        this.writePriority(c, encodeNotification(n));
        c.notification ??= { direction: 'sent', notification: n };
        if (!c.reason) c.reason = `sent ${notificationText(n)}`;
        if (!c.detached) this.emit('notification', 'sent', n, notificationText(n));
        break;
      }
      case 'start-timer':
        this.startTimer(c, a.timer, a.seconds);
        break;
      case 'stop-timer':
        this.stopTimer(c, a.timer);
        break;
      case 'established':
        if (!c.detached && c.negotiated) {
          c.fsm.connectRetryCounter = 0;
          this.emit('established', c.negotiated);
          this.flush(c);
        }
        break;
      case 'release-resources': {
        c.updates = [];
        if (c.detached || c !== this.main) break;
        const wasEstablished = from === 'Established';
        const gr = c.negotiated?.gracefulRestart;
        const info: DownInfo = {
          reason: c.reason || 'connection closed',
          wasEstablished,
          graceful: wasEstablished && !!gr && gr.families.size > 0 && !c.notification && this.enabled,
          notification: c.notification,
        };
        this.emit('down', info);
        break;
      }
    }
  }

  private retryDelay(counter: number): number {
    const min = this.opts.connectRetry?.min ?? 5;
    const max = this.opts.connectRetry?.max ?? 120;
    return Math.min(max, min * 2 ** Math.max(0, counter - 1));
  }

  private startTimer(c: Connection, t: 'connect-retry' | 'hold' | 'keepalive', seconds?: number): void {
    this.stopTimer(c, t);
    if (t === 'connect-retry') {
      if (c !== this.main) return;
      const ms = this.retryDelay(Math.max(1, c.fsm.connectRetryCounter)) * 1000;
      this.retryTimer = this.clock.setTimeout(() => {
        this.retryTimer = undefined;
        c.reason = 'connect retry timer expired';
        this.dispatch(c, { type: 'ConnectRetryTimerExpires' });
      }, ms);
      return;
    }
    const ms = (seconds ?? 0) * 1000;
    // Not listening (pauseReceive): silence is ours, not the peer's; resumeReceive() starts the timer.
    if (t === 'hold' && c.recvPaused) return;
    if (t === 'hold') {
      c.hold = this.clock.setTimeout(() => {
        // After a stall of our own (a long GC pause, a burst of work) the loop runs due timers before it reads
        // the sockets, so the peer's KEEPALIVE may be waiting unread. Decide once pending input is handled: a
        // 0 ms timer runs after the next I/O poll, and a message read meanwhile restarts the hold timer,
        // which cancels this one. The peer's silence is what RFC 4271 §6.5 means, not our own.
        c.hold = this.clock.setTimeout(() => {
          c.hold = undefined;
          if (c.fsm.name === 'OpenSent' && !c.outgoing) {
            c.reason = `no OPEN received within ${seconds} s`;
            this.emit('refused', `closed the connection from ${c.remote}: ${c.reason} (bgp.openwait)`);
          } else c.reason = 'hold timer expired';
          this.dispatch(c, { type: 'HoldTimerExpires' });
        }, 0);
      }, ms);
    } else {
      c.keepalive = this.clock.setTimeout(() => {
        c.keepalive = undefined;
        this.dispatch(c, { type: 'KeepaliveTimerExpires' });
        if (!c.detached && c.fsm.name !== 'Idle') this.emit('keepalive', 'sent');
      }, ms);
    }
  }

  private stopTimer(c: Connection, t: 'connect-retry' | 'hold' | 'keepalive'): void {
    if (t === 'connect-retry') {
      if (c !== this.main) return;
      if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    } else if (t === 'hold') {
      if (c.hold !== undefined) this.clock.clearTimeout(c.hold);
      c.hold = undefined;
    } else {
      if (c.keepalive !== undefined) this.clock.clearTimeout(c.keepalive);
      c.keepalive = undefined;
    }
  }

  /** The main connection fell back to Idle: start again after the backoff, unless stopped. */
  private afterIdle(c: Connection): void {
    for (const t of ['hold', 'keepalive'] as const) this.stopTimer(c, t);
    c.reason = '';
    c.notification = undefined;
    if (!this.enabled || this.opts.autoRestart === false) return;
    const delay = this.opts.passive ? 0 : this.retryDelay(c.fsm.connectRetryCounter) * 1000;
    this.restartTimer = this.clock.setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.enabled || this.main.fsm.name !== 'Idle') return;
      // A fresh connection object: nothing of the old one may leak into the new session.
      const n = new Connection(this, !this.opts.passive, !!this.opts.passive);
      n.fsm = { ...this.main.fsm };
      this.main = n;
      this.dispatch(n, { type: 'AutomaticStart', passive: !!this.opts.passive });
    }, delay);
  }

  private buildOpen(): Open {
    const o = this.opts;
    const cp = o.capabilities ?? {};
    const caps: Capability[] = [];
    const families = o.families ?? [IPV4_UNICAST];
    for (const f of families) caps.push({ code: Cap.MULTIPROTOCOL, afi: afiOf(f), safi: safiOf(f) });
    if (cp.routeRefresh !== false) caps.push({ code: Cap.ROUTE_REFRESH });
    if (cp.enhancedRouteRefresh) caps.push({ code: Cap.ENHANCED_ROUTE_REFRESH });
    if (cp.asn4 !== false) caps.push({ code: Cap.AS4, asn: o.localAs });
    if (cp.gracefulRestart) {
      const g = cp.gracefulRestart;
      caps.push({
        code: Cap.GRACEFUL_RESTART,
        restartFlags: g.restarting ? 0x8 : 0,
        restartTime: g.restartTime,
        families: (g.families ?? families).map((f) => ({
          afi: afiOf(f),
          safi: safiOf(f),
          flags: g.forwarding ? 0x80 : 0,
        })),
      });
    }
    if (cp.addPath && cp.addPath.length > 0) {
      caps.push({
        code: Cap.ADD_PATH,
        families: cp.addPath.map((a) => ({ afi: afiOf(a.family), safi: safiOf(a.family), mode: a.mode })),
      });
    }
    if (cp.extendedMessage) caps.push({ code: Cap.EXTENDED_MESSAGE });
    if (cp.multipleLabels && cp.multipleLabels.length > 0) {
      caps.push({
        code: Cap.MULTIPLE_LABELS,
        families: cp.multipleLabels.map((m) => ({ afi: afiOf(m.family), safi: safiOf(m.family), count: m.count })),
      });
    }
    if (cp.extendedNextHop && cp.extendedNextHop.length > 0)
      caps.push({ code: Cap.EXTENDED_NEXT_HOP, entries: cp.extendedNextHop });
    if (cp.hostname) caps.push({ code: Cap.HOSTNAME, hostname: cp.hostname.hostname, domain: cp.hostname.domain });
    if (cp.softwareVersion) caps.push({ code: Cap.SOFTWARE_VERSION, version: cp.softwareVersion });
    return {
      version: 4,
      myAs: o.localAs > 0xffff ? AS_TRANS : o.localAs,
      holdTime: o.holdTime ?? 180,
      routerId: this.routerId,
      capabilities: this.noCapabilities ? [] : omitCapabilities(caps, this.refused),
    };
  }

  // ---- sockets ----

  private connect(c: Connection): void {
    if (c.socket) this.kill(c);
    const o = this.opts;
    const to = { host: o.peerAddress, port: o.peerPort ?? 179, localAddress: o.localAddress, localPort: o.localPort };
    if (!hasSecurity(o.security)) {
      this.bind(c, net.connect(to), true);
      return;
    }
    let s: net.Socket;
    try {
      s = secureSocket(o.peerAddress, o.security);
    } catch (e) {
      // Reported like a failed connect: the socket closes at once and the retry timer runs.
      s = new net.Socket();
      this.bind(c, s, true);
      c.reason = `connect failed: ${(e as Error).message}`;
      s.destroy();
      return;
    }
    this.bind(c, s, true);
    s.connect(to);
  }

  private bind(c: Connection, s: net.Socket, connecting = false): void {
    c.socket = s;
    c.remote = `${socketAddressText(s.remoteAddress ?? this.opts.peerAddress)} port ${s.remotePort ?? this.opts.peerPort ?? 179}`;
    s.setNoDelay(true);
    let connected = !connecting;
    if (connecting) {
      s.once('connect', () => {
        connected = true;
        if (c.socket === s) this.dispatch(c, { type: 'TcpConnectionAcknowledged' });
      });
    }
    s.on('data', (chunk: Buffer) => {
      if (c.socket === s) this.receive(c, chunk);
    });
    s.on('drain', () => {
      if (c.socket !== s) return;
      c.waitingDrain = false;
      this.flush(c);
    });
    s.on('error', (err) => {
      if (c.socket === s && !c.reason)
        c.reason = connected ? `socket error: ${err.message}` : `connect failed: ${err.message}`;
    });
    s.on('close', () => {
      if (c.socket !== s) return;
      c.socket = null;
      if (!c.reason) c.reason = 'connection closed by peer';
      this.dispatch(c, { type: 'TcpConnectionFails' });
    });
  }

  /** Drop the connection after what is queued (the NOTIFICATION) has gone out. */
  private drop(c: Connection): void {
    const s = c.socket;
    c.socket = null;
    c.updates = [];
    c.waitingDrain = false;
    if (!s) return;
    s.end();
    // A peer that stops reading must not keep the socket forever.
    const t = setTimeout(() => s.destroy(), 2000);
    t.unref();
    s.once('close', () => clearTimeout(t));
    s.resume();
  }

  private kill(c: Connection): void {
    const s = c.socket;
    c.socket = null;
    s?.destroy();
  }

  private writePriority(c: Connection, msg: Uint8Array): void {
    // Written at once: only UPDATEs wait in c.updates / the source, so this overtakes all of them; at most
    // `writeHighWater` bytes of UPDATEs can sit in the socket buffer ahead of it.
    c.socket?.write(msg);
  }

  private flush(c: Connection): void {
    const s = c.socket;
    if (!s || c.fsm.name !== 'Established' || c.waitingDrain || c.detached || c !== this.main) return;
    let wrote = false;
    for (;;) {
      if (s.writableLength >= this.highWater) {
        c.waitingDrain = true;
        break;
      }
      let msgs: Uint8Array[];
      if (c.updates.length > 0) msgs = c.updates.splice(0, 64);
      else if (this.source) msgs = this.source.pull(16);
      else break;
      if (msgs.length === 0) break;
      let ok = true;
      for (const m of msgs) ok = s.write(m) && ok;
      wrote = true;
      if (!ok) {
        c.waitingDrain = true;
        break;
      }
    }
    // RFC 4271 §4.4: sending an UPDATE restarts the KeepaliveTimer.
    if (wrote && c.negotiated && c.negotiated.holdTime > 0 && c.keepalive !== undefined) {
      this.startTimer(c, 'keepalive', c.negotiated.keepaliveTime);
    }
  }

  private receive(c: Connection, chunk: Uint8Array): void {
    try {
      c.framer.push(chunk);
    } catch (e) {
      this.headerError(c, e);
      return;
    }
    this.handleFramed(c);
  }

  /** Handle the complete messages the framer holds, until it runs out or receiving is paused. */
  private handleFramed(c: Connection): void {
    for (;;) {
      if (c.socket === null || c.fsm.name === 'Idle' || c.recvPaused) return;
      let m: { type: number; body: Uint8Array } | null;
      try {
        m = c.framer.next();
      } catch (e) {
        this.headerError(c, e);
        return;
      }
      if (!m) return;
      this.message(c, m.type, m.body);
    }
  }

  private headerError(c: Connection, e: unknown): void {
    if (!isDecodeError(e)) throw e;
    c.reason = `message header error: ${e.message}`;
    this.dispatch(c, { type: 'BGPHeaderErr', code: e.code, subcode: e.subcode, data: e.data });
  }

  private message(c: Connection, type: number, body: Uint8Array): void {
    switch (type) {
      case MessageType.OPEN:
        return this.onOpen(c, body);
      case MessageType.UPDATE: {
        if (c.fsm.name !== 'Established' || !c.negotiated) {
          c.reason = `UPDATE in ${c.fsm.name}`;
          return this.dispatch(c, { type: 'UpdateMsg' });
        }
        let u: Update;
        try {
          u = decodeUpdate(body, c.negotiated.recvCtx);
        } catch (e) {
          if (!isDecodeError(e)) throw e;
          c.reason = `malformed UPDATE: ${e.message}`;
          return this.dispatch(c, { type: 'UpdateMsgErr', code: e.code, subcode: e.subcode, data: e.data });
        }
        c.facts ??= {
          ebgp: !c.negotiated.ibgp && this.opts.confederationPeer !== true,
          confederationPeer: this.opts.confederationPeer === true,
          localAddress: socketAddressBytes(c.socket?.localAddress),
          labels: c.negotiated.labelsReceive,
        };
        checkReceived(u, c.facts);
        this.dispatch(c, { type: 'UpdateMsg' });
        if (!c.detached) this.emit('update', u, c.negotiated, body);
        return;
      }
      case MessageType.NOTIFICATION: {
        let n: Notification;
        try {
          n = decodeNotification(body);
        } catch {
          n = { code: body[0] ?? 0, subcode: body[1] ?? 0, data: body.subarray(2) };
        }
        const text = notificationText(n);
        c.notification = { direction: 'received', notification: n };
        c.reason = `received ${text}`;
        if (!c.detached) this.emit('notification', 'received', n, text);
        if (n.code === ErrorCode.OPEN_MESSAGE && n.subcode === OpenErrorSubcode.UNSUPPORTED_CAPABILITY) {
          // RFC 5492 §5: the next OPEN leaves out what the peer named.
          for (const r of refusedCapabilities(n)) this.refused.push(r);
        } else if (n.code === ErrorCode.OPEN_MESSAGE && n.subcode === OpenErrorSubcode.UNSUPPORTED_OPTIONAL_PARAMETER) {
          // RFC 5492 §5: a speaker without capability support; try again without any.
          this.noCapabilities = true;
        }
        const verErr = n.code === ErrorCode.OPEN_MESSAGE && n.subcode === OpenErrorSubcode.UNSUPPORTED_VERSION;
        return this.dispatch(c, { type: verErr ? 'NotifMsgVerErr' : 'NotifMsg' });
      }
      case MessageType.KEEPALIVE:
        if (!c.detached) this.emit('keepalive', 'received');
        return this.dispatch(c, { type: 'KeepAliveMsg' });
      case MessageType.ROUTE_REFRESH: {
        if (c.fsm.name !== 'Established') {
          c.reason = `ROUTE-REFRESH in ${c.fsm.name}`;
          return this.dispatch(c, { type: 'RouteRefreshMsg' });
        }
        let r: RouteRefresh;
        try {
          r = decodeRouteRefresh(body);
        } catch (e) {
          if (!isDecodeError(e)) throw e;
          // RFC 7313 §5: a malformed ROUTE-REFRESH resets the session with code 7.
          c.reason = `malformed ROUTE-REFRESH: ${e.message}`;
          return this.dispatch(c, { type: 'UpdateMsgErr', code: e.code, subcode: e.subcode, data: e.data });
        }
        this.dispatch(c, { type: 'RouteRefreshMsg' });
        if (!c.detached) this.emit('refresh', r);
        return;
      }
      default:
        c.reason = `unknown message type ${type}`;
        return this.dispatch(c, {
          type: 'BGPHeaderErr',
          code: ErrorCode.MESSAGE_HEADER,
          subcode: 3,
          data: Uint8Array.of(type),
        });
    }
  }

  private onOpen(c: Connection, body: Uint8Array): void {
    if (c.fsm.name !== 'OpenSent') {
      c.reason = `OPEN in ${c.fsm.name}`;
      return this.dispatch(c, { type: 'BGPOpen', holdTime: c.fsm.holdTime });
    }
    let o: Open;
    try {
      o = decodeOpen(body);
    } catch (e) {
      if (!isDecodeError(e)) throw e;
      c.reason = `malformed OPEN: ${e.message}`;
      return this.dispatch(c, { type: 'BGPOpenMsgErr', code: e.code, subcode: e.subcode, data: e.data });
    }
    if (!c.detached) this.emit('open', 'received', o);
    const bad = checkOpen({ localAs: this.opts.localAs, peerAs: this.opts.peerAs, routerId: this.routerId }, o);
    if (bad) {
      c.reason = `OPEN refused: ${bad.reason}`;
      return this.dispatch(c, { type: 'BGPOpenMsgErr', code: bad.code, subcode: bad.subcode, data: bad.data });
    }
    c.receivedOpen = o;
    c.negotiated = negotiate(c.sentOpen ?? this.buildOpen(), o, this.opts.localAs);
    c.framer.setMaxMessage(c.negotiated.recvCtx.maxMessage);
    if (this.resolveCollision(c, o)) return;
    this.dispatch(c, { type: 'BGPOpen', holdTime: c.negotiated.holdTime });
  }

  /**
   * RFC 4271 §6.8: with two connections to the same peer, the one initiated by the speaker with the higher BGP
   * Identifier survives; the other is closed with Cease / Connection Collision Resolution (RFC 4486).
   * Returns true when `c` itself was dumped.
   */
  private resolveCollision(c: Connection, o: Open): boolean {
    const other = c === this.candidate ? this.main : c === this.main ? this.candidate : null;
    if (!other) return false;
    let keep: Connection;
    let collided = true;
    switch (other.fsm.name) {
      case 'OpenSent':
      case 'OpenConfirm': {
        const keepLocalInitiated = u32(this.routerId) > u32(o.routerId);
        // Two connections opened by the neighbor (no rule covers it): the main one, which got further.
        keep = c.outgoing === keepLocalInitiated ? c : other.outgoing === keepLocalInitiated ? other : this.main;
        break;
      }
      case 'Established':
        // The candidate spoke after the main connection came up: the new connection is the one closed.
        keep = other;
        break;
      default:
        // No BGP on the other connection (our attempt still connecting, or gone): nothing collides, the
        // connection that sent its OPEN becomes the session.
        if (c === this.main) return false;
        keep = c;
        collided = false;
    }
    const dump = keep === c ? other : c;
    if (collided) this.emit('collision', keep.outgoing ? 'local' : 'remote');
    dump.detached = true;
    dump.reason = 'connection collision';
    if (dump === this.main) {
      // The surviving connection takes over as the peer's session, without a 'down': none was up.
      const from = this.main.fsm.name;
      this.main = keep;
      this.candidate = null;
      keep.fsm.connectRetryCounter = dump.fsm.connectRetryCounter;
      this.clock.clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.clock.clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
      this.dispatch(dump, { type: 'OpenCollisionDump' });
      if (from !== keep.fsm.name) this.emit('state', from, keep.fsm.name);
    } else {
      this.candidate = null;
      this.dispatch(dump, { type: 'OpenCollisionDump' });
    }
    return dump === c;
  }
}
