// GoBGP 3 (gobgpd + gobgp CLI over gRPC on a private loopback port).
// gobgpd exits on any unknown TOML key and the CLI then only reports "context deadline exceeded":
// start() therefore waits for the API and reports gobgpd's own log on failure.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  type BgpDaemon,
  checkCommunity,
  type DaemonOpts,
  type Family,
  type FlowRoute,
  type FlowSpec,
  freePort,
  isFlow,
  ManagedProcess,
  PeerDaemonBase,
  type Route,
  type RouteSpec,
  runCmd,
  type SessionState,
  type VpnFamily,
} from './common';

const AFI_SAFI: Record<Family, string> = {
  ipv4: 'ipv4-unicast',
  ipv6: 'ipv6-unicast',
  'ipv4-flowspec': 'ipv4-flowspec',
  'ipv6-flowspec': 'ipv6-flowspec',
};
// GoBGP 3.10's afi-safi names.
const VPN_AFI_SAFI: Record<VpnFamily, string> = {
  vpnv4: 'l3vpn-ipv4-unicast',
  vpnv6: 'l3vpn-ipv6-unicast',
  'ipv4-labeled': 'ipv4-labelled-unicast',
  'ipv6-labeled': 'ipv6-labelled-unicast',
};
const CLI_FAMILY: Record<Family, string> = {
  ipv4: 'ipv4',
  ipv6: 'ipv6',
  'ipv4-flowspec': 'ipv4-flowspec',
  'ipv6-flowspec': 'ipv6-flowspec',
};
// gRPC SessionState enum.
const STATES: SessionState[] = ['unknown', 'idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'];

interface GoAttr {
  type: number;
  value?: unknown;
  as_paths?: { segment_type: number; asns: number[] }[];
  nexthop?: string;
  metric?: number;
  communities?: number[];
}
interface GoPath {
  nlri: { prefix?: string; value?: unknown };
  best?: boolean;
  attrs: GoAttr[];
  'neighbor-ip'?: string;
}

export class GoBgp extends PeerDaemonBase implements BgpDaemon {
  readonly kind = 'gobgp' as const;
  private opts: DaemonOpts | undefined;
  apiPort = 0;

  constructor() {
    super('gobgp');
  }

  private config(o: DaemonOpts): string {
    const l: string[] = [];
    l.push(
      '[global.config]',
      `  as = ${o.as}`,
      `  router-id = "${o.routerId ?? o.address}"`,
      `  port = ${o.port}`,
      `  local-address-list = ["${o.address}"]`,
    );
    for (const n of o.neighbors) {
      l.push('[[neighbors]]', '  [neighbors.config]', `    neighbor-address = "${n.address}"`, `    peer-as = ${n.as}`);
      if (n.password) l.push(`    auth-password = "${n.password}"`);
      l.push('  [neighbors.transport.config]', `    local-address = "${o.address}"`, `    remote-port = ${n.port}`);
      if (n.passive) l.push('    passive-mode = true');
      l.push(
        '  [neighbors.timers.config]',
        '    connect-retry = 1',
        `    hold-time = ${o.holdTime ?? 90}`,
        `    keepalive-interval = ${Math.max(1, Math.floor((o.holdTime ?? 90) / 3))}`,
      );
      // GoBGP refuses TTL security together with eBGP multihop; loopback does not decrement the TTL anyway.
      if (n.ttlSecurity) l.push('  [neighbors.ttl-security.config]', '    enabled = true', '    ttl-min = 255');
      else if (n.as !== o.as)
        l.push('  [neighbors.ebgp-multihop.config]', '    enabled = true', '    multihop-ttl = 2');
      for (const name of [
        ...n.families.map((f) => AFI_SAFI[f]),
        ...(n.vpnFamilies ?? []).map((f) => VPN_AFI_SAFI[f]),
        ...(n.afiSafiNames ?? []),
      ])
        l.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', `      afi-safi-name = "${name}"`);
    }
    return l.join('\n') + '\n';
  }

  async start(opts: DaemonOpts): Promise<void> {
    this.opts = opts;
    this.apiPort = await freePort(opts.address);
    const conf = path.join(this.dir, 'gobgpd.toml');
    fs.writeFileSync(conf, this.config(opts));
    this.proc = new ManagedProcess(
      'gobgpd',
      'gobgpd',
      ['-f', conf, '-t', 'toml', '-p', '--api-hosts', `${opts.address}:${this.apiPort}`, '--pprof-disable'],
      path.join(this.dir, 'gobgpd.log'),
    );
    await this.waitStarted(
      async () => {
        // The neighbors appear once the configuration has been applied, not just when gRPC is up.
        const out = await this.cli(['-j', 'neighbor'], 3000);
        return (JSON.parse(out) as unknown[]).length === opts.neighbors.length;
      },
      10_000,
      'gobgpd API',
      false,
    );
  }

  override logText(): string {
    return this.proc?.log() ?? '';
  }

  /** Run the gobgp CLI against this daemon; throws with gobgpd's log tail when the daemon died. */
  async cli(args: string[], timeoutMs = 300_000): Promise<string> {
    const r = await runCmd('gobgp', ['-u', this.opts!.address, '-p', String(this.apiPort), ...args], timeoutMs);
    if (r.code !== 0) {
      const dead = this.proc && !this.proc.running ? '\n' + this.proc.describeExit() : '';
      throw new Error(`gobgp ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}${dead}`);
    }
    return r.stdout;
  }

  private async neighborJson(neighbor: string): Promise<{
    state: { session_state?: number };
    afi_safis?: { state: { family: { afi: number; safi: number }; received?: number; accepted?: number } }[];
  }> {
    return JSON.parse(await this.cli(['-j', 'neighbor', neighbor], 10_000));
  }

  async sessionState(neighbor: string): Promise<SessionState> {
    const j = await this.neighborJson(neighbor);
    return STATES[j.state.session_state ?? 0] ?? 'unknown';
  }

  /** Paths received from `neighbor` on `family` (before import policy). */
  async receivedCount(neighbor: string, family: Family): Promise<number> {
    const j = await this.neighborJson(neighbor);
    const [afi, safi] = familyCode(family);
    const a = j.afi_safis?.find((x) => x.state.family.afi === afi && x.state.family.safi === safi);
    return a?.state.received ?? 0;
  }

  async routeCount(family: Family): Promise<number> {
    // "Table afi:AFI_IP safi:SAFI_UNICAST\nDestination: 1000000, Path: 1000000"
    const out = await this.cli(['global', 'rib', 'summary', '-a', CLI_FAMILY[family]], 30_000);
    const m = /Destination:\s*(\d+)/.exec(out);
    return m ? Number(m[1]) : 0;
  }

  /** Best paths of the global RIB. */
  async routes(family: Family): Promise<Route[]> {
    const j = JSON.parse(await this.cli(['-j', 'global', 'rib', '-a', CLI_FAMILY[family]])) as Record<string, GoPath[]>;
    return toRoutes(j, true);
  }

  /** Adj-RIB-In from one neighbor. */
  async adjIn(neighbor: string, family: Family): Promise<Route[]> {
    const out = await this.cli(['-j', 'neighbor', neighbor, 'adj-in', '-a', CLI_FAMILY[family]]);
    return toRoutes(JSON.parse(out) as Record<string, GoPath[]>, false);
  }

  async flowRoutes(family: 'ipv4-flowspec' | 'ipv6-flowspec'): Promise<FlowRoute[]> {
    const j = JSON.parse(await this.cli(['-j', 'global', 'rib', '-a', family])) as Record<string, GoPath[]>;
    const res: FlowRoute[] = [];
    for (const [match, paths] of Object.entries(j)) {
      for (const p of paths) {
        if (!p.best) continue;
        const ext = p.attrs.find((a) => a.type === 16);
        res.push({ match, actions: JSON.stringify(ext?.value ?? []), raw: p });
      }
    }
    return res;
  }

  async addRoute(family: Family, r: RouteSpec): Promise<void> {
    if (isFlow(family)) throw new Error('gobgp: use addFlow for flowspec');
    const args = ['global', 'rib', '-a', CLI_FAMILY[family], 'add', r.prefix, 'origin', 'igp', 'nexthop', r.nextHop];
    if (r.asPath && r.asPath.length > 0) args.push('aspath', r.asPath.join(','));
    if (r.med !== undefined) args.push('med', String(r.med));
    if (r.localPref !== undefined) args.push('local-pref', String(r.localPref));
    if (r.communities && r.communities.length > 0) {
      for (const c of r.communities) checkCommunity(c, 2);
      args.push('community', r.communities.join(','));
    }
    if (r.largeCommunities && r.largeCommunities.length > 0) {
      for (const c of r.largeCommunities) checkCommunity(c, 3);
      args.push('large-community', r.largeCommunities.join(','));
    }
    await this.cli(args, 30_000);
  }

  async withdrawRoute(family: Family, prefix: string): Promise<void> {
    await this.cli(['global', 'rib', '-a', CLI_FAMILY[family], 'del', prefix], 30_000);
  }

  private flowArgs(f: FlowSpec): string[] {
    const a: string[] = ['match'];
    if (f.destination) a.push('destination', f.destination);
    if (f.source) a.push('source', f.source);
    if (f.protocol) a.push('protocol', ...f.protocol.map((p) => `==${p}`));
    if (f.destinationPort) a.push('destination-port', ...f.destinationPort.map((p) => `==${p}`));
    a.push('then');
    if (f.action === 'discard') a.push('discard');
    else a.push('rate-limit', String(f.action.rateLimit));
    return a;
  }

  async addFlow(family: 'ipv4-flowspec' | 'ipv6-flowspec', f: FlowSpec): Promise<void> {
    await this.cli(['global', 'rib', '-a', family, 'add', ...this.flowArgs(f)], 30_000);
  }

  async withdrawFlow(family: 'ipv4-flowspec' | 'ipv6-flowspec', f: FlowSpec): Promise<void> {
    const a = this.flowArgs(f);
    await this.cli(['global', 'rib', '-a', family, 'del', ...a.slice(0, a.indexOf('then'))], 30_000);
  }
}

function familyCode(f: Family): [number, number] {
  const afi = f.startsWith('ipv6') ? 2 : 1;
  return [afi, isFlow(f) ? 133 : 1];
}

function toRoutes(j: Record<string, GoPath[]>, bestOnly: boolean): Route[] {
  const res: Route[] = [];
  for (const [prefix, paths] of Object.entries(j)) {
    for (const p of paths) {
      if (bestOnly && !p.best) continue;
      const r: Route = { prefix, nextHop: '', asPath: [], communities: [], largeCommunities: [] };
      for (const a of p.attrs) {
        switch (a.type) {
          case 2:
            r.asPath = (a.as_paths ?? []).flatMap((s) => s.asns);
            break;
          case 3:
          case 14:
            r.nextHop = a.nexthop ?? '';
            break;
          case 4:
            r.med = a.metric ?? 0;
            break;
          case 5:
            r.localPref = a.value as number;
            break;
          case 8:
            r.communities = (a.communities ?? []).map((c) => `${c >>> 16}:${c & 0xffff}`);
            break;
          case 32:
            r.largeCommunities = ((a.value ?? []) as { ASN: number; LocalData1: number; LocalData2: number }[]).map(
              (c) => `${c.ASN}:${c.LocalData1}:${c.LocalData2}`,
            );
            break;
          default:
            break;
        }
      }
      res.push(r);
    }
  }
  return res;
}
