// tsbgp against BIRD 2 on loopback: sessions with tsbgp active and passive (eBGP and iBGP), IPv4/IPv6 routes
// with their attributes both ways, withdrawals, hold timer expiry on a frozen BIRD, and BIRD's shutdown
// NOTIFICATION with an RFC 9003 message (`birdc disable NAME "message"`). Scenario: tsbgp-daemon.ts.
import { Bird, type Family, type Route } from './peers';
import { interopSuite } from './tsbgp-daemon';

interopSuite<Bird>({
  kind: 'bird',
  create: () => new Bird(),
  async shutdown(b: Bird, tsbgp: string, message: string): Promise<void> {
    const out = await b.birdc('disable', b.protoName(tsbgp), `"${message}"`);
    if (!/disabled/.test(out)) throw new Error(`birdc disable: ${out}`);
  },
  async enable(b: Bird, tsbgp: string): Promise<void> {
    const out = await b.birdc('enable', b.protoName(tsbgp));
    if (!/enabled/.test(out)) throw new Error(`birdc enable: ${out}`);
  },
  // BIRD lists every route of the table, reachable or not (the 192.0.2.x next hops resolve to nothing here).
  received: (b: Bird, family: Family): Promise<Route[]> => b.routes(family),
});
