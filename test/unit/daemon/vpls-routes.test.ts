// VPLS routes in the daemon: the Adj-RIB-Out keys them by NLRI (a second route for the same NLRI replaces the
// first), a reload withdraws only those the new configuration dropped, and `show adj-rib out` prints them as
// ExaBGP's text does.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parser';
import { vplsEntry, withdrawRemovedVpls } from '../../../src/daemon/routes';
import { nlriText } from '../../../src/daemon/show';
import { AdjRibOut } from '../../../src/rib/adj-rib-out';

const conf = (lines: string[]) =>
  `neighbor 192.0.2.2 {\n router-id 1.1.1.1; local-address 192.0.2.1; local-as 65000; peer-as 65000;\n family { l2vpn vpls; }\n l2vpn {\n${lines.map((l) => `  ${l};`).join('\n')}\n }\n}\n`;

const A = 'vpls rd 65000:1 endpoint 1 base 100 offset 0 size 8 next-hop 192.0.2.1';
const B = 'vpls rd 65000:2 endpoint 2 base 200 offset 0 size 8 next-hop 192.0.2.1';

test('vpls: the NLRI is the key, the last route for it stays; show prints the NLRI as ExaBGP does', () => {
  const n = parseConfig(conf([`${A} med 1`, B, `${A} med 2`]), 'f').neighbors[0]!;
  const rib = new AdjRibOut();
  for (const v of n.vpls) {
    const e = vplsEntry(v);
    rib.announce(e.family, e.entry, e.attributes, { nextHop: e.nextHop });
  }
  const routes = [...rib.routes()];
  assert.equal(routes.length, 2);
  const a = routes.find((r) => nlriText(r.family, r.entry).includes('65000:1'))!;
  assert.equal(a.attributes.attributes.med, 2);
  assert.equal(nlriText(a.family, a.entry), 'vpls rd 65000:1 endpoint 1 base 100 offset 0 size 8');
});

test('vpls: a reload withdraws the routes the new configuration no longer has, once each', () => {
  const before = parseConfig(conf([A, B, `${B} med 3`]), 'f').neighbors[0]!.vpls;
  const after = parseConfig(conf([`${A} med 9`]), 'f').neighbors[0]!.vpls;
  const gone: string[] = [];
  withdrawRemovedVpls(before, after, (e) => gone.push(e.text));
  assert.deepEqual(gone, ['vpls rd 65000:2 endpoint 2 base 200 offset 0 size 8']);
});
