// A BGP speaker inside a Node.js program: the daemon itself (daemon/daemon.ts), started from typed options
// instead of a file, with no API processes and no command line interface, and with typed events instead of
// JSON lines. Sessions, RIBs, the FlowSpec guard, static routes and flow expiry are the daemon's own code.

import { EventEmitter } from 'node:events';
import { canonicalIp } from '../api/commands';
import { loadEnv } from '../config/env';
import { Daemon } from '../daemon/daemon';
import { type Level, type LogEntry, Logger } from '../daemon/log';
import type { Neighbor } from '../daemon/neighbor';
import { ConfigRefused, loadConfiguration } from '../daemon/startup';
import { REFUSED_HINT } from '../flowspec/guard';
import { familyName } from '../wire/nlri/registry';
import { parsedFlow, parsedRoute } from './codec';
import { decodedUpdate, heldRoute } from './decode';
import { ConfigurationError, FlowSpecRefused, NotRunning, TsbgpError } from './errors';
import { EventStream, type SpeakerEvent, type SpeakerEventMap } from './events';
import { configurationText, type SpeakerOptions } from './options';
import type { FlowSpec, ReceivedFlow, ReceivedRoute, Route } from './types';

/** The name the generated configuration has in messages (`<speaker>:LINE:COL: ...`). */
const CONFIG_NAME = '<speaker>';

export interface SpeakerLogOptions {
  /** Called for each log record at `logLevel` or above (default: nothing is logged). */
  log?: (entry: LogEntry) => void;
  /** Default 'info'. */
  logLevel?: Level;
}

/** Which neighbors a call reaches: one peer address or several (default: every neighbor). */
export interface Target {
  neighbor?: string | string[];
}

/** A neighbor as the speaker sees it now. */
export interface NeighborStatus {
  peerAddress: string;
  /** RFC 4271 §8 FSM state. */
  state: string;
  peerAs: number;
  localAddress?: string;
  /** When the session came up, for an established one. */
  upSince?: Date;
  updatesSent: number;
  updatesReceived: number;
  /** Routes held from the peer (Adj-RIB-In), when it is kept. */
  routesReceived?: number;
}

/** A route or rule held in an Adj-RIB, with the neighbor it came from or goes to; rules have `match`. */
export type HeldRoute = (ReceivedRoute | ReceivedFlow) & { neighbor: string };

export class Speaker extends EventEmitter {
  /** The ExaBGP configuration the options stand for: `tsbgp validate` and `tsbgp run` accept it as is. */
  readonly configuration: string;
  private readonly daemon: Daemon;
  private running = false;
  private stopped = false;
  private readonly streams = new Set<EventStream>();
  private congested = 0;

  /** Throws ConfigurationError with every reason the daemon would refuse the options for. */
  constructor(options: SpeakerOptions & SpeakerLogOptions) {
    super();
    this.configuration = configurationText(options);
    const settings: Record<string, string> = { ...options.settings };
    if (options.listen !== undefined) settings['exabgp.tcp.bind'] = options.listen.join(' ');
    if (options.port !== undefined) settings['exabgp.tcp.port'] = String(options.port);
    // A library speaker takes orders from its program alone: no control socket, no named pipes.
    settings['tsbgp.api.cli'] = 'false';
    let env: ReturnType<typeof loadEnv>;
    try {
      env = loadEnv({ env: settings });
    } catch (e) {
      throw new ConfigurationError([(e as Error).message]);
    }
    this.check(env);
    const sink = options.log;
    const log = new Logger(
      { write: () => undefined, entry: (e) => sink?.(e) },
      sink ? (options.logLevel ?? 'info') : 'error',
    );
    this.daemon = new Daemon({
      configFile: CONFIG_NAME,
      configText: this.configuration,
      env,
      log,
      controlSocket: '',
      onNeighbor: (n) => this.watch(n),
    });
  }

  /** The options' configuration checked as the daemon checks a file, each reason with its generated line. */
  private check(env: ReturnType<typeof loadEnv>): void {
    try {
      loadConfiguration(CONFIG_NAME, { flowspec: env.flowspec, text: this.configuration });
    } catch (e) {
      if (!(e instanceof ConfigRefused)) throw new ConfigurationError([(e as Error).message]);
      const lines = this.configuration.split('\n');
      throw new ConfigurationError(
        e.errors.map((r) => {
          const at = new RegExp(`^${CONFIG_NAME}:(\\d+):`).exec(r);
          const line = at ? lines[Number(at[1]) - 1]?.trim() : undefined;
          return line ? `${r} (in: ${line})` : r;
        }),
      );
    }
  }

  /** Listen (when told to) and open the sessions. */
  async start(): Promise<void> {
    if (this.running) return;
    if (this.stopped) throw new TsbgpError('start: a stopped speaker does not start again (make a new one)');
    try {
      await this.daemon.start();
    } catch (e) {
      if (e instanceof ConfigRefused) throw new ConfigurationError(e.errors);
      throw e;
    }
    this.running = true;
  }

  /** Close every session with a Cease NOTIFICATION and stop listening; iterators end after their last event. */
  async stop(reason = 'tsbgp speaker stopped'): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopped = true;
    await this.daemon.shutdown(reason);
    for (const s of this.streams) s.close();
    this.streams.clear();
  }

  /** Announce a route to the neighbors (all, or those named) that negotiate its family. */
  announce(route: Route, to?: Target): void {
    this.routes(route, to, false, 'announce');
  }

  /** Withdraw a route (its prefix and path id are enough). */
  withdraw(route: Route | string, to?: Target): void {
    this.routes(typeof route === 'string' ? { prefix: route } : { ...route, nextHop: undefined }, to, true, 'withdraw');
  }

  private routes(route: Route, to: Target | undefined, withdraw: boolean, what: string): void {
    const targets = this.targets(to, what);
    const spec = parsedRoute(route, withdraw);
    try {
      this.daemon.applyRoutes([spec], targets, withdraw);
    } catch (e) {
      throw new TsbgpError(`${what} ${route.prefix}: ${(e as Error).message}`);
    }
  }

  /**
   * Announce a FlowSpec rule (typed, or ExaBGP's `{ match { ... } then { ... } }`) after the FlowSpec guard:
   * FlowSpecRefused with the reasons when it refuses, and nothing is sent.
   */
  announceFlow(flow: FlowSpec | string, to?: Target): void {
    const targets = this.targets(to, 'announceFlow');
    const refused = this.daemon.announceFlow(parsedFlow(flow), targets, 'library');
    if (refused.length > 0)
      throw new FlowSpecRefused(
        refused.map((f) => f.message),
        REFUSED_HINT,
      );
  }

  withdrawFlow(flow: FlowSpec | string, to?: Target): void {
    const targets = this.targets(to, 'withdrawFlow');
    const route = parsedFlow(flow);
    for (const n of targets) this.daemon.removeFlow(n, route);
  }

  /** The neighbors and their sessions now. */
  neighbors(): NeighborStatus[] {
    return this.daemon.neighbors.map((n) => {
      const s: NeighborStatus = {
        peerAddress: n.cfg.peerAddress,
        state: n.peer.state,
        peerAs: n.context().peerAs,
        updatesSent: n.updatesSent,
        updatesReceived: n.updatesReceived,
      };
      const local = n.localAddressText();
      if (local !== undefined) s.localAddress = local;
      if (n.peer.state === 'Established') s.upSince = new Date(n.upSince);
      if (n.ribIn) s.routesReceived = n.ribIn.size;
      return s;
    });
  }

  /**
   * The routes and rules a neighbor's peer sent and that are held now (Adj-RIB-In), or those of every neighbor;
   * nothing for a neighbor with `adjRibIn: false`. One object per route, made as the generator is read.
   */
  *adjRibIn(neighbor?: string): Generator<HeldRoute> {
    for (const n of this.pick(neighbor, 'adjRibIn'))
      for (const r of n.ribIn?.routes() ?? [])
        yield { neighbor: n.cfg.peerAddress, ...heldRoute(r.family, r.entry, r.pathId, r.attributes) };
  }

  /** The routes and rules announced to a neighbor (or to each) now (Adj-RIB-Out), sent or waiting for the session. */
  *adjRibOut(neighbor?: string): Generator<HeldRoute> {
    for (const n of this.pick(neighbor, 'adjRibOut'))
      for (const r of n.ribOut.routes())
        yield { neighbor: n.cfg.peerAddress, ...heldRoute(r.family, r.entry, r.pathId, r.attributes) };
  }

  /** Every event from now on, in order, until stop() or the loop ends (see ITERATOR_HIGH_WATER). */
  events(): AsyncIterableIterator<SpeakerEvent> {
    const stream: EventStream = new EventStream({
      congested: (full) => this.congestion(full),
      detach: () => this.streams.delete(stream),
    });
    if (this.stopped) stream.close();
    else this.streams.add(stream);
    return stream;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<SpeakerEvent> {
    return this.events();
  }

  override on<K extends keyof SpeakerEventMap>(event: K, listener: (e: SpeakerEventMap[K]) => void): this {
    return super.on(event, listener);
  }

  override once<K extends keyof SpeakerEventMap>(event: K, listener: (e: SpeakerEventMap[K]) => void): this {
    return super.once(event, listener);
  }

  override off<K extends keyof SpeakerEventMap>(event: K, listener: (e: SpeakerEventMap[K]) => void): this {
    return super.off(event, listener);
  }

  /** An iterator fell behind (or caught up): reading from the peers stops while any is behind. */
  private congestion(full: boolean): void {
    const before = this.congested;
    this.congested += full ? 1 : -1;
    if ((before === 0) === (this.congested === 0)) return;
    for (const n of this.daemon.neighbors) {
      if (this.congested > 0) n.peer.pauseReceive();
      else n.peer.resumeReceive();
    }
  }

  private targets(to: Target | undefined, what: string): Neighbor[] {
    if (!this.running) throw new NotRunning(what);
    return this.pick(to?.neighbor, what);
  }

  /** The neighbors named (all when none is), or a TsbgpError naming the one that is not there. */
  private pick(neighbor: string | string[] | undefined, what: string): Neighbor[] {
    const all = this.daemon.neighbors;
    if (neighbor === undefined) return all;
    const wanted = Array.isArray(neighbor) ? neighbor : [neighbor];
    return wanted.map((w) => {
      const ip = typeof w === 'string' ? canonicalIp(w) : null;
      const n = all.find((x) => x.cfg.peerAddress === w || (ip !== null && canonicalIp(x.cfg.peerAddress) === ip));
      if (!n) throw new TsbgpError(`${what}: no neighbor ${JSON.stringify(w)}`);
      return n;
    });
  }

  private publish(e: SpeakerEvent): void {
    this.emit(e.type, e);
    for (const s of this.streams) s.push(e);
  }

  /** Are UPDATEs wanted? Decoding them into objects is work a program that does not listen should not pay for. */
  private wantsUpdates(): boolean {
    return this.streams.size > 0 || this.listenerCount('update') > 0 || this.listenerCount('eor') > 0;
  }

  /** A neighbor's session events as typed events (the daemon has already updated its RIBs). */
  private watch(n: Neighbor): void {
    const neighbor = n.cfg.peerAddress;
    const peer = n.peer;
    peer.on('state', (from, to) => this.publish({ type: 'state', neighbor, from, to }));
    peer.on('established', (neg) =>
      this.publish({
        type: 'up',
        neighbor,
        peerAs: neg.peerAs,
        holdTime: neg.holdTime,
        families: [...neg.families].map(familyName),
      }),
    );
    peer.on('down', (info) => {
      if (info.wasEstablished) this.publish({ type: 'down', neighbor, reason: info.reason });
    });
    peer.on('update', (u) => {
      if (!this.wantsUpdates()) return;
      const update = decodedUpdate(u);
      if (update.endOfRib !== undefined) this.publish({ type: 'eor', neighbor, family: update.endOfRib });
      else this.publish({ type: 'update', neighbor, update });
    });
    peer.on('notification', (direction, m, message) =>
      this.publish({ type: 'notification', neighbor, direction, code: m.code, subcode: m.subcode, message }),
    );
  }
}
