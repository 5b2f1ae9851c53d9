// tsbgp against GoBGP 3 on loopback: sessions with tsbgp active and passive (eBGP and iBGP), IPv4/IPv6 routes
// with their attributes both ways, withdrawals, hold timer expiry on a frozen gobgpd, and GoBGP's shutdown
// NOTIFICATION with an RFC 9003 message (`gobgp neighbor X disable --reason ...`). Scenario: tsbgp-daemon.ts.
import { type Family, GoBgp, type Route } from './peers';
import { interopSuite } from './tsbgp-daemon';

interopSuite<GoBgp>({
  kind: 'gobgp',
  create: () => new GoBgp(),
  async shutdown(g: GoBgp, tsbgp: string, message: string): Promise<void> {
    await g.cli(['neighbor', tsbgp, 'shutdown', '--reason', message]);
  },
  async enable(g: GoBgp, tsbgp: string): Promise<void> {
    await g.cli(['neighbor', tsbgp, 'enable']);
  },
  // The Adj-RIB-In of the tsbgp session, whatever the best path selection made of it.
  received: (g: GoBgp, family: Family, tsbgp: string): Promise<Route[]> => g.adjIn(tsbgp, family),
});
