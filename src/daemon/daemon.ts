// The daemon: the one place that knows every part. It builds neighbors from the configuration, starts the
// API processes, turns session events into JSON/text lines for the processes that asked for them, and turns
// API commands into Adj-RIB-Out changes. Data flows one way on each path (docs/ARCHITECTURE.md).

import * as path from 'node:path';
import { AckPolicy } from '../api/ack';
import { ControlServer, type Emit, findNamedPipes, NamedPipeControl, pipeSearchLocations } from '../api/control';
import { JsonEncoder, type NegotiatedInfo } from '../api/json';
import { type ProcessConfig, ProcessManager } from '../api/process';
import { ExabgpTextEncoder } from '../api/text';
import { confederationPlace } from '../config/confederation';
import type { Env } from '../config/env';
import type { EvpnConfigRoute } from '../config/evpn';
import { parseConfiguredFlow } from '../config/flow-check';
import { httpSettings } from '../config/http';
import type { ApiConfig, Config, NeighborConfig } from '../config/model';
import { expandSplit, type RouteSpec } from '../config/route';
import type { RouteList } from '../config/route-list';
import type { VplsRoute } from '../config/vpls';
import { type DdosConfig, ddosKey } from '../ddos/config';
import { DdosService } from '../ddos/service';
import { checkRule, type Finding, type GuardOptions, mustRefuse } from '../flowspec/guard';
import { flowToString, textSurvivesWire } from '../flowspec/json';
import type { FlowRoute } from '../flowspec/rule';
import type { HttpServer } from '../http/server';
import { internUpdate } from '../rib/adj-rib-in';
import { AttrInterner } from '../rib/attr-intern';
import { RouteReflector, reflectionConfigured } from '../roles/route-reflector/reflector';
import { RouteServer } from '../roles/route-server/server';
import { Listener } from '../session/listener';
import type { Negotiated } from '../session/negotiate';
import { encodeFlowRule, setIpv6OffsetLayout } from '../wire/nlri/flowspec';
import { CeaseSubcode } from '../wire/notification';
import type { Update } from '../wire/types';
import { CommandRunner } from './commands';
import type { Logger } from './log';
import { Neighbor } from './neighbor';
import {
  announceStatic,
  evpnEntry,
  flowParts,
  type RibEntry,
  routeEntry,
  vplsEntry,
  withdrawRemoved,
  withdrawRemovedEvpn,
  withdrawRemovedVpls,
} from './routes';
import { RpkiService } from './rpki';
import { loadConfiguration } from './startup';
import { DaemonStats } from './stats';

export interface DaemonOptions {
  configFile: string;
  env: Env;
  log: Logger;
  /** Control socket path ('' = none). */
  controlSocket?: string;
  /** The configuration's text instead of the file's (the library's Speaker); `configFile` then only names it. */
  configText?: string;
  /** Called with each neighbor once its session events are wired, before its session starts (the Speaker's events). */
  onNeighbor?: (n: Neighbor) => void;
}

type Encoder = 'json' | 'text';

/** The settings of an `api` block merged for one process and one neighbor. */
interface Subscription {
  process: string;
  encoder: Encoder;
  api: ApiConfig;
}

export class Daemon {
  readonly interner = new AttrInterner();
  readonly neighbors: Neighbor[] = [];
  readonly processes: ProcessManager;
  readonly acks: AckPolicy;
  readonly json = new JsonEncoder();
  readonly text = new ExabgpTextEncoder();
  readonly log: Logger;
  /** RPKI origin validation from the `rpki` section's caches (daemon/rpki.ts). */
  readonly rpki: RpkiService;
  /** The `ddos` section's flow collector and detector, when configured (a reload applies changes to it). */
  ddos: DdosService | undefined;
  /** Commands and guard refusals counted, for /metrics. */
  readonly stats = new DaemonStats();
  config!: Config;
  /** The FlowSpec guard's settings for the configuration in force (tsbgp.flowspec and what it protects). */
  private guardOpts: GuardOptions = {};
  /** Route reflection (RFC 4456) and its Loc-RIB: only when some neighbor is a route-reflector-client. */
  reflector: RouteReflector | null = null;
  /** The IX route server (RFC 7947) and its Loc-RIB: only when some neighbor is a route-server-client. */
  routeServer: RouteServer | null = null;
  private listener: Listener | null = null;
  private control: ControlServer | null = null;
  private pipes: NamedPipeControl | null = null;
  private http: HttpServer | null = null;
  /** Started and not stopping: what /readyz tells. */
  private ready = false;
  readonly runner: CommandRunner;
  private stopping = false;
  /** Resolves when the daemon has shut down. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(readonly opts: DaemonOptions) {
    this.log = opts.log;
    this.rpki = new RpkiService(opts.log);
    this.done = new Promise((r) => (this.resolveDone = r));
    const env = opts.env;
    setIpv6OffsetLayout(env.flowspec.offset6);
    this.acks = new AckPolicy({ enabled: env.api.ack });
    this.processes = new ProcessManager({
      respawn: env.api.respawn,
      baseDir: path.dirname(path.resolve(opts.configFile)),
      stderr: 'inherit',
      env: { exabgp_api_ack: String(env.api.ack) },
      maxWriteBuffer: env.api.buffer,
      stallMs: env.api.stall * 1000,
      log: (level, message) => this.log.log(level, message, { component: 'process' }),
    });
    this.runner = new CommandRunner(this);
  }

  /** Parse the configuration, bind the listener, start processes and sessions. Throws on a bad config. */
  async start(): Promise<void> {
    const checked = loadConfiguration(this.opts.configFile, {
      flowspec: this.opts.env.flowspec,
      text: this.opts.configText,
    });
    ({ config: this.config, guard: this.guardOpts } = checked);
    // The parser's warnings and the guard's, each once with its file:line:col (rules let through by
    // tsbgp.flowspec.guard=warn or allow-unsafe among them).
    for (const w of checked.warnings) this.log.warning(w);
    this.rpki.configure(this.config.rpki);
    for (const n of this.config.neighbors) this.addNeighbor(n);
    this.syncRoles();
    await this.startListener();
    this.startProcesses();
    await this.startControl();
    await this.startHttp();
    if (this.config.ddos) await this.startDdos(this.config.ddos);
    for (const n of this.neighbors) n.peer.start();
    this.ready = true;
    this.log.info(`started with ${this.neighbors.length} neighbor(s), ${this.config.processes.size} process(es)`);
  }

  /** The HTTP server as the configuration's http section and tsbgp.http.* ask; it (and prom-client) loaded only then. */
  private async startHttp(): Promise<void> {
    const { settings, overridden } = httpSettings(this.config.http, this.opts.env.http);
    for (const o of overridden)
      this.log.info(`http: the configuration's http section replaces ${o} of the environment`);
    if (settings.port !== 0)
      this.http = await (await import('../http/server')).startHttp(this, settings, () => this.ready);
  }

  /** After a reload: the HTTP server started, stopped, moved or given its new token as the configuration now asks. */
  private async reloadHttp(): Promise<void> {
    const { settings } = httpSettings(this.config.http, this.opts.env.http);
    if (this.http === null && settings.port === 0) return;
    this.http = await (await import('../http/server')).reloadHttp(this, this.http, settings, () => this.ready);
  }

  /** The DDoS detector (ddos/service.ts): its rules go through the command path, so through the FlowSpec guard. */
  private async startDdos(cfg: DdosConfig): Promise<void> {
    const log = this.log.with({ component: 'ddos' });
    const svc = new DdosService(cfg, {
      run: (line) => this.runner.internal(line, 'ddos'),
      event: (line) => {
        for (const p of svc.cfg.processes ?? [...this.config.processes.keys()]) this.processes.write(p, line);
      },
      log: (level, message) => log.log(level, message),
    });
    this.ddos = svc;
    await svc.start();
  }

  /**
   * A reload's ddos section: applied to the detector in force (service.ts reconfigure), started when new, ended
   * (attacks over, rules withdrawn) when gone. A listener that cannot be bound keeps the section in force.
   */
  private async reloadDdos(next: DdosConfig | undefined): Promise<void> {
    const log = this.log.with({ component: 'ddos' });
    try {
      if (next === undefined) {
        const withdrawn = this.ddos?.end() ?? 0;
        this.ddos = undefined;
        log.info(`ddos: section removed: detector stopped, ${withdrawn} rule(s) withdrawn`);
      } else if (this.ddos === undefined) {
        await this.startDdos(next).catch((e) => {
          this.ddos?.stop();
          this.ddos = undefined;
          throw e;
        });
      } else log.info(await this.ddos.reconfigure(next));
    } catch (e) {
      log.error(
        `ddos: the new ddos section could not be applied, the detector is left as it was: ${(e as Error).message}`,
      );
    }
  }

  private async startListener(): Promise<void> {
    const env = this.opts.env;
    // ExaBGP listens only where told (exabgp.tcp.bind); tsbgp also listens for passive neighbors on their
    // local address, since a passive neighbor with no listener can never come up.
    const addresses = new Set(env.tcp.bind.filter((a) => a !== ''));
    for (const n of this.neighbors) {
      // md5-ip, when given, is the session's local address (ExaBGP listens there).
      if (n.cfg.passive && n.cfg.localAddress !== 'auto' && addresses.size === 0)
        addresses.add(n.cfg.md5Ip ?? n.cfg.localAddress);
    }
    if (addresses.size === 0) return;
    const port = this.neighbors.find((n) => n.cfg.listen !== 0)?.cfg.listen || env.tcp.port;
    const l = new Listener({ addresses: [...addresses], port });
    for (const n of this.neighbors) l.add(n.peer);
    l.on('rejected', (addr, p, local) =>
      this.log.warning(`refused connection from unknown peer ${addr}:${p} to ${local}`),
    );
    l.on('error', (e) => this.log.error(`listener: ${e.message}`));
    await l.listen();
    this.log.info(`listening on ${[...addresses].join(', ')} port ${l.ports.join(',')}`);
    this.listener = l;
  }

  private async startControl(): Promise<void> {
    // exabgp.api.cli=false: no command line interface at all, neither the socket nor the named pipes.
    if (!this.opts.env.api.cli) return;
    const sock = this.opts.controlSocket;
    const handler = (line: string, emit: Emit) => this.runner.answer(line, 'cli', emit);
    if (sock) {
      this.control = new ControlServer({
        socketPath: sock,
        handler,
        log: (lvl, m) => this.log.log(lvl, m, { component: 'control' }),
      });
      await this.control.listen();
    }
    const name = this.opts.env.api.pipename;
    const locations = pipeSearchLocations();
    const refused: string[] = [];
    const dir = findNamedPipes(name, '', locations, (why) => refused.push(why));
    // Where the pipes were found or looked for, logged at start as ExaBGP 4.2 does (application/bgp.py); at info
    // level rather than ExaBGP's error when they are missing, since the control socket still answers.
    const log = this.log.with({ component: 'cli' });
    // Pipes another user made or can write to would take that user's orders (api/ownership.ts): said, not used.
    for (const why of refused) log.warning(why);
    if (!dir) {
      log.info(`named pipes ${name}.in and ${name}.out not found for the cli; looked in:`);
      for (const l of new Set(locations)) log.info(`  ${l}`);
      log.info(`to use them: mkfifo -m 600 /run/exabgp/${name}.in /run/exabgp/${name}.out`);
      return;
    }
    log.info(
      `named pipes for the cli: commands to ${path.join(dir, `${name}.in`)}, answers from ${path.join(dir, `${name}.out`)}`,
    );
    this.pipes = new NamedPipeControl({ dir, pipename: name, handler, log: (lvl, m) => log.log(lvl, m) });
    await this.pipes.start();
  }

  private startProcesses(): void {
    const pm = this.processes;
    // Acks stay plain `done`/`error` lines for JSON processes too: ExaBGP 4.2 has no JSON ack, and its programs
    // (healthcheck among them) compare the line with "done" (see api/ack.ts).
    pm.on('spawn', (name, pid) => {
      this.acks.reset(name);
      this.log.info(`process started`, { process: name, pid });
    });
    pm.on('command', (name, line) => this.runner.fromProcess(name, line));
    pm.on('exit', (name, code, signal, respawning) =>
      this.log.warning(
        `process exited (code ${code ?? '-'}, signal ${signal ?? '-'})${respawning ? ', respawning' : ''}`,
        { process: name },
      ),
    );
    pm.on('giveup', (name, reason) => this.log.error(`process given up: ${reason}`, { process: name }));
    // A process cut off for not reading is logged once, by the process manager, with its numbers.
    pm.on('drain', () => this.release());
    pm.start(this.processConfigs());
  }

  /**
   * The configured processes as the manager starts them. As ExaBGP (reactor/api/processes.py): a process is
   * respawned only when both its own `respawn` and exabgp.api.respawn allow it.
   */
  private processConfigs(): ProcessConfig[] {
    const respawn = this.opts.env.api.respawn;
    return [...this.config.processes.values()].map((p) => ({
      name: p.name,
      run: p.run,
      respawn: p.respawn && respawn,
    }));
  }

  /** The route reflector follows the configuration: made when first asked for, its members kept in step. */
  private syncRoles(): void {
    this.syncRouteServer();
    if (this.reflector === null && !reflectionConfigured(this.config.neighbors)) return;
    this.reflector ??= new RouteReflector(this.interner, { alwaysCompareMed: this.config.alwaysCompareMed });
    this.reflector.sync(this.neighbors, this.config.clusterId);
  }

  /** The route server follows the configuration like the reflector; VRP changes reach it for revalidation. */
  private syncRouteServer(): void {
    if (this.routeServer === null && !this.config.neighbors.some((n) => n.routeServerClient)) return;
    if (this.routeServer === null) {
      const rs = new RouteServer(
        this.interner,
        (v6, buf, off, len, origin) => this.rpki.validate(v6, buf, off, len, origin),
        { alwaysCompareMed: this.config.alwaysCompareMed },
      );
      this.rpki.onChange((changed) => rs.revalidate(changed));
      this.routeServer = rs;
    }
    this.routeServer.sync(this.neighbors);
  }

  /** Build a neighbor: its peer, ribs, static routes and flows, and its event fan-out. */
  private addNeighbor(cfg: NeighborConfig): Neighbor {
    const own = cfg.localAs === 'auto' ? (cfg.peerAs === 'auto' ? 0 : cfg.peerAs) : cfg.localAs;
    // RFC 5065 §4: a peer outside our confederation knows us by its identifier, in the OPEN and the AS_PATH.
    const localAs = confederationPlace(cfg) === 'outside' ? cfg.confederation!.identifier : own;
    const n = new Neighbor(
      cfg,
      localAs,
      this.interner,
      this.log.with({ peer: cfg.peerAddress }),
      this.opts.env.tcp.port,
      this.opts.env.bgp.openwait,
    );
    this.neighbors.push(n);
    this.loadStatic(n);
    this.wire(n);
    this.opts.onNeighbor?.(n);
    return n;
  }

  /** Static routes and flow rules of the configuration into the neighbor's Adj-RIB-Out (or its watchdogs). */
  private loadStatic(n: Neighbor): void {
    announceStatic(n.cfg.routes, n.ribOut, (route) => {
      for (const r of expandSplit(route)) this.staticEntry(n, routeEntry(r), r);
    });
    for (const v of n.cfg.vpls) this.staticEntry(n, vplsEntry(v), v);
    for (const v of n.cfg.evpn) this.staticEntry(n, evpnEntry(v), v);
    for (const f of n.cfg.flows) {
      const route = parseConfiguredFlow(f);
      // The guard ran over this rule in loadConfiguration, before start or reload applied anything.
      this.addFlow(n, route, 'configuration');
    }
  }

  /** A configured route into the neighbor's Adj-RIB-Out, or kept by its watchdog (announced unless `withdraw`). */
  private staticEntry(n: Neighbor, e: RibEntry, r: { watchdog?: string; withdraw?: boolean }): void {
    if (r.watchdog !== undefined) {
      let w = n.watchdogs.get(r.watchdog);
      if (!w) n.watchdogs.set(r.watchdog, (w = { entries: [], announced: !r.withdraw }));
      w.entries.push(e);
    }
    if (!r.withdraw) n.announce(e);
  }

  /** The guard's findings that refuse the rule (none: it may be sent); its warnings are logged. */
  guardFindings(route: FlowRoute): Finding[] {
    const findings = checkRule(route, this.guardOpts);
    const name = route.name ?? 'rule';
    for (const f of findings) if (f.severity === 'warn') this.log.warning(`flow ${name}: ${f.message}`);
    if (!mustRefuse(findings)) return [];
    const refusing = findings.filter((f) => f.severity === 'refuse');
    for (const f of refusing) this.stats.guardRefused(f.code);
    return refusing;
  }

  /**
   * Routes announced or withdrawn to the neighbors among `targets` that negotiate their family: what an API
   * process's `announce route` and the library's Speaker both do. `split /N` stands for the prefix's /N
   * more-specifics, as ExaBGP 4.2's API route parser (configuration/static/__init__.py) returns them. Throws an
   * Error with the reason for a route tsbgp cannot send.
   */
  applyRoutes(routes: RouteSpec[], targets: Neighbor[], withdraw: boolean, source = 'api'): void {
    for (const r of routes) {
      // tsbgp's `expires N`: the neighbor withdraws the route by itself then (neighbor.ts timedRoutes).
      const expiry = r.expiresIn === undefined ? undefined : { at: Date.now() + r.expiresIn * 1000, source };
      for (const part of expandSplit(r)) {
        const e = routeEntry(part, withdraw);
        for (const n of targets) {
          if (!n.cfg.families.includes(e.family)) continue;
          if (withdraw) n.withdraw(e);
          else n.announce(e, expiry);
        }
      }
    }
  }

  /**
   * A flow rule announced to the neighbors among `targets` that negotiate its family, after the guard: the
   * findings it refuses the rule for (nothing sent then), or none.
   */
  announceFlow(route: FlowRoute, targets: Neighbor[], source: string): Finding[] {
    // The guard runs before anything is sent: a rule that would match BGP itself is refused here.
    const reasons = this.guardFindings(route);
    if (reasons.length > 0) return reasons;
    for (const n of targets) if (n.cfg.families.includes(route.rule.family)) this.addFlow(n, route, source);
    return [];
  }

  /** Announce a flow rule to a neighbor and list it (with its expiry) in the neighbor's flow table. */
  addFlow(n: Neighbor, route: FlowRoute, source: string): void {
    const e = flowParts(route);
    n.ribOut.announce(e.family, e.entry, e.attributes, { pathId: e.pathId, nextHop: e.nextHop });
    // The table keeps the rule's NLRI bytes and makes its text from them, unless the wire would change it.
    const text = textSurvivesWire(route.rule) ? undefined : flowToString(route.rule);
    n.flows.set(e.family, e.entry, e.pathId ?? 0, source, Date.now(), route.expiresAt, text);
    if (route.expiresAt !== undefined) n.scheduleFlowExpiry();
  }

  removeFlow(n: Neighbor, route: FlowRoute): boolean {
    const family = route.rule.family;
    const entry = encodeFlowRule(route.rule, false);
    n.flows.delete(family, entry);
    return n.ribOut.withdraw(family, entry, route.rule.pathId ?? 0);
  }

  /** Which processes hear about this neighbor, with which encoder and api settings. */
  private subscriptions(n: Neighbor): Subscription[] {
    const out: Subscription[] = [];
    for (const api of n.cfg.api) {
      for (const p of api.processes) {
        const pc = this.config.processes.get(p);
        out.push({ process: p, encoder: pc?.encoder === 'text' ? 'text' : 'json', api });
      }
    }
    return out;
  }

  private emit(
    subs: Subscription[],
    pick: (s: Subscription) => boolean,
    make: (enc: Encoder) => string | Uint8Array | null,
  ): void {
    let json: string | Uint8Array | null | undefined;
    let text: string | Uint8Array | null | undefined;
    for (const s of subs) {
      if (!pick(s)) continue;
      let line: string | Uint8Array | null;
      if (s.encoder === 'json') line = json === undefined ? (json = make('json')) : json;
      else line = text === undefined ? (text = make('text')) : text;
      if (line !== null) this.processes.write(s.process, line);
    }
  }

  /** Neighbors whose reading is paused because a process that hears their UPDATEs is behind. */
  private readonly heldBack = new Set<Neighbor>();

  /** After UPDATE events were queued: stop reading from the peer while one of their processes is congested. */
  private holdBack(n: Neighbor, subs: Subscription[]): void {
    for (const s of subs) {
      if ((s.api.receive.update || s.api.receive.parsed) && this.processes.congested(s.process)) {
        n.peer.pauseReceive();
        this.heldBack.add(n);
        return;
      }
    }
  }

  /** A process caught up (or went away): resume the neighbors none of whose processes is congested now. */
  private release(): void {
    for (const n of this.heldBack) {
      if (
        this.subscriptions(n).some(
          (s) => (s.api.receive.update || s.api.receive.parsed) && this.processes.congested(s.process),
        )
      )
        continue;
      this.heldBack.delete(n);
      n.peer.resumeReceive();
    }
  }

  /** Per neighbor: recomputes the subscriptions its session events are sent by (see wire). */
  private readonly resubscribe = new WeakMap<Neighbor, () => void>();

  /** Session events → logs, ribs and API processes. */
  private wire(n: Neighbor): void {
    const peer = n.peer;
    let subs = this.subscriptions(n);
    // A reload can change the neighbor's api blocks (or a process's encoder) and keep its session.
    this.resubscribe.set(n, () => {
      subs = this.subscriptions(n);
    });
    const ctx = () => n.context();
    n.stalePurged = (family) => this.reflector?.stale(n, family);
    peer.on('state', (from, to) => {
      n.log.debug(`fsm ${from} -> ${to}`);
      this.emit(
        subs,
        (s) => s.api.fsm,
        (e) => (e === 'json' ? this.json.fsm(ctx(), to.toLowerCase()) : this.text.fsm()),
      );
      if (to === 'OpenSent' && from !== 'Established') {
        this.emit(
          subs,
          (s) => s.api.neighborChanges,
          (e) => (e === 'json' ? this.json.connected(ctx()) : this.text.connected(ctx())),
        );
      }
    });
    peer.on('open', (dir, o) => {
      const d = dir === 'sent' ? 'send' : 'receive';
      this.emit(
        subs,
        (s) => (dir === 'sent' ? s.api.send.open : s.api.receive.open),
        (e) => (e === 'json' ? this.json.open(ctx(), d, o) : this.text.open(ctx(), d, o)),
      );
    });
    peer.on('established', (neg) => {
      n.upSince = Date.now();
      n.updatesSent = 0;
      n.updatesReceived = 0;
      n.log.info(
        `session established (peer AS ${neg.peerAs}, hold time ${neg.holdTime}s, families ${neg.families.size})`,
      );
      n.ribIn?.sessionUp(neg.gracefulRestart?.families);
      this.reflector?.up(n, neg.peerRouterId, neg.addPathSend);
      this.routeServer?.up(n, neg.peerRouterId, neg.peerAs, neg.addPathSend);
      n.ribOut.attach({
        localAs: n.localAs,
        peerAs: neg.peerAs,
        ibgp: neg.ibgp,
        confederation: confederationPlace(n.cfg),
        families: neg.families,
        addPathSend: neg.addPathSend,
        sendCtx: neg.sendCtx,
        localAddress: peer.localAddress ?? new Uint8Array(4),
        enhancedRouteRefresh: neg.enhancedRouteRefresh,
        labels: neg.labelsSend,
        manualEor: n.cfg.manualEor,
      });
      if (n.cfg.manualEor) n.log.debug('manual-eor: End-of-RIB is sent by the API');
      this.emit(
        subs,
        (s) => s.api.negotiated,
        (e) => (e === 'json' ? this.json.negotiated(ctx(), negotiatedInfo(neg)) : this.text.negotiated()),
      );
      this.emit(
        subs,
        (s) => s.api.neighborChanges,
        (e) => (e === 'json' ? this.json.up(ctx()) : this.text.up(ctx())),
      );
    });
    peer.on('update', (u, neg, body) => {
      n.updatesReceived++;
      if (u.issues.length > 0) this.logUpdateErrors(n, u);
      n.ribIn?.apply(u, { body, asn4: neg.asn4 });
      if (this.reflector?.member(n))
        this.reflector.receive(n, u, internUpdate(this.interner, u, { body, asn4: neg.asn4 }));
      if (this.routeServer?.client(n))
        this.routeServer.receive(n, u, internUpdate(this.interner, u, { body, asn4: neg.asn4 }));
      this.emit(
        subs,
        (s) => s.api.receive.update || s.api.receive.parsed,
        // JSON as bytes: a full table's events are the bulk of what processes get (see api/json.ts).
        (e) => (e === 'json' ? this.json.updateBytes(ctx(), 'receive', u) : this.text.update(ctx(), 'receive', u)),
      );
      this.holdBack(n, subs);
    });
    peer.on('notification', (dir, m, text) => {
      n.log.warning(`notification ${dir}: ${text}`);
      const d = dir === 'sent' ? 'send' : 'receive';
      this.emit(
        subs,
        (s) => (dir === 'sent' ? s.api.send.notification : s.api.receive.notification),
        (e) => (e === 'json' ? this.json.notification(ctx(), d, m) : this.text.notification(ctx(), d, m)),
      );
    });
    peer.on('keepalive', (dir) => {
      const d = dir === 'sent' ? 'send' : 'receive';
      this.emit(
        subs,
        (s) => (dir === 'sent' ? s.api.send.keepalive : s.api.receive.keepalive),
        (e) => (e === 'json' ? this.json.keepalive(ctx(), d) : this.text.keepalive(ctx(), d)),
      );
    });
    peer.on('refresh', (r) => {
      n.log.info(`route refresh received for afi ${r.afi} safi ${r.safi} (subtype ${r.subtype})`);
      if (r.subtype === 0) n.ribOut.refresh(r.afi * 256 + r.safi);
      this.emit(
        subs,
        (s) => s.api.receive.refresh,
        (e) => (e === 'json' ? this.json.refresh(ctx(), 'receive', r) : this.text.refresh(ctx(), 'receive', r)),
      );
    });
    peer.on('down', (info) => {
      if (info.wasEstablished) n.log.warning(`session down: ${info.reason}`);
      else n.log.debug(`connection closed: ${info.reason}`);
      n.ribOut.detach();
      const gr = n.negotiated?.gracefulRestart;
      // Under graceful restart the reflected paths stay as long as the Adj-RIB-In keeps them (stalePurged).
      this.reflector?.down(n, info.graceful && gr && n.ribIn ? gr.families.keys() : undefined);
      this.routeServer?.down(n);
      if (n.ribIn) {
        if (info.graceful && gr) n.ribIn.sessionDown({ families: gr.families.keys(), restartTime: gr.restartTime });
        else n.ribIn.clear();
      }
      if (info.wasEstablished) {
        this.emit(
          subs,
          (s) => s.api.neighborChanges,
          (e) => (e === 'json' ? this.json.down(ctx(), info.reason) : this.text.down(ctx(), info.reason)),
        );
      }
    });
    peer.on('collision', (which) => n.log.info(`connection collision: kept the ${which} connection`));
    peer.on('refused', (reason) => n.log.warning(reason));
  }

  /**
   * RFC 7606 errors in an UPDATE that keep the session up: each with what was done (its prefixes withdrawn, or
   * the attribute dropped), the attribute and the reason; at most LogBudget's lines a minute per neighbor.
   */
  private logUpdateErrors(n: Neighbor, u: Update): void {
    const prefixes = u.nlri.count + (u.attributes.mpReach?.nlri.count ?? 0);
    for (const issue of u.issues) {
      const skipped = n.updateErrors.take();
      if (skipped === null) {
        if (n.updateErrors.justExhausted)
          n.log.warning(
            `more than ${n.updateErrors.perPeriod} RFC 7606 errors within ${n.updateErrors.periodMs / 1000} s: counted, not logged, until the next period`,
          );
        continue;
      }
      const what =
        issue.action === 'treat-as-withdraw'
          ? `treat-as-withdraw (RFC 7606): ${prefixes} prefix(es) of the UPDATE withdrawn`
          : 'attribute discarded (RFC 7606)';
      n.log.warning(`${what}: ${issue.message}${skipped > 0 ? ` (${skipped} more not logged before this one)` : ''}`);
    }
  }

  /**
   * Re-read the configuration (SIGUSR1, the `reload` command); neighbors whose settings did not change keep their
   * session, the others get a Cease / Peer De-configured. As ExaBGP 4.2 (reactor/loop.py), processes no longer
   * configured are stopped and new ones started; `restartProcesses` (SIGUSR2) restarts the others as well, and
   * `restartSessions` (SIGALRM, the `restart` command) also closes every kept session with a Cease / Peer
   * De-configured and opens it again. A configuration with an error is refused as a whole; a restart then goes
   * on with the configuration in force.
   */
  async reload(how: { restartProcesses?: boolean; restartSessions?: boolean } = {}): Promise<string> {
    if (this.stopping) return 'shutting down';
    let next: Config;
    let nextGuard: GuardOptions;
    try {
      // Everything that could refuse the new configuration is checked before anything of it is applied:
      // a reload is all or nothing.
      let warnings: string[];
      ({
        config: next,
        guard: nextGuard,
        warnings,
      } = loadConfiguration(this.opts.configFile, {
        flowspec: this.opts.env.flowspec,
        text: this.opts.configText,
      }));
      for (const w of warnings) this.log.warning(w);
    } catch (e) {
      const msg = `reload refused, configuration kept: ${(e as Error).message}`;
      this.log.error(msg);
      if (!how.restartSessions) return msg;
      next = this.config;
      nextGuard = this.guardOpts;
    }
    const byKey = new Map(this.neighbors.map((n) => [neighborKey(n.cfg), n]));
    const keep = new Set<Neighbor>();
    const added: NeighborConfig[] = [];
    // The static routes of the configuration being replaced: taken before `cfg` changes, else nothing that
    // was removed from the file would ever be withdrawn.
    const previous = new Map<Neighbor, RouteList>();
    const previousVpls = new Map<Neighbor, VplsRoute[]>();
    const previousEvpn = new Map<Neighbor, EvpnConfigRoute[]>();
    for (const cfg of next.neighbors) {
      const n = byKey.get(neighborKey(cfg));
      if (n && !keep.has(n)) {
        keep.add(n);
        previous.set(n, n.cfg.routes);
        previousVpls.set(n, n.cfg.vpls);
        previousEvpn.set(n, n.cfg.evpn);
        (n as { cfg: NeighborConfig }).cfg = cfg;
      } else added.push(cfg);
    }
    const removed = this.neighbors.filter((n) => !keep.has(n));
    const why = how.restartSessions ? 'restart' : 'configuration reloaded';
    // RFC 4486 §4: Peer De-configured, for a neighbor the configuration no longer has (or has changed), and,
    // as ExaBGP sends it, for every session a restart closes.
    const closing = [...removed, ...(how.restartSessions ? keep : [])];
    // A session kept across a restart closes without NOTIFICATION when graceful restart was negotiated, as
    // ExaBGP does, so that the peer keeps our routes until we are back.
    await Promise.all(
      closing.map((n) =>
        n.peer
          .stop(`${why}`, CeaseSubcode.PEER_DECONFIGURED, { graceful: how.restartSessions && keep.has(n) })
          .catch(() => undefined),
      ),
    );
    for (const n of removed) {
      this.listener?.remove(n.peer);
      this.neighbors.splice(this.neighbors.indexOf(n), 1);
      n.stopFlowExpiry();
    }
    this.config = next;
    this.guardOpts = nextGuard;
    if (this.stopping) return 'shutting down';
    this.rpki.configure(next.rpki);
    if (ddosKey(this.ddos?.cfg) !== ddosKey(next.ddos)) await this.reloadDdos(next.ddos);
    for (const n of keep) {
      this.resubscribe.get(n)?.();
      // Replace the static routes: what is still configured is announced again (a no-op on the wire when
      // identical), what is gone is withdrawn.
      n.watchdogs.clear();
      // The configuration's flow rules are taken out and loaded again (with fresh expiries); rules from
      // programs keep theirs.
      const flowsBefore = n.flows.bySource('configuration');
      for (const f of flowsBefore) n.flows.delete(f.family, f.entry);
      this.loadStatic(n);
      const before = previous.get(n);
      if (before !== undefined)
        withdrawRemoved(before, n.cfg.routes, (family, entry, pathId) => n.ribOut.withdraw(family, entry, pathId));
      withdrawRemovedVpls(previousVpls.get(n) ?? [], n.cfg.vpls, (e) => n.withdraw(e));
      withdrawRemovedEvpn(previousEvpn.get(n) ?? [], n.cfg.evpn, (e) => n.withdraw(e));
      for (const f of flowsBefore) if (!n.flows.has(f.family, f.entry)) n.ribOut.withdraw(f.family, f.entry, f.pathId);
      n.scheduleFlowExpiry();
    }
    this.processes.start(this.processConfigs(), how.restartProcesses === true);
    if (how.restartSessions) for (const n of keep) n.peer.start();
    for (const cfg of added) {
      const n = this.addNeighbor(cfg);
      this.listener?.add(n.peer);
      n.peer.start();
    }
    this.syncRoles();
    await this.reloadHttp();
    const msg = `${how.restartSessions ? 'restarted' : 'reloaded'}: ${keep.size} neighbor(s) kept, ${added.length} added, ${removed.length} removed${how.restartProcesses ? ', processes restarted' : ''}`;
    this.log.info(msg);
    return msg;
  }

  /** SIGALRM, the `restart` command: every session closed and opened again, configuration and processes anew. */
  restart(): Promise<string> {
    return this.reload({ restartProcesses: true, restartSessions: true });
  }

  /**
   * A signal the daemon acts on, told first to the processes whose api block asks for `signal` (ExaBGP 4.2
   * does the same before it handles one).
   */
  signalled(signal: number): void {
    for (const n of this.neighbors) {
      const subs = this.subscriptions(n).filter((s) => s.api.signal && s.encoder === 'json');
      for (const s of subs) this.processes.write(s.process, this.json.signal(n.context(), signal));
    }
  }

  /**
   * Clean shutdown: NOTIFICATION Cease to every peer (none where graceful restart was negotiated: the peer keeps
   * our routes until we are back, RFC 4724 §4.1), processes stopped, sockets closed.
   */
  async shutdown(reason = 'tsbgp shutting down'): Promise<void> {
    if (this.stopping) return this.done;
    this.stopping = true;
    this.ready = false;
    this.log.info(`shutting down: ${reason}`);
    await Promise.all(
      this.neighbors.map((n) =>
        n.peer.stop(reason, CeaseSubcode.ADMIN_SHUTDOWN, { graceful: true }).catch(() => undefined),
      ),
    );
    for (const n of this.neighbors) n.stopFlowExpiry();
    this.rpki.stop();
    this.ddos?.stop();
    // ExaBGP's shutdown event, written as the farewell: the manager then gives it (and what was queued before,
    // such as a `signal` event) time to be read before it stops the processes.
    await this.processes
      .stop((name) =>
        this.config.processes.get(name)?.encoder === 'text' ? this.text.shutdown() : this.json.shutdown(),
      )
      .catch(() => undefined);
    await this.listener?.close().catch(() => undefined);
    await this.control?.close().catch(() => undefined);
    await this.pipes?.close().catch(() => undefined);
    await this.http?.close().catch(() => undefined);
    this.resolveDone();
  }
}

/** Everything of a neighbor's configuration but its routes: equal keys mean the session can stay up. */
function neighborKey(cfg: NeighborConfig): string {
  return JSON.stringify(cfg, (k, v) => {
    if (k === 'routes' || k === 'flows' || k === 'pos' || k === 'api') return undefined;
    if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
    return v;
  });
}

export function negotiatedInfo(n: Negotiated): NegotiatedInfo {
  return {
    messageSize: n.sendCtx.maxMessage,
    holdTime: n.holdTime,
    asn4: n.asn4,
    multisession: false,
    operational: false,
    refresh: n.enhancedRouteRefresh ? 'enhanced' : n.routeRefresh ? 'normal' : 'absent',
    families: [...n.families],
    nexthop: [...n.extendedNextHop].flatMap(([f, afis]) =>
      afis.map((a) => [Math.floor(f / 256), f % 256, a] as [number, number, number]),
    ),
    addPathSend: [...n.addPathSend],
    addPathReceive: [...n.addPathReceive],
  };
}
