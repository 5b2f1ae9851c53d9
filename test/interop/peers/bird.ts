// BIRD 2 driven through a generated configuration and birdc on a private control socket.
// Routes we originate live in static protocols; addRoute/withdrawRoute rewrite the
// configuration and run `birdc configure`, which BIRD applies without dropping sessions.
import * as fs from 'node:fs';
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
  normState,
  PeerDaemonBase,
  type Route,
  type RouteSpec,
  runCmd,
  type SessionState,
} from './common';

const CHANNEL: Record<Family, string> = {
  ipv4: 'ipv4',
  ipv6: 'ipv6',
  'ipv4-flowspec': 'flow4',
  'ipv6-flowspec': 'flow6',
};
const TABLE: Record<Family, string> = {
  ipv4: 'master4',
  ipv6: 'master6',
  'ipv4-flowspec': 'flowtab4',
  'ipv6-flowspec': 'flowtab6',
};

export class Bird extends PeerDaemonBase implements BgpDaemon {
  readonly kind = 'bird' as const;
  readonly ctl: string;
  private opts: DaemonOpts | undefined;
  private readonly statics = new Map<Family, Map<string, string>>();

  constructor() {
    super('bird');
    this.ctl = path.join(this.dir, 'bird.ctl');
    for (const f of Object.keys(CHANNEL) as Family[]) this.statics.set(f, new Map());
  }

  /** BIRD protocol name of the session to `address`. */
  protoName(address: string): string {
    const i = this.opts?.neighbors.findIndex((n) => n.address === address) ?? -1;
    if (i < 0) throw new Error(`bird: no neighbor ${address}`);
    return `peer${i}`;
  }

  private config(): string {
    const o = this.opts!;
    const lines: string[] = [];
    lines.push(`router id ${o.routerId ?? (o.address.includes(':') ? '10.255.255.1' : o.address)};`);
    lines.push(`log "${path.join(this.dir, 'bird.log')}" all;`);
    lines.push('protocol device { }');
    lines.push('flow4 table flowtab4;', 'flow6 table flowtab6;', 'vpn4 table vpntab4;', 'vpn6 table vpntab6;');
    for (const f of Object.keys(CHANNEL) as Family[]) {
      const ch = isFlow(f) ? `${CHANNEL[f]} { table ${TABLE[f]}; };` : `${CHANNEL[f]};`;
      lines.push(`protocol static orig_${CHANNEL[f]} {`, `  ${ch}`);
      for (const r of this.statics.get(f)!.values()) lines.push(`  ${r}`);
      lines.push('}');
    }
    o.neighbors.forEach((n, i) => {
      lines.push(`protocol bgp peer${i} {`);
      lines.push(`  local ${o.address} port ${o.port} as ${o.as};`);
      lines.push(`  neighbor ${n.address} port ${n.port} as ${n.as};`);
      const c = o.confederation;
      if (c) {
        lines.push(`  confederation ${c.identifier};`);
        if (n.as !== o.as && c.members.includes(n.as)) lines.push('  confederation member yes;');
      }
      // Without strict bind BIRD listens on the wildcard address and takes the port from everyone else.
      lines.push('  strict bind on;');
      // A loopback neighbour is not on a shared subnet, so BIRD would refuse it as a direct eBGP peer.
      if (n.as !== o.as) lines.push('  multihop 2;');
      if (n.passive) lines.push('  passive on;');
      if (n.password) lines.push(`  password "${n.password}";`);
      if (n.ttlSecurity) lines.push('  ttl security on;');
      lines.push(`  hold time ${o.holdTime ?? 90};`);
      lines.push('  connect retry time 1;', '  connect delay time 1;', '  error wait time 1, 5;');
      for (const f of n.families) {
        const parts = [`table ${TABLE[f]};`, 'import all;'];
        // BIRD drops MED on eBGP export unless the export filter sets it (RFC 4271 §5.1.4 lets it choose);
        // re-setting it keeps the MED we originate, as GoBGP and FRR do.
        parts.push(
          isFlow(f) ? 'export all;' : 'export filter { if defined(bgp_med) then bgp_med = bgp_med; accept; };',
        );
        if (!isFlow(f)) {
          // Our originated routes carry documentation next hops in bgp_next_hop; keep them rather than
          // replacing them with the loopback session address, which other daemons reject as martian.
          parts.push('next hop keep;');
          // Next hops (192.0.2.x) are unresolvable here; recursive resolution keeps the routes (as
          // unreachable) instead of dropping them, and they are still counted.
          parts.push('gateway recursive;');
          if (n.addPathsRx) parts.push('add paths rx;');
        } else {
          // Flow routes would otherwise be validated against a unicast route for the destination (RFC 8955 §6).
          parts.push('validate off;');
        }
        lines.push(`  ${CHANNEL[f]} { ${parts.join(' ')} };`);
      }
      // MPLS VPN (RFC 4364/4659) received into vpntab4/vpntab6, labeled unicast (RFC 8277) into master4/master6;
      // next hops kept as sent (they are unresolvable).
      for (const f of n.vpnFamilies ?? []) {
        const v = f === 'vpnv4' || f === 'ipv4-labeled' ? '4' : '6';
        const ch = f.startsWith('vpn') ? `vpn${v} mpls { table vpntab${v};` : `ipv${v} mpls { table master${v};`;
        lines.push(`  ${ch} import all; export none; next hop keep; gateway recursive; igp table master${v}; };`);
      }
      lines.push('}');
    });
    return lines.join('\n') + '\n';
  }

  private writeConfig(): string {
    const file = path.join(this.dir, 'bird.conf');
    fs.writeFileSync(file, this.config());
    return file;
  }

  async start(opts: DaemonOpts): Promise<void> {
    this.opts = opts;
    const conf = this.writeConfig();
    this.proc = new ManagedProcess(
      'bird',
      'bird',
      ['-f', '-c', conf, '-s', this.ctl, '-P', path.join(this.dir, 'bird.pid')],
      path.join(this.dir, 'stdout.log'),
    );
    await this.waitStarted(
      async () => {
        return (await runCmd('birdc', ['-s', this.ctl, 'show', 'status'], 5000)).stdout.includes('Daemon is up');
      },
      10_000,
      'bird control socket',
    );
  }

  override logText(): string {
    return this.readLogs('stdout.log', 'bird.log');
  }

  /** Run one birdc command, output without the banner. */
  async birdc(...args: string[]): Promise<string> {
    const r = await runCmd('birdc', ['-s', this.ctl, ...args], 300_000);
    if (r.code !== 0) throw new Error(`birdc ${args.join(' ')}: ${r.stderr || r.stdout}`);
    return r.stdout.replace(/^BIRD [^\n]* ready\.\n/, '');
  }

  async sessionState(neighbor: string): Promise<SessionState> {
    const out = await this.birdc('show', 'protocols', this.protoName(neighbor));
    // "peer0      BGP        ---        up     12:00:00.000  Established"
    const line = out.split('\n').find((l) => l.startsWith(this.protoName(neighbor) + ' '));
    if (!line) return 'unknown';
    const cols = line.trim().split(/\s+/);
    return normState(cols[cols.length - 1]);
  }

  /** Routes imported from `neighbor` on `family` (BIRD's "Routes: N imported"). */
  async receivedCount(neighbor: string, family: Family): Promise<number> {
    const out = await this.birdc('show', 'protocols', 'all', this.protoName(neighbor));
    // Channel sections start with "  Channel ipv4"; the Routes line follows.
    const sect = out.split(/\n\s*Channel /).find((s) => s.startsWith(CHANNEL[family]));
    const m = sect && /Routes:\s+(\d+) imported/.exec(sect);
    return m ? Number(m[1]) : 0;
  }

  async routeCount(family: Family): Promise<number> {
    const out = await this.birdc('show', 'route', 'count', 'table', TABLE[family]);
    // "1000000 of 1000000 routes for 1000000 networks in table master4"
    const m = /(\d+) of (\d+) routes for (\d+) networks/.exec(out);
    return m ? Number(m[3]) : 0;
  }

  async routes(family: Family): Promise<Route[]> {
    const out = await this.birdc('show', 'route', 'all', 'table', TABLE[family]);
    return parseBirdRoutes(out);
  }

  async flowRoutes(family: 'ipv4-flowspec' | 'ipv6-flowspec'): Promise<FlowRoute[]> {
    const out = await this.birdc('show', 'route', 'all', 'table', TABLE[family]);
    const res: FlowRoute[] = [];
    for (const block of splitBirdBlocks(out)) {
      const m = /^(flow[46] \{.*?\})/.exec(block[0]!);
      if (!m) continue;
      const ext = block.find((l) => l.includes('BGP.ext_community'));
      res.push({ match: m[1]!, actions: ext ? ext.split(':').slice(1).join(':').trim() : '', raw: block.join('\n') });
    }
    return res;
  }

  private async reconfigure(): Promise<void> {
    this.writeConfig();
    const out = await this.birdc('configure');
    if (!/Reconfigured|Reconfiguration in progress/.test(out)) throw new Error(`bird configure: ${out}`);
  }

  /** Originate (or replace) a route; attributes travel as BGP attributes of a static blackhole route. */
  async addRoute(family: Family, r: RouteSpec): Promise<void> {
    if (isFlow(family)) throw new Error('bird: use addFlow for flowspec');
    this.statics.get(family)!.set(r.prefix, `route ${r.prefix} blackhole { ${birdAttrs(r)} };`);
    await this.reconfigure();
  }

  /** Originate many routes with one reconfiguration (attributes shared). */
  async addRoutes(family: Family, rs: RouteSpec[]): Promise<void> {
    for (const r of rs) this.statics.get(family)!.set(r.prefix, `route ${r.prefix} blackhole { ${birdAttrs(r)} };`);
    await this.reconfigure();
  }

  async withdrawRoute(family: Family, prefix: string): Promise<void> {
    this.statics.get(family)!.delete(prefix);
    await this.reconfigure();
  }

  async addFlow(family: 'ipv4-flowspec' | 'ipv6-flowspec', f: FlowSpec): Promise<string> {
    const parts: string[] = [];
    if (f.destination) parts.push(`dst ${f.destination};`);
    if (f.source) parts.push(`src ${f.source};`);
    if (f.protocol) parts.push(`${family === 'ipv6-flowspec' ? 'next header' : 'proto'} ${f.protocol.join(', ')};`);
    if (f.destinationPort) parts.push(`dport ${f.destinationPort.join(', ')};`);
    const key = `${CHANNEL[family]} { ${parts.join(' ')} }`;
    // RFC 8955 §7.1 traffic-rate: transitive experimental 0x8006, 4-byte float bytes/s; 0 = discard.
    const rate = f.action === 'discard' ? 0 : f.action.rateLimit;
    const bytes = Buffer.alloc(4);
    bytes.writeFloatBE(rate);
    const ext = `bgp_ext_community.add((generic, 0x80060000, ${bytes.readUInt32BE(0)}));`;
    this.statics.get(family)!.set(key, `route ${key} { ${ext} };`);
    await this.reconfigure();
    return key;
  }

  async withdrawFlow(family: 'ipv4-flowspec' | 'ipv6-flowspec', key: string): Promise<void> {
    this.statics.get(family)!.delete(key);
    await this.reconfigure();
  }
}

function birdAttrs(r: RouteSpec): string {
  const a: string[] = [`bgp_next_hop = ${r.nextHop};`];
  if (r.asPath && r.asPath.length > 0) {
    // prepend builds from the front: add the last AS first.
    for (const as of [...r.asPath].reverse()) a.push(`bgp_path.prepend(${as});`);
  }
  if (r.med !== undefined) a.push(`bgp_med = ${r.med};`);
  if (r.localPref !== undefined) a.push(`bgp_local_pref = ${r.localPref};`);
  for (const c of r.communities ?? []) a.push(`bgp_community.add((${checkCommunity(c, 2).join(',')}));`);
  for (const c of r.largeCommunities ?? []) a.push(`bgp_large_community.add((${checkCommunity(c, 3).join(',')}));`);
  return a.join(' ');
}

/** Split `show route all` output into one block of lines per route (alternatives get the prefix filled in). */
function splitBirdBlocks(out: string): string[][] {
  const blocks: string[][] = [];
  let cur: string[] | undefined;
  let lastNet = '';
  for (const line of out.split('\n')) {
    if (line === '' || line.startsWith('Table ')) continue;
    if (!/^\s/.test(line)) {
      // "10.0.0.0/24          unicast [peer0 ...] * (100) [AS65012i]" or a flow "flow4 { dst ...; } ..."
      const net = line.startsWith('flow') ? (/^(flow[46] \{.*?\})/.exec(line)?.[1] ?? '') : line.split(/\s+/)[0]!;
      lastNet = net;
      cur = [line];
      blocks.push(cur);
    } else if (/^\s{2,}\S+\s+\[/.test(line) && !line.startsWith('\t')) {
      // Alternative path of the same network: starts with spaces then the route type.
      cur = [lastNet + ' ' + line.trim()];
      blocks.push(cur);
    } else if (cur) {
      cur.push(line.trim());
    }
  }
  return blocks;
}

export function parseBirdRoutes(out: string): Route[] {
  const res: Route[] = [];
  for (const b of splitBirdBlocks(out)) {
    const r: Route = { prefix: b[0]!.split(/\s+/)[0]!, nextHop: '', asPath: [], communities: [], largeCommunities: [] };
    for (const l of b.slice(1)) {
      const i = l.indexOf(':');
      if (i < 0) continue;
      const k = l.slice(0, i);
      const v = l.slice(i + 1).trim();
      switch (k) {
        case 'BGP.next_hop':
          r.nextHop = v.split(/\s+/)[0]!;
          break;
        case 'BGP.as_path':
          r.asPath =
            v === ''
              ? []
              : v
                  .split(/\s+/)
                  .filter((x) => /^\d+$/.test(x))
                  .map(Number);
          break;
        case 'BGP.med':
          r.med = Number(v);
          break;
        case 'BGP.local_pref':
          r.localPref = Number(v);
          break;
        case 'BGP.community':
          r.communities = [...v.matchAll(/\((\d+),\s*(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}`);
          break;
        case 'BGP.large_community':
          r.largeCommunities = [...v.matchAll(/\((\d+),\s*(\d+),\s*(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}:${m[3]}`);
          break;
        default:
          break;
      }
    }
    res.push(r);
  }
  return res;
}
