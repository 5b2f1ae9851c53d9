// The `family-allowed` selector as ExaBGP 4.2 matches it (bgp/neighbor.py names a multi-session neighbor's
// families `afi-safi` joined with `/` in configured order, others `in-open`; reactor/api/command/limit.py
// compares the whole value): the neighbors the daemon builds answer to it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchSelector, parseCommand } from '../../../src/api/commands';
import { parseConfig } from '../../../src/config/parser';
import { Logger } from '../../../src/daemon/log';
import { Neighbor } from '../../../src/daemon/neighbor';
import { AttrInterner } from '../../../src/rib/attr-intern';

const conf = `
neighbor 192.0.2.1 {
 router-id 10.0.0.1; local-address 192.0.2.9; local-as 65000; peer-as 65001;
 capability { multi-session; }
 family { ipv4 unicast; ipv6 unicast; ipv4 flow; }
}
neighbor 192.0.2.2 {
 router-id 10.0.0.1; local-address 192.0.2.9; local-as 65000; peer-as 65002;
 family { ipv4 unicast; }
}
`;

test('family-allowed selects multi-session neighbors by their families and others by in-open', () => {
  const interner = new AttrInterner();
  const quiet = new Logger({ write: () => {} });
  const [multi, single] = parseConfig(conf, 'f').neighbors.map((c) => new Neighbor(c, 65000, interner, quiet, 179));
  const matches = (line: string) => {
    const p = parseCommand(`${line} announce eor`);
    assert.ok(p.ok && 'neighbors' in p.command);
    const sel = p.command.neighbors;
    return [multi!, single!].filter((n) => matchSelector(sel, n.facts())).map((n) => n.cfg.peerAddress);
  };
  assert.deepEqual(matches('neighbor * family-allowed ipv4-unicast/ipv6-unicast/ipv4-flow'), ['192.0.2.1']);
  assert.deepEqual(matches('neighbor * family-allowed in-open'), ['192.0.2.2']);
  assert.deepEqual(matches('neighbor * family-allowed ipv4-unicast'), []);
  assert.deepEqual(matches('neighbor 192.0.2.1 family-allowed in-open'), []);
});
