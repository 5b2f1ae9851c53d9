// API commands carried out: lines from processes and from the control socket are parsed (api/commands.ts)
// and turned into Adj-RIB-Out changes, session actions or `show` answers. Every command gets an answer:
// `done`, or `error` with the reason logged (and, for the control socket, printed).

import {
  type ApiCommand,
  HELP_LINES,
  matchSelector,
  type NeighborSelector,
  parseCommand,
  parseRoutes,
} from '../api/commands';
import type { Emit } from '../api/control';
import { parseEvpn } from '../config/evpn';
import { parseRoute, type RouteSpec } from '../config/route';
import { parseVpls } from '../config/vpls';
import { type Finding, REFUSED_HINT } from '../flowspec/guard';
import { parseFlowCommand } from '../flowspec/parse';
import { familyName, parseFamily } from '../wire/nlri/registry';
import { CeaseSubcode, notificationSubcodeName } from '../wire/notification';
import { type FamilyKey, familyKey } from '../wire/types';
import { encodeEndOfRib } from '../wire/update';
import type { Daemon } from './daemon';
import { boundLine } from './log';
import type { Neighbor } from './neighbor';
import { evpnEntry, type RibEntry, vplsEntry } from './routes';
import { showFlows, showNeighbor, streamAdjRib } from './show';
import { showRib } from './show-rib';
import { showClientRoutes, showRouteServer, showRpki } from './show-rs';

const VERSION = '4.2.21-tsbgp';

/** Bytes queued for a process above which a streamed answer waits for it to read. */
const STREAM_BUFFER = 1024 * 1024;

/** What a command produced: the answer and the lines to show before it. */
interface Result {
  ok: boolean;
  lines: string[];
  error?: string;
  /** The FlowSpec guard's findings when it refused the rule. */
  refusal?: Finding[];
}

/** What the HTTP write API may do: routes and flow rules, nothing that stops or restarts anything. */
const WRITE_KINDS: ReadonlySet<ApiCommand['kind']> = new Set([
  'announce-route',
  'withdraw-route',
  'announce-flow',
  'withdraw-flow',
]);

/** The answer to a command of the HTTP write API. */
export interface WriteResult {
  ok: boolean;
  error?: string;
  /** Set when the FlowSpec guard refused the rule: its findings, each with a code and a message. */
  refusal?: Finding[];
}

type ShowAdjRib = Extract<ApiCommand, { kind: 'show-adj-rib' }>;

const ok = (lines: string[] = []): Result => ({ ok: true, lines });
const fail = (error: string): Result => ({ ok: false, lines: [], error });

export class CommandRunner {
  constructor(private readonly d: Daemon) {}

  /** A line from an API process: run it, log errors, ack as ExaBGP does. */
  fromProcess(name: string, line: string): void {
    if (line.trim() === '') return;
    const parsed = parseCommand(line);
    if (
      parsed.ok &&
      (parsed.command.kind === 'enable-ack' ||
        parsed.command.kind === 'disable-ack' ||
        parsed.command.kind === 'silence-ack')
    ) {
      const ack = this.d.acks.control(name, parsed.command.kind);
      if (ack !== null) this.d.processes.write(name, ack);
      return;
    }
    let r: Result;
    if (!parsed.ok) r = fail(parsed.error);
    else if (this.streamed(parsed.command)) return this.streamToProcess(name, parsed.command);
    else r = this.run(parsed.command, name, name);
    this.d.stats.command(name, r.ok);
    for (const l of r.lines) this.d.processes.write(name, l);
    if (!r.ok) this.refused(r, line, { process: name });
    const ack = this.d.acks.answer(name, r.ok ? 'done' : 'error', r.error);
    if (ack !== null) this.d.processes.write(name, ack);
  }

  /**
   * A `show adj-rib` whose answer is streamed to a process: the process's further commands wait (its input is
   * paused) until the whole answer and its ack are queued, so answers and acks stay in command order.
   */
  private streamToProcess(name: string, c: ShowAdjRib): void {
    const p = this.d.processes;
    p.pause(name);
    const emit: Emit = async (lines) => {
      for (const l of lines) if (!p.write(name, l)) return false;
      // Let the program read what it has before more is made: the answer is never all in memory at once.
      while (p.buffered(name) > STREAM_BUFFER) {
        await new Promise((r) => setTimeout(r, 5));
        if (!p.isRunning(name)) return false;
      }
      return true;
    };
    void this.show(c, emit).then((n) => {
      if (n >= 0) {
        const ack = this.d.acks.answer(name, 'done');
        if (ack !== null) p.write(name, ack);
      }
      p.resume(name);
    });
  }

  /** Commands whose answer can be a whole table, sent a slice at a time. */
  private streamed(c: ApiCommand): c is ShowAdjRib {
    return c.kind === 'show-adj-rib';
  }

  /** `show adj-rib`: the routes, streamed; or, for `out flow`, the FlowSpec rules in force with their age. */
  private async show(c: ShowAdjRib, emit: Emit): Promise<number> {
    if (c.direction === 'out' && c.filter === 'flow') {
      const lines = showFlows(this.d, c.ip);
      return (await emit(lines)) ? lines.length : -1;
    }
    return streamAdjRib(this.d, c.direction, emit, c.filter, c.ip, c.prefix);
  }

  /** A line from the control socket or named pipe: the answer lines, ending with done/error. */
  async answer(line: string, source: string, emit: Emit): Promise<string[]> {
    const parsed = parseCommand(line);
    if (parsed.ok && parsed.command.kind === 'reload') {
      const msg = await this.d.reload();
      return [msg, msg.startsWith('reload refused') ? 'error' : 'done'];
    }
    let r: Result;
    if (!parsed.ok) r = fail(parsed.error);
    else if (this.streamed(parsed.command)) return (await this.show(parsed.command, emit)) >= 0 ? ['done'] : [];
    else r = this.run(parsed.command, source, null);
    this.d.stats.command(source, r.ok);
    if (!r.ok) {
      this.refused(r, line, { source });
      return [...r.lines, `error: ${r.error}`, 'error'];
    }
    return [...r.lines, 'done'];
  }

  /**
   * A line from the HTTP write API (authenticated by its caller): announce or withdraw a route or a flow rule,
   * through the same parser and FlowSpec guard as a process's, reaching every neighbor its selector matches.
   */
  write(line: string): WriteResult {
    const parsed = parseCommand(line);
    let r: Result;
    if (!parsed.ok) r = fail(parsed.error);
    else if (!WRITE_KINDS.has(parsed.command.kind))
      r = fail('the HTTP API announces and withdraws routes and flow rules only');
    else r = this.run(parsed.command as Exclude<ApiCommand, ShowAdjRib>, 'http', null);
    this.d.stats.command('http', r.ok);
    if (r.ok) return { ok: true };
    this.refused(r, line, { source: 'http' });
    return { ok: false, error: r.error, ...(r.refusal ? { refusal: r.refusal } : {}) };
  }

  /**
   * A command of tsbgp's own making (the DDoS mitigator's announce/withdraw lines), run as from the control
   * socket under `source`: null when carried out, else the reason (logged as any refused command).
   */
  internal(line: string, source: string): string | null {
    const parsed = parseCommand(line);
    const r = !parsed.ok
      ? fail(parsed.error)
      : this.streamed(parsed.command)
        ? fail('not a change')
        : this.run(parsed.command, source, null);
    if (r.ok) return null;
    this.refused(r, line, { source });
    return r.error ?? 'refused';
  }

  /**
   * Log a refused command once: the reason, then the line (the logger bounds and escapes it). The reason,
   * which is also the answer's, is bounded too: it may quote a token of a 10 MB line.
   */
  private refused(r: Result, line: string, fields: Record<string, string>): void {
    r.error = boundLine(r.error ?? 'refused', MAX_REASON);
    this.d.log.error(`command refused: ${r.error}: ${line}`, fields);
  }

  private select(sel: NeighborSelector): Neighbor[] {
    if (sel.length === 0) return this.d.neighbors;
    return this.d.neighbors.filter((n) => matchSelector(sel, n.facts()));
  }

  /**
   * The neighbors a route or flow command reaches: those the selector matches and, for a command from a process,
   * only those whose api block names the process, as ExaBGP 4.2 (reactor/loop.py peers(service)) decides; the
   * control socket and the named pipes reach every neighbor. The reason instead when none is left.
   */
  private routeTargets(sel: NeighborSelector, process: string | null): Neighbor[] | string {
    const matched = this.select(sel);
    if (matched.length === 0) return 'no neighbor matches the selector';
    if (process === null) return matched;
    const heard = matched.filter((n) => n.cfg.api.some((a) => a.processes.includes(process)));
    if (heard.length === 0)
      return `no neighbor matching the command: process ${process} is in no matching neighbor's api processes`;
    return heard;
  }

  /** `process`: the API process the command came from, null for the control socket and the named pipes. */
  private run(c: Exclude<ApiCommand, ShowAdjRib>, source: string, process: string | null): Result {
    switch (c.kind) {
      case 'announce-route':
      case 'withdraw-route':
      case 'announce-attributes':
      case 'withdraw-attributes': {
        const withdraw = c.kind.startsWith('withdraw');
        const family = 'family' in c && c.family ? familyFromText(c.family) : undefined;
        const parsed = parseRoutes<RouteSpec>(c, (text, w) =>
          parseRoute(text, {
            file: 'api',
            requireNextHop: !w,
            expires: !w,
            ...(family !== undefined ? { family } : {}),
          }),
        );
        if (!parsed.ok) return fail(parsed.error);
        const targets = this.routeTargets(c.neighbors, process);
        if (typeof targets === 'string') return fail(targets);
        try {
          this.d.applyRoutes(parsed.routes, targets, withdraw, source);
        } catch (err) {
          return fail((err as Error).message);
        }
        return ok();
      }
      case 'announce-flow':
      case 'withdraw-flow': {
        let route: ReturnType<typeof parseFlowCommand>;
        try {
          route = parseFlowCommand(`route ${c.text}`);
        } catch (err) {
          return fail((err as Error).message);
        }
        const targets = this.routeTargets(c.neighbors, process);
        if (typeof targets === 'string') return fail(targets);
        if (c.kind === 'announce-flow') {
          const refusal = this.d.announceFlow(route, targets, source);
          if (refusal.length > 0) {
            const why = refusal.map((f) => f.message).join('; ');
            return { ...fail(`flow rule refused: ${why} (${REFUSED_HINT})`), refusal };
          }
        } else {
          for (const n of targets) this.d.removeFlow(n, route);
        }
        return ok();
      }
      case 'announce-vpls':
      case 'withdraw-vpls':
      case 'announce-evpn':
      case 'withdraw-evpn': {
        // ExaBGP 4.2's `announce vpls` (configuration/announce/vpls.py): the keywords of `l2vpn { vpls }`; and
        // tsbgp's `announce evpn`, the keywords of `l2vpn { evpn }`. A withdrawal needs the NLRI keywords only; it
        // finds the route by them (its key: the NLRI, or the EVPN route key, labels aside).
        const withdraw = c.kind.startsWith('withdraw');
        const evpn = c.kind.endsWith('evpn');
        let e: RibEntry;
        try {
          const opts = { file: 'api', requireNextHop: !withdraw };
          e = evpn ? evpnEntry(parseEvpn(c.text, opts)) : vplsEntry(parseVpls(c.text, opts));
        } catch (err) {
          return fail(`could not parse ${evpn ? 'evpn' : 'vpls'}: ${(err as Error).message}`);
        }
        const targets = this.routeTargets(c.neighbors, process);
        if (typeof targets === 'string') return fail(targets);
        for (const n of targets) {
          if (!n.cfg.families.includes(e.family)) continue;
          if (withdraw) n.withdraw(e);
          else n.announce(e);
        }
        return ok();
      }
      case 'announce-watchdog':
      case 'withdraw-watchdog': {
        const name = c.name ?? source;
        for (const n of this.d.neighbors) {
          const w = n.watchdogs.get(name);
          if (!w) continue;
          const announce = c.kind === 'announce-watchdog';
          for (const e of w.entries) announce ? n.announce(e) : n.withdraw(e);
          w.announced = announce;
        }
        return ok();
      }
      case 'announce-eor': {
        for (const n of this.select(c.neighbors)) n.peer.send(encodeEndOfRib(c.family));
        return ok();
      }
      case 'announce-route-refresh': {
        for (const n of this.select(c.neighbors)) n.peer.requestRefresh(c.family);
        return ok();
      }
      case 'teardown': {
        // As ExaBGP 4.2 (reactor/peer.py, bgp/message/notification.py Notify): established sessions only, closed
        // with Cease / subcode CODE and the subcode's name as data (a length-prefixed shutdown communication for
        // 2 and 4, RFC 9003; the bare name otherwise; ExaBGP knows RFC 4486's eight), then connected again.
        // CODE 0 tears nothing down. The answer is done even when no session matched.
        if (c.code === 0) return ok();
        const name = c.code <= 8 ? notificationSubcodeName(6, c.code) : 'unknown notification type';
        const rfc9003 = c.code === CeaseSubcode.ADMIN_SHUTDOWN || c.code === CeaseSubcode.ADMIN_RESET;
        for (const n of this.select(c.neighbors)) {
          if (n.peer.state !== 'Established') continue;
          n.log.info(`teardown ${c.code} requested by API`);
          void n.peer.stop(rfc9003 ? name : Buffer.from(name), c.code).then(() => n.peer.start());
        }
        return ok();
      }
      case 'show-neighbor':
        return ok(showNeighbor(this.d, c.mode, c.ip, c.json));
      case 'show-rib': {
        const lines = showRib(this.d.reflector, this.d.routeServer, c, this.d.rpki.enabled);
        return lines instanceof Error ? fail(lines.message) : ok(lines);
      }
      case 'show-ddos':
        return this.d.ddos ? ok(this.d.ddos.show(c.json)) : fail('show ddos: no ddos section in the configuration');
      case 'show-route-server':
        if (c.what === 'clients') return ok(showRouteServer(this.d, c.json));
        if (c.what === 'rpki') return ok(showRpki(this.d, c.json));
        return ok(showClientRoutes(this.d, c.what === 'filtered', c.ip, c.json));
      case 'flush-adj-rib-out': {
        for (const n of this.select(c.neighbors)) for (const f of n.cfg.families) n.ribOut.refresh(f);
        return ok();
      }
      case 'clear-adj-rib': {
        for (const n of this.select(c.neighbors)) {
          if (c.direction === 'in') n.ribIn?.clear();
          else n.ribOut.withdrawAll();
        }
        return ok();
      }
      case 'shutdown':
        setImmediate(() => void this.d.shutdown('shutdown requested by API'));
        return ok();
      case 'reload':
        void this.d.reload();
        return ok();
      case 'restart':
        // As SIGALRM (ExaBGP 4.2 treats the command as the signal).
        void this.d.restart();
        return ok();
      case 'reset':
        // ExaBGP 4.2 drops the commands of this process it has scheduled and not run yet (reactor/api/command/
        // reactor.py); tsbgp runs each command as it arrives, so there is nothing to drop. No session is touched.
        return ok();
      case 'version':
        return ok([`exabgp ${VERSION}`]);
      case 'help':
        return ok([...HELP_LINES]);
      case 'comment':
        return ok();
      case 'announce-operational':
        return fail('operational messages are not supported by tsbgp');
      case 'enable-ack':
      case 'disable-ack':
      case 'silence-ack':
        return ok();
    }
  }
}

function familyFromText(s: string): FamilyKey | undefined {
  const [afi, safi] = s.split(/\s+/);
  return afi && safi ? parseFamily(afi, safi) : undefined;
}

/** Longest reason given for a refused command, in its answer and its log line. */
const MAX_REASON = 512;

export { familyKey, familyName };
