// tsbgp against FRR bgpd on loopback: sessions with tsbgp active and passive (eBGP and iBGP), IPv4/IPv6 routes
// with their attributes both ways, withdrawals, hold timer expiry on a frozen bgpd, and FRR's shutdown
// NOTIFICATION with an RFC 9003 message (`neighbor X shutdown message ...`). Scenario: tsbgp-daemon.ts.
import { type Family, Frr, type Route } from './peers';
import { interopSuite } from './tsbgp-daemon';

/** The router's AS, from its running configuration ("router bgp N"). */
async function routerAs(f: Frr): Promise<string> {
  const m = /^router bgp (\d+)/m.exec(await f.vtysh(['show running-config'], 10_000));
  if (!m) throw new Error('frr: no router bgp in the running configuration');
  return m[1]!;
}

interopSuite<Frr>({
  kind: 'frr',
  create: () => new Frr(),
  async shutdown(f: Frr, tsbgp: string, message: string): Promise<void> {
    await f.vtysh(
      ['configure terminal', `router bgp ${await routerAs(f)}`, `neighbor ${tsbgp} shutdown message ${message}`],
      10_000,
    );
  },
  async enable(f: Frr, tsbgp: string): Promise<void> {
    await f.vtysh(['configure terminal', `router bgp ${await routerAs(f)}`, `no neighbor ${tsbgp} shutdown`], 10_000);
  },
  received: (f: Frr, family: Family): Promise<Route[]> => f.routes(family),
});
