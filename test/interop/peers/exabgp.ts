// ExaBGP 4.2 with one API process: a small Node relay that records every JSON event ExaBGP sends
// (always reading its stdin, so ExaBGP never blocks on a full pipe and misses keepalives) and forwards
// lines written to a Unix socket in the temp dir to ExaBGP as API commands.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import {
  type BgpDaemon,
  checkCommunity,
  type DaemonOpts,
  type Family,
  type FlowRoute,
  type FlowSpec,
  isFlow,
  ManagedProcess,
  PeerDaemonBase,
  type Route,
  type RouteSpec,
  type SessionState,
} from './common';

const EXA_FAMILY: Record<Family, string> = {
  ipv4: 'ipv4 unicast',
  ipv6: 'ipv6 unicast',
  'ipv4-flowspec': 'ipv4 flow',
  'ipv6-flowspec': 'ipv6 flow',
};

const RELAY = `'use strict';
const fs = require('fs'); const net = require('net');
const [events, sock] = process.argv.slice(2);
const out = fs.openSync(events, 'a');
let buf = '';
process.stdin.on('data', (d) => { buf += d; const i = buf.lastIndexOf('\\n'); if (i >= 0) { fs.writeSync(out, buf.slice(0, i + 1)); buf = buf.slice(i + 1); } });
process.stdin.on('end', () => process.exit(0));
try { fs.unlinkSync(sock); } catch {}
net.createServer((c) => { let b = ''; c.on('data', (d) => { b += d; let i; while ((i = b.indexOf('\\n')) >= 0) { process.stdout.write(b.slice(0, i + 1)); b = b.slice(i + 1); } }); c.on('end', () => c.end('ok\\n')); }).listen(sock);
`;

interface ExaAttr {
  'as-path'?: number[];
  med?: number;
  'local-preference'?: number;
  community?: [number, number][];
  'large-community'?: [number, number, number][];
}

export class ExaBgp extends PeerDaemonBase implements BgpDaemon {
  readonly kind = 'exabgp' as const;
  private opts: DaemonOpts | undefined;
  private readonly events: string;
  private readonly sock: string;

  constructor() {
    super('exabgp');
    this.events = path.join(this.dir, 'events.jsonl');
    this.sock = path.join(this.dir, 'cmd.sock');
  }

  private config(o: DaemonOpts): string {
    const l: string[] = [];
    l.push(
      'process harness {',
      `  run ${process.execPath} ${path.join(this.dir, 'relay.js')} ${this.events} ${this.sock};`,
      '  encoder json;',
      '}',
    );
    for (const n of o.neighbors) {
      l.push(`neighbor ${n.address} {`, `  router-id ${o.routerId ?? o.address};`, `  local-address ${o.address};`);
      l.push(`  local-as ${o.as};`, `  peer-as ${n.as};`, `  hold-time ${o.holdTime ?? 90};`, `  connect ${n.port};`);
      if (n.passive) l.push('  passive true;');
      if (n.password) l.push(`  md5-password "${n.password}";`);
      if (n.md5Base64 !== undefined) l.push(`  md5-base64 ${n.md5Base64};`);
      // ExaBGP 4.2 checks incoming-ttl only on a per-neighbor `listen` socket, not on exabgp.tcp.bind's.
      if (n.ttlSecurity) l.push('  outgoing-ttl 255;', '  incoming-ttl 255;');
      l.push('  family {', ...n.families.map((f) => `    ${EXA_FAMILY[f]};`), '  }');
      l.push(
        '  api {',
        '    processes [ harness ];',
        '    neighbor-changes;',
        '    receive { parsed; update; }',
        '  }',
        '}',
      );
    }
    return l.join('\n') + '\n';
  }

  async start(opts: DaemonOpts): Promise<void> {
    this.opts = opts;
    fs.writeFileSync(path.join(this.dir, 'relay.js'), RELAY);
    fs.writeFileSync(this.events, '');
    const conf = path.join(this.dir, 'exabgp.conf');
    fs.writeFileSync(conf, this.config(opts));
    const env = {
      ...process.env,
      'exabgp.daemon.user': 'root',
      'exabgp.daemon.daemonize': 'false',
      'exabgp.tcp.bind': opts.address,
      'exabgp.tcp.port': String(opts.port),
      'exabgp.api.cli': 'false',
      // Acks would arrive on the relay's stdin mixed with events; we do not need them.
      'exabgp.api.ack': 'false',
      'exabgp.log.destination': path.join(this.dir, 'exabgp.log'),
    };
    this.proc = new ManagedProcess('exabgp', 'exabgp', [conf], path.join(this.dir, 'stdout.log'), env, this.dir);
    await this.waitStarted(
      () => {
        return fs.existsSync(this.sock);
      },
      15_000,
      'exabgp API relay',
    );
  }

  override logText(): string {
    return this.readLogs('stdout.log', 'exabgp.log');
  }

  /** Send API command lines to ExaBGP (e.g. "announce route 10.0.0.0/24 next-hop 192.0.2.1"). */
  command(...lines: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const c = net.createConnection(this.sock);
      c.on('error', reject);
      c.on('data', () => resolve());
      c.on('close', () => resolve());
      c.end(lines.map((x) => x + '\n').join(''));
    });
  }

  /** Every JSON event ExaBGP has sent to its API so far. */
  eventList(): Record<string, unknown>[] {
    const res: Record<string, unknown>[] = [];
    for (const line of fs.readFileSync(this.events, 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        res.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* a partial last line */
      }
    }
    return res;
  }

  async sessionState(neighbor: string): Promise<SessionState> {
    let st: SessionState = 'idle';
    for (const e of this.eventList()) {
      const n = e.neighbor as { address?: { peer?: string }; state?: string } | undefined;
      if (e.type !== 'state' || n?.address?.peer !== neighbor) continue;
      st = n.state === 'up' ? 'established' : n.state === 'connected' ? 'opensent' : 'idle';
    }
    return st;
  }

  /** Routes received (Adj-RIB-In replayed from update events; all neighbors merged, last writer wins). */
  async routes(family: Family): Promise<Route[]> {
    return [...this.rib(family).values()];
  }

  async routeCount(family: Family): Promise<number> {
    return this.rib(family).size;
  }

  async flowRoutes(family: 'ipv4-flowspec' | 'ipv6-flowspec'): Promise<FlowRoute[]> {
    const rib = new Map<string, FlowRoute>();
    for (const u of this.updates()) {
      const ann = u.announce?.[EXA_FAMILY[family]] as Record<string, { string?: string }[]> | undefined;
      for (const list of Object.values(ann ?? {})) {
        for (const f of list)
          rib.set(f.string ?? JSON.stringify(f), {
            match: f.string ?? '',
            actions: JSON.stringify(u.attribute?.['extended-community'] ?? []),
            raw: f,
          });
      }
      const wd = u.withdraw?.[EXA_FAMILY[family]] as { string?: string }[] | undefined;
      for (const f of wd ?? []) rib.delete(f.string ?? JSON.stringify(f));
    }
    return [...rib.values()];
  }

  private *updates(): Generator<{
    attribute?: ExaAttr & Record<string, unknown>;
    announce?: Record<string, unknown>;
    withdraw?: Record<string, unknown>;
  }> {
    for (const e of this.eventList()) {
      if (e.type !== 'update') continue;
      const m = (e.neighbor as { message?: { update?: unknown } } | undefined)?.message?.update;
      if (m)
        yield m as {
          attribute?: ExaAttr & Record<string, unknown>;
          announce?: Record<string, unknown>;
          withdraw?: Record<string, unknown>;
        };
    }
  }

  private rib(family: Family): Map<string, Route> {
    const rib = new Map<string, Route>();
    for (const u of this.updates()) {
      const ann = u.announce?.[EXA_FAMILY[family]] as Record<string, { nlri: string }[]> | undefined;
      for (const [nh, list] of Object.entries(ann ?? {})) {
        for (const { nlri } of list) {
          const a = u.attribute ?? {};
          rib.set(nlri, {
            prefix: nlri,
            nextHop: nh,
            asPath: a['as-path'] ?? [],
            med: a.med,
            localPref: a['local-preference'],
            communities: (a.community ?? []).map((c) => `${c[0]}:${c[1]}`),
            largeCommunities: (a['large-community'] ?? []).map((c) => `${c[0]}:${c[1]}:${c[2]}`),
          });
        }
      }
      const wd = u.withdraw?.[EXA_FAMILY[family]] as { nlri: string }[] | undefined;
      for (const { nlri } of wd ?? []) rib.delete(nlri);
    }
    return rib;
  }

  async addRoute(family: Family, r: RouteSpec): Promise<void> {
    if (isFlow(family)) throw new Error('exabgp: use addFlow for flowspec');
    const parts = [`announce route ${r.prefix} next-hop ${r.nextHop} origin igp`];
    if (r.asPath && r.asPath.length > 0) {
      // ExaBGP sends a configured AS_PATH verbatim, while the other daemons prepend their own AS on eBGP
      // (RFC 4271 §5.1.2); prepend it here so RouteSpec means the same everywhere.
      const ebgp = this.opts!.neighbors.every((n) => n.as !== this.opts!.as);
      parts.push(`as-path [ ${(ebgp ? [this.opts!.as, ...r.asPath] : r.asPath).join(' ')} ]`);
    }
    if (r.med !== undefined) parts.push(`med ${r.med}`);
    if (r.localPref !== undefined) parts.push(`local-preference ${r.localPref}`);
    if (r.communities && r.communities.length > 0)
      parts.push(`community [ ${r.communities.map((c) => checkCommunity(c, 2).join(':')).join(' ')} ]`);
    if (r.largeCommunities && r.largeCommunities.length > 0) {
      parts.push(`large-community [ ${r.largeCommunities.map((c) => checkCommunity(c, 3).join(':')).join(' ')} ]`);
    }
    await this.command(parts.join(' '));
  }

  async withdrawRoute(family: Family, prefix: string): Promise<void> {
    if (isFlow(family)) throw new Error('exabgp: use withdrawFlow for flowspec');
    await this.command(`withdraw route ${prefix}`);
  }

  private flowText(f: FlowSpec): string {
    const m: string[] = [];
    if (f.destination) m.push(`destination ${f.destination};`);
    if (f.source) m.push(`source ${f.source};`);
    if (f.protocol) m.push(`protocol [ ${f.protocol.map((p) => `=${p}`).join(' ')} ];`);
    if (f.destinationPort) m.push(`destination-port [ ${f.destinationPort.map((p) => `=${p}`).join(' ')} ];`);
    const then = f.action === 'discard' ? 'discard;' : `rate-limit ${f.action.rateLimit};`;
    return `flow route { match { ${m.join(' ')} } then { ${then} } }`;
  }

  async addFlow(_family: 'ipv4-flowspec' | 'ipv6-flowspec', f: FlowSpec): Promise<void> {
    await this.command(`announce ${this.flowText(f)}`);
  }

  async withdrawFlow(_family: 'ipv4-flowspec' | 'ipv6-flowspec', f: FlowSpec): Promise<void> {
    await this.command(`withdraw ${this.flowText(f)}`);
  }
}
