// FRR bgpd alone (no zebra: -Z), in the foreground, driven with vtysh on a private vty socket directory.
// Originated routes are `network` statements, each with its own route-map carrying the attributes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  afiOf,
  type BgpDaemon,
  checkCommunity,
  type DaemonOpts,
  type Family,
  type FlowRoute,
  isFlow,
  ManagedProcess,
  normState,
  PeerDaemonBase,
  type Route,
  type RouteSpec,
  runCmd,
  type SessionState,
  type VpnFamily,
} from './common';

const AF: Record<Family, string> = {
  ipv4: 'ipv4 unicast',
  ipv6: 'ipv6 unicast',
  'ipv4-flowspec': 'ipv4 flowspec',
  'ipv6-flowspec': 'ipv6 flowspec',
};

const VPN_AF: Record<VpnFamily, string> = {
  vpnv4: 'ipv4 vpn',
  vpnv6: 'ipv6 vpn',
  'ipv4-labeled': 'ipv4 labeled-unicast',
  'ipv6-labeled': 'ipv6 labeled-unicast',
};

interface FrrPath {
  aspath?: { segments?: { list: number[] }[]; string?: string };
  path?: string;
  metric?: number;
  locPrf?: number;
  community?: { list?: string[] };
  largeCommunity?: { list?: string[] };
  nexthops?: { ip: string; afi?: string; scope?: string }[];
  bestpath?: { overall?: boolean };
  prefix?: string;
}

export class Frr extends PeerDaemonBase implements BgpDaemon {
  readonly kind = 'frr' as const;
  private opts: DaemonOpts | undefined;
  private rmCounter = 0;
  private readonly routeMaps = new Map<string, string>();

  constructor() {
    super('frr');
    // bgpd may create files as user frr even with -S on some builds; let it write here.
    fs.chmodSync(this.dir, 0o777);
  }

  private config(o: DaemonOpts): string {
    const l: string[] = [
      'frr defaults traditional',
      `hostname tsbgp-frr-${path.basename(this.dir)}`,
      `log file ${path.join(this.dir, 'bgpd.log')} informational`,
      '!',
    ];
    l.push(`router bgp ${o.as}`, ` bgp router-id ${o.routerId ?? o.address}`);
    const c = o.confederation;
    if (c) {
      l.push(` bgp confederation identifier ${c.identifier}`);
      const others = c.members.filter((m) => m !== o.as);
      if (others.length > 0) l.push(` bgp confederation peers ${others.join(' ')}`);
    }
    // Without these FRR sends and accepts nothing on eBGP (RFC 8212) and refuses `network` for unrouted prefixes.
    l.push(' no bgp ebgp-requires-policy', ' no bgp network import-check', ' no bgp default ipv4-unicast');
    const hold = o.holdTime ?? 90;
    for (const n of o.neighbors) {
      l.push(` neighbor ${n.address} remote-as ${n.as}`, ` neighbor ${n.address} port ${n.port}`);
      l.push(` neighbor ${n.address} update-source ${o.address}`, ` neighbor ${n.address} disable-connected-check`);
      l.push(
        ` neighbor ${n.address} timers ${Math.max(1, Math.floor(hold / 3))} ${hold}`,
        ` neighbor ${n.address} timers connect 1`,
      );
      if (n.passive) l.push(` neighbor ${n.address} passive`);
      if (n.password) l.push(` neighbor ${n.address} password ${n.password}`);
      if (n.ttlSecurity) l.push(` neighbor ${n.address} ttl-security hops 1`);
      if (n.routeServer) l.push(` no neighbor ${n.address} enforce-first-as`);
    }
    for (const f of ['ipv4', 'ipv6', 'ipv4-flowspec', 'ipv6-flowspec'] as Family[]) {
      const ns = o.neighbors.filter((n) => n.families.includes(f));
      if (ns.length === 0) continue;
      l.push(` address-family ${AF[f]}`);
      for (const n of ns) {
        l.push(`  neighbor ${n.address} activate`);
        // Keep the documentation next hops we originate; otherwise eBGP rewrites them to our loopback
        // address, which GoBGP drops and FRR itself calls martian.
        if (!isFlow(f)) l.push(`  neighbor ${n.address} attribute-unchanged next-hop`);
      }
      l.push(' exit-address-family');
    }
    for (const f of ['vpnv4', 'vpnv6', 'ipv4-labeled', 'ipv6-labeled'] as VpnFamily[]) {
      const ns = o.neighbors.filter((n) => n.vpnFamilies?.includes(f));
      if (ns.length === 0) continue;
      l.push(` address-family ${VPN_AF[f]}`);
      for (const n of ns)
        l.push(`  neighbor ${n.address} activate`, `  neighbor ${n.address} attribute-unchanged next-hop`);
      l.push(' exit-address-family');
    }
    for (const af of new Set(o.neighbors.flatMap((n) => n.addressFamilies ?? []))) {
      l.push(` address-family ${af}`);
      for (const n of o.neighbors) if (n.addressFamilies?.includes(af)) l.push(`  neighbor ${n.address} activate`);
      l.push(' exit-address-family');
    }
    l.push('!');
    return l.join('\n') + '\n';
  }

  async start(opts: DaemonOpts): Promise<void> {
    this.opts = opts;
    const conf = path.join(this.dir, 'bgpd.conf');
    fs.writeFileSync(conf, this.config(opts));
    this.proc = new ManagedProcess(
      'bgpd',
      '/usr/lib/frr/bgpd',
      [
        '-f',
        conf,
        '-i',
        path.join(this.dir, 'bgpd.pid'),
        '-Z',
        '-n',
        '-S',
        '-l',
        opts.address,
        '-p',
        String(opts.port),
        '-P',
        '0',
        '--vty_socket',
        this.dir,
      ],
      path.join(this.dir, 'stdout.log'),
    );
    await this.waitStarted(
      async () => {
        if (!fs.existsSync(path.join(this.dir, 'bgpd.vty'))) return false;
        const out = await this.vtysh(['show bgp ipv4 unicast summary json'], 5000);
        return out.includes('"peers"') || out.includes('{');
      },
      10_000,
      'bgpd vty socket',
    );
  }

  override logText(): string {
    return this.readLogs('stdout.log', 'bgpd.log');
  }

  /** Run vtysh commands in sequence (one -c each). */
  async vtysh(cmds: string[], timeoutMs = 300_000): Promise<string> {
    const args = ['--vty_socket', this.dir];
    for (const c of cmds) args.push('-c', c);
    const r = await runCmd('vtysh', args, timeoutMs);
    if (r.code !== 0 || /^% /m.test(r.stdout)) {
      throw new Error(`vtysh ${cmds.join(' ; ')}: ${(r.stderr + r.stdout).trim().slice(0, 2000)}`);
    }
    return r.stdout;
  }

  private async summary(
    family: Family,
  ): Promise<{ peers?: Record<string, { state?: string; pfxRcd?: number }>; ribCount?: number }> {
    const out = await this.vtysh([`show bgp ${AF[family]} summary json`], 30_000);
    return out.trim() === '' ? {} : JSON.parse(out);
  }

  async sessionState(neighbor: string): Promise<SessionState> {
    const n = this.opts!.neighbors.find((x) => x.address === neighbor);
    const s = await this.summary(n?.families[0] ?? 'ipv4');
    return normState(s.peers?.[neighbor]?.state);
  }

  /** Prefixes accepted from `neighbor` on `family` (FRR's pfxRcd). */
  async receivedCount(neighbor: string, family: Family): Promise<number> {
    const s = await this.summary(family);
    return s.peers?.[neighbor]?.pfxRcd ?? 0;
  }

  /** Prefixes in the BGP table (every destination, whatever its source). */
  async routeCount(family: Family): Promise<number> {
    const out = await this.vtysh([`show bgp ${AF[family]} statistics json`], 120_000);
    const j = JSON.parse(out) as Record<string, { totalPrefixes?: number }[]>;
    const v = Object.values(j)[0];
    return v?.[0]?.totalPrefixes ?? 0;
  }

  async routes(family: Family): Promise<Route[]> {
    const out = await this.vtysh([`show bgp ${AF[family]} json detail`]);
    const j = JSON.parse(out) as { routes?: Record<string, FrrPath[]> };
    const res: Route[] = [];
    for (const [prefix, entries] of Object.entries(j.routes ?? {})) {
      for (const p of entries) {
        if (p.bestpath === undefined && p.nexthops === undefined) continue; // the {prefix, version} header entry
        if (!p.bestpath?.overall) continue;
        const nh = (p.nexthops ?? []).find((x) => x.scope !== 'link-local') ?? p.nexthops?.[0];
        res.push({
          prefix,
          nextHop: nh?.ip ?? '',
          asPath: (p.aspath?.segments ?? []).flatMap((s) => s.list),
          med: p.metric,
          localPref: p.locPrf,
          communities: p.community?.list ?? [],
          largeCommunities: p.largeCommunity?.list ?? [],
        });
      }
    }
    return res;
  }

  /**
   * Flow routes from `show bgp ... flowspec detail`: the JSON form leaves out the actions, so the text form
   * is parsed. match = the component lines joined with "; ", actions = the "FS:" lines.
   */
  async flowRoutes(family: 'ipv4-flowspec' | 'ipv6-flowspec'): Promise<FlowRoute[]> {
    const out = await this.vtysh([`show bgp ${AF[family]} detail`]);
    const res: FlowRoute[] = [];
    for (const block of out.split('BGP flowspec entry:').slice(1)) {
      const lines = block
        .split('\n')
        .slice(1)
        .map((l) => l.trim())
        .filter((l) => l !== '');
      const comps: string[] = [];
      const acts: string[] = [];
      for (const l of lines) {
        if (l.startsWith('FS:')) acts.push(l.slice(3).trim());
        else if (/^(received|not installed|installed|Displayed)/.test(l)) continue;
        else comps.push(l);
      }
      res.push({ match: comps.join('; '), actions: acts.join('; '), raw: block });
    }
    return res;
  }

  private routeMapFor(family: Family, r: RouteSpec): string[] {
    const name = `TSBGP-${++this.rmCounter}`;
    const c = [`route-map ${name} permit 10`];
    c.push(afiOf(family) === 'ipv4' ? `set ip next-hop ${r.nextHop}` : `set ipv6 next-hop global ${r.nextHop}`);
    if (r.asPath && r.asPath.length > 0) c.push(`set as-path prepend ${r.asPath.join(' ')}`);
    if (r.med !== undefined) c.push(`set metric ${r.med}`);
    if (r.localPref !== undefined) c.push(`set local-preference ${r.localPref}`);
    if (r.communities && r.communities.length > 0) {
      for (const x of r.communities) checkCommunity(x, 2);
      c.push(`set community ${r.communities.join(' ')} additive`);
    }
    if (r.largeCommunities && r.largeCommunities.length > 0) {
      for (const x of r.largeCommunities) checkCommunity(x, 3);
      c.push(`set large-community ${r.largeCommunities.join(' ')} additive`);
    }
    c.push('exit');
    this.routeMaps.set(`${family} ${r.prefix}`, name);
    return c;
  }

  async addRoute(family: Family, r: RouteSpec): Promise<void> {
    if (isFlow(family)) throw new Error('frr: bgpd cannot originate flowspec');
    const cmds = [
      'configure terminal',
      ...this.routeMapFor(family, r),
      `router bgp ${this.opts!.as}`,
      `address-family ${AF[family]}`,
      `network ${r.prefix} route-map ${this.routeMaps.get(`${family} ${r.prefix}`)}`,
    ];
    await this.vtysh(cmds, 30_000);
  }

  async withdrawRoute(family: Family, prefix: string): Promise<void> {
    const rm = this.routeMaps.get(`${family} ${prefix}`);
    const cmds = [
      'configure terminal',
      `router bgp ${this.opts!.as}`,
      `address-family ${AF[family]}`,
      `no network ${prefix}`,
    ];
    if (rm) cmds.push('exit-address-family', 'exit', `no route-map ${rm}`);
    this.routeMaps.delete(`${family} ${prefix}`);
    await this.vtysh(cmds, 30_000);
  }
}
